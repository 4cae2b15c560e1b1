"""Settings: command-line options and environment variables, resolved once, at the edge.

The CLI builds one :class:`Settings` per run and passes it (or its parts) down. This is
the only module that reads the environment: the ``env_*`` functions below, which
:meth:`Settings.resolve` uses for the options a user did not give, and which the stages
fall back on only when they are called as a library without the value. The vocab is
loaded and checked here, so that a broken vocab file stops every command the same way
before any work starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # vocab.py reads its folders from here: imported at call time
    from reetool.vocab import Vocab

MODEL_ENV = "REETOOL_MODEL"
VOCAB_ENV = "REETOOL_VOCAB"
MAX_BYTES_ENV = "REETOOL_MAX_BYTES"
DB_ENV = "REETOOL_DB"


def env_model() -> str | None:
    """The spaCy pipeline named by ``$REETOOL_MODEL``, if any."""
    return os.environ.get(MODEL_ENV) or None


def env_vocab_dirs() -> tuple[str, ...]:
    """The vocab folders named by ``$REETOOL_VOCAB`` (separated by ``os.pathsep``)."""
    return tuple(p for p in os.environ.get(VOCAB_ENV, "").split(os.pathsep) if p)


def env_max_bytes() -> str:
    """``$REETOOL_MAX_BYTES`` as written (parsed by :func:`reetool.reader.resolve_max_bytes`)."""
    return os.environ.get(MAX_BYTES_ENV, "").strip()


def env_db() -> str | None:
    """The store file named by ``$REETOOL_DB``, if any."""
    return os.environ.get(DB_ENV) or None


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
        from reetool.vocab import Vocab

        return cls(Vocab.load(vocab or ()).check(), model or env_model(), db, max_bytes)

    @property
    def vocab_dirs(self) -> list[str]:
        """The vocab folders as strings, for worker processes and the store's fingerprint."""
        return [str(d) for d in self.vocab.dirs]
