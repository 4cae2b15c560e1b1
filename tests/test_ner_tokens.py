"""The rules' token view agrees with spaCy's own answers, and the rule components get
their knowledge through ``initialize``, not through folders written into the config."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from reetool.ner_fix import FixEnts
from reetool.ner_knowledge import Knowledge
from reetool.ner_patterns import Patterns
from reetool.ner_tokens import Lexicon, Tokens, doc_text, make_doc, token_ent_ids
from reetool.vocab import Vocab

NLP = spacy.blank("en")
KNOW = Knowledge.from_vocab(Vocab.load())
LEXICON = Lexicon(KNOW)

# words, spaces, tabs, line breaks, punctuation, curly quotes and accents: what news holds
_TEXT = st.lists(
    st.sampled_from([*"aZ9 \t\n.,-'’()Ééß", "Li", "Bo", "CEO", "Group", "  ", "3M", "\u00a0"]), max_size=30
).map("".join)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_the_view_reads_what_spacy_reads(text: str) -> None:
    doc = NLP.make_doc(text)
    view = Tokens(doc, LEXICON)
    assert doc_text(doc) == view.text == doc.text
    kept = make_doc(NLP, text)  # the text kept by whoever made the doc is the same string
    assert doc_text(kept) == Tokens(kept, LEXICON).text == kept.text
    assert view.space == [bool(t.whitespace_) for t in doc]
    assert view.idx == [t.idx for t in doc]
    for lex, tok in zip(view.lex, doc, strict=True):
        assert (lex.text, lex.lower_, lex.is_title, lex.is_upper, lex.is_stop, lex.like_num) == (
            tok.text,
            tok.lower_,
            tok.is_title,
            tok.is_upper,
            tok.is_stop,
            tok.like_num,
        )
        assert lex.nameish == KNOW.is_nameish(tok) and lex.org_word == KNOW.is_org_word(tok)
    for s in range(len(doc)):
        for e in range(s, len(doc) + 1):
            assert view.span_text(s, e) == doc[s:e].text


def test_entity_ids_are_read_per_token() -> None:
    doc = NLP("The China Rare Earth Group met Lynas.")
    doc.ents = [doc.char_span(4, 26, label="ORG", span_id="CREG"), doc.char_span(31, 36, label="ORG")]
    ids = token_ent_ids(doc)
    assert [NLP.vocab.strings[ids[e.start]] if ids[e.start] else "" for e in doc.ents] == [
        e.ent_id_ for e in doc.ents
    ] == ["CREG", ""]


def test_a_component_without_knowledge_says_so() -> None:
    doc = NLP("Chairman Li Bo spoke.")
    for component in (FixEnts(), Patterns()):
        with pytest.raises(RuntimeError, match="not initialized"):
            component(doc)
        component.initialize(knowledge=KNOW)
        component(doc)


def test_the_pipeline_config_names_no_folders(extractor) -> None:
    config = extractor.nlp.config.to_str()
    assert "vocab_dirs" not in config
    for folder in extractor.vocab.dirs:
        assert str(folder) not in config


def test_a_users_vocab_reaches_the_rules(tmp_path) -> None:
    """A title only the user's vocab knows is cut off the name: the vocab went through
    ``initialize`` to both rule components."""
    from reetool.document import Document
    from reetool.extractor import load_extractor

    (tmp_path / "titles.txt").write_text("Vizier\n", encoding="utf-8")
    text = "Vizier Jafar Hakim opened the plant."
    people = {
        e.text
        for e in load_extractor(vocab=str(tmp_path)).extract_one(Document("t.txt", text)).entities
        if e.label == "PERSON"
    }
    assert people == {"Jafar Hakim"}


def test_components_sharing_a_lexicon_read_a_doc_once_and_a_new_doc_anew() -> None:
    lexicon = Lexicon(KNOW)
    first, second = FixEnts(KNOW), Patterns(KNOW)
    first.lexicon = second.lexicon = lexicon
    doc = NLP.make_doc("Lynas Rare Earths chief Amanda Lacaze said so.")
    view = first.tokens(doc)
    assert second.tokens(doc) is view
    other = NLP.make_doc("Lynas Rare Earths chief Amanda Lacaze said so.")
    assert second.tokens(other) is not view
    assert second.tokens(other).text == view.text
