"""Where domain knowledge lives: data files in ``vocab/`` that users can extend.

Every stage reads its knowledge (elements, organizations, titles, boilerplate lines)
through :class:`Vocab`, never from constants in code. A user adds their own folder
(``--vocab DIR`` or ``REETOOL_VOCAB``, several separated by ``os.pathsep``); a file
there with the same name as a built-in one adds its rows to the built-in rows.

Formats, all UTF-8:
- ``*.txt``: one entry per line.
- ``*.tsv``: a header line naming the columns, then one row per line, tab-separated.
In both, blank lines and lines starting with ``#`` are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reetool.settings import env_vocab_dirs


class VocabError(Exception):
    """A vocab file that cannot be read: the message names the file and the reason."""


def builtin_dir() -> Path:
    """The shipped vocab: inside the wheel, or the repository's top-level ``vocab/``."""
    packaged = Path(__file__).with_name("vocab")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "vocab"


@dataclass(frozen=True, slots=True)
class Vocab:
    """An ordered list of vocab folders: the built-in one first, then the user's."""

    dirs: tuple[Path, ...]

    @classmethod
    def load(cls, extra: Iterable[str | Path] = ()) -> Vocab:
        """The built-in vocab plus ``extra`` folders and those named in ``REETOOL_VOCAB``."""
        dirs = [builtin_dir(), *(Path(p) for p in env_vocab_dirs()), *(Path(p) for p in extra)]
        return cls(tuple(dict.fromkeys(dirs)))

    def check(self) -> Vocab:
        """Read every vocab file once, so that a broken one (not UTF-8, unreadable) is
        reported before any work starts, by every command alike; returns ``self``."""
        for d in self.dirs:
            if d.is_dir():
                for path in sorted(d.iterdir()):
                    if path.suffix in (".txt", ".tsv") and path.is_file():
                        _content_lines(path)
        return self

    def files(self, name: str) -> Iterator[Path]:
        for d in self.dirs:
            path = d / name
            if path.is_file():
                yield path

    def lines(self, name: str) -> list[str]:
        """Entries of ``name`` (a ``.txt`` file) from every folder, in order, stripped."""
        out: list[str] = []
        for path in self.files(name):
            out.extend(_content_lines(path))
        return out

    def rows(self, name: str) -> list[dict[str, str]]:
        """Rows of ``name`` (a ``.tsv`` file with a header) from every folder, as dicts.

        Missing trailing cells read as empty strings, so users can leave optional
        columns out.
        """
        out: list[dict[str, str]] = []
        for path in self.files(name):
            lines = _content_lines(path, strip=False)
            if not lines:
                continue
            header = [h.strip() for h in lines[0].split("\t")]
            for line in lines[1:]:
                cells = [c.strip() for c in line.split("\t")]
                cells += [""] * (len(header) - len(cells))
                out.append(dict(zip(header, cells, strict=False)))
        return out


def _content_lines(path: Path, strip: bool = True) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        byte = f"0x{exc.object[exc.start]:02x}"
        raise VocabError(f"{path}: not UTF-8 (byte {byte} at offset {exc.start})") from None
    except OSError as exc:
        raise VocabError(f"{path}: {exc.strerror or exc}") from None
    out = []
    for raw in text.splitlines():
        line = raw.strip() if strip else raw.rstrip("\r\n")
        if line.strip() and not line.lstrip().startswith("#"):
            out.append(line)
    return out
