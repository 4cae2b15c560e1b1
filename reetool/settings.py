"""Settings: command-line options and environment variables, resolved once, at the edge.

The CLI builds one :class:`Settings` per run and passes it (or its parts) down; the
stages never read the environment themselves, except through :func:`env_model` when
they are called as a library without a model. The vocab is loaded and checked here,
so that a broken vocab file stops every command the same way before any work starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from reetool.vocab import Vocab

MODEL_ENV = "REETOOL_MODEL"


def env_model() -> str | None:
    """The spaCy pipeline named by ``$REETOOL_MODEL``, if any."""
    return os.environ.get(MODEL_ENV) or None


@dataclass(frozen=True, slots=True)
class Settings:
    """What a run was asked to do with: the vocab folders, the spaCy pipeline, the store."""

    vocab: Vocab
    model: str | None = None
    db: str | None = None
    max_bytes: int | None = None

    @classmethod
    def resolve(
        cls,
        vocab: Iterable[str] | None = None,
        model: str | None = None,
        db: str | None = None,
        max_bytes: int | None = None,
    ) -> Settings:
        """Options as given, else the environment; raises :class:`reetool.vocab.VocabError`."""
        return cls(Vocab.load(vocab or ()).check(), model or env_model(), db, max_bytes)

    @property
    def vocab_dirs(self) -> list[str]:
        """The vocab folders as strings, for worker processes and the store's fingerprint."""
        return [str(d) for d in self.vocab.dirs]
