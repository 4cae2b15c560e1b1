"""The small records that flow between stages: read -> clean -> extract -> store/report.

They are plain, picklable dataclasses so that any stage can run in another process
(``--workers``) or on a distributed engine without dragging state along.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Source:
    """One document as the reader found it, before any cleaning.

    ``doc`` is the path exactly as the user gave it (``path#N`` for the N-th post of a
    file holding several, ``-`` for stdin) because users grep their output for it.
    ``markup`` says how ``body`` must be turned into text: ``"page"`` (a whole web page:
    its article is extracted), ``"html"`` (a fragment that is all article, such as a
    WordPress ``content.rendered``) or ``"text"``.
    """

    doc: str
    body: str
    markup: str = "text"
    title: str | None = None
    published: str | None = None
    url: str | None = None

    @property
    def digest(self) -> str:
        """Content hash used by the store to skip documents it has already seen."""
        import hashlib  # here: the commands that only read records start without OpenSSL

        h = hashlib.sha256()
        for part in (self.markup, self.title or "", self.published or "", self.url or "", self.body):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\0")
        return h.hexdigest()


@dataclass(slots=True)
class Document:
    """A cleaned document: the text every entity offset refers to."""

    doc: str
    text: str
    title: str | None = None
    published: str | None = None
    url: str | None = None
    fixes: dict[str, int] = field(default_factory=dict)
    digest: str = ""
    author: str | None = None  # from a web page's metadata
    site: str | None = None  # the site's name, from a web page's metadata


@dataclass(frozen=True, slots=True)
class Entity:
    """One entity mention; ``start``/``end`` are character offsets into ``Document.text``.

    A ROLE (:mod:`reetool.roles`) is the phrase that gives a person a title or an
    organization: ``canonical`` is the person's canonical name, ``title`` the title as
    written and ``org`` the organization's canonical name (either may be ``None``)."""

    label: str
    text: str
    start: int
    end: int
    canonical: str
    value: str | None = None
    inferred: bool = False
    symbol: str | None = None
    title: str | None = None
    org: str | None = None

    def __reduce__(self) -> tuple[type[Entity], tuple[object, ...]]:
        # A document's hundred entities cross a process boundary with every batch
        # (``--workers``, ``--dask``): as a plain tuple they pickle several times faster
        # than through the dataclass's field-by-field state.
        return Entity, (
            self.label, self.text, self.start, self.end, self.canonical,
            self.value, self.inferred, self.symbol, self.title, self.org,
        )


@dataclass(slots=True)
class Extraction:
    """A cleaned document with the entities found in it."""

    document: Document
    entities: list[Entity] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be used, with a reason a user can act on.

    Failures travel in the same stream as the documents so that one bad file never
    stops the run and the CLI can report each in the order it was met.
    """

    doc: str
    reason: str

    def __str__(self) -> str:
        return f"{self.doc}: {self.reason}"
