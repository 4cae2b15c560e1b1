"""spaCy components that fix what a stock English NER model gets wrong on industry news.

A small statistical model trained on general news glues titles to names ("Academician
Shen"), tags companies as people ("Baogang"), headings as organizations ("Highlights"),
cuts long official names short ("Ningbo Institute of Materials Technology") and runs
entities across line breaks. These components repair its guesses with general rules and
the knowledge in ``vocab/`` (titles, organization head words, known organizations, words
that are never entities); they never list names from particular articles.

Order in the pipeline (see :func:`add_rule_components`)::

    ner -> reetool_fix_ents (reetool.ner_fix) -> reetool_orgs (entity ruler: known names
        overwrite) -> reetool_patterns (reetool.ner_patterns: longer names that contain a
        known one win) -> reetool_elements -> reetool_element_override

The rules' knowledge (:mod:`reetool.ner_knowledge`) reaches the components through
spaCy's ``initialize``, so the pipeline config names no folders of this machine; the
token view they share is :mod:`reetool.ner_tokens`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from reetool.names import OrgDirectory
from reetool.ner_fix import FixEnts
from reetool.ner_knowledge import Knowledge
from reetool.ner_patterns import ElementOverride, Patterns
from reetool.vocab import Vocab

if TYPE_CHECKING:
    from spacy.language import Language

FIX_FACTORY = "reetool_fix_ents"
PATTERN_FACTORY = "reetool_patterns"
ELEMENT_OVERRIDE = "reetool_element_override"
ORG_RULER = "reetool_orgs"
_ASSIGNS = ["doc.ents", "token.ent_iob", "token.ent_type"]


def org_patterns(vocab: Vocab) -> list[dict[str, str]]:
    """Entity ruler patterns for the known organizations, each with its canonical id."""
    return OrgDirectory.load(vocab).patterns()


def make_fix_ents(nlp: Language, name: str) -> FixEnts:
    """Factory of ``reetool_fix_ents``; its knowledge comes with ``initialize``."""
    return FixEnts()


def make_patterns(nlp: Language, name: str) -> Patterns:
    """Factory of ``reetool_patterns``; its knowledge comes with ``initialize``."""
    return Patterns()


def make_element_override(nlp: Language, name: str) -> ElementOverride:
    """Factory of ``reetool_element_override``."""
    return ElementOverride()


def register_factories() -> None:
    """Register the rule factories with spaCy (idempotent; spaCy is imported only here).

    Each declares what it reads and writes, so ``nlp.analyze_pipes()`` can check the order."""
    from spacy.language import Language

    for factory, func in ((FIX_FACTORY, make_fix_ents), (PATTERN_FACTORY, make_patterns)):
        if not Language.has_factory(factory):
            Language.factory(factory, assigns=_ASSIGNS, requires=["doc.ents"])(func)
    if not Language.has_factory(ELEMENT_OVERRIDE):
        Language.factory(ELEMENT_OVERRIDE, requires=["doc.ents", "doc.spans"], assigns=["doc.ents"])(
            make_element_override
        )


def add_rule_components(nlp: Language, vocab: Vocab) -> None:
    """Add every rule component after the statistical ``ner``, in the documented order,
    each initialized with what it needs of ``vocab`` (one :class:`Knowledge` for both
    rule components)."""
    from reetool import elements

    register_factories()
    know = Knowledge.from_vocab(vocab)
    cast(FixEnts, nlp.add_pipe(FIX_FACTORY)).initialize(nlp=nlp, knowledge=know)
    ruler: Any = nlp.add_pipe(
        "entity_ruler", name=ORG_RULER, config={"overwrite_ents": True, "phrase_matcher_attr": "ORTH"}
    )
    # The ruler runs the pipes before it over each pattern text; matching on ORTH needs
    # only the tokenizer, so the statistical NER is kept out of that (a second of load).
    with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n != ORG_RULER]):
        ruler.add_patterns(org_patterns(vocab))
    cast(Patterns, nlp.add_pipe(PATTERN_FACTORY)).initialize(nlp=nlp, knowledge=know)
    elements.add_to_pipeline(nlp, vocab)
    nlp.add_pipe(ELEMENT_OVERRIDE)
