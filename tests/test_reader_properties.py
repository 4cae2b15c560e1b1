"""Properties: whatever bytes or JSON arrive, the reader yields records and never raises.

About 3,000 examples in all (2,300 of raw bytes and JSON), kept to a few seconds.
"""

from __future__ import annotations

import codecs
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reetool.decode import BinaryFile, binary_kind, decode
from reetool.document import Failure, Source
from reetool.reader import parse_bytes


def fast(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=15,
)


def check_items(doc: str, data: bytes) -> list[Source | Failure]:
    out = list(parse_bytes(doc, data))
    assert out, "every input yields at least one record"
    for item in out:
        assert isinstance(item, (Source, Failure))
        assert item.doc.startswith(doc)
        if isinstance(item, Failure):
            assert item.reason and "\n" not in item.reason and len(item.reason) < 300
        else:
            assert item.markup in ("page", "html", "text")
            for field in (item.body, item.title, item.published, item.url):
                if field is not None:
                    field.encode("utf-8")  # no lone surrogates reach the writers
    return out


@fast(1500)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    check_items("doc", data)


@fast(300)
@given(st.sampled_from([b"[", b"{", b"\xef\xbb\xbf", b"\xff\xfe", b"<html>", b'{"text": "']), st.binary())
def test_bytes_behind_a_plausible_start_never_raise(prefix: bytes, data: bytes) -> None:
    check_items("doc", prefix + data)


@fast(400)
@given(json_values, st.booleans())
def test_arbitrary_json_never_raises(value: object, ascii_only: bool) -> None:
    check_items("doc", json.dumps(value, ensure_ascii=ascii_only).encode("utf-8"))


@fast(100)
@given(st.lists(json_values, min_size=1, max_size=6))
def test_arbitrary_json_lines_never_raise(values: list) -> None:
    data = "\n".join(json.dumps(v) for v in values).encode()
    check_items("doc", data)


posts = st.fixed_dictionaries(
    {
        "title": st.fixed_dictionaries({"rendered": st.text()}),
        "content": st.fixed_dictionaries({"rendered": st.text()}),
        "date": st.text(max_size=30),
        "link": st.text(max_size=30),
    }
)


@fast(150)
@given(st.lists(posts, min_size=1, max_size=4), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_wordpress_posts_round_trip(values: list[dict], encoding: str) -> None:
    data = json.dumps(values, ensure_ascii=False).encode(encoding, "surrogatepass")
    out = check_items("w", data)
    assert len(out) == len(values)
    for item, value in zip(out, values, strict=True):
        if any(0xD800 <= ord(c) <= 0xDFFF for v in value.values() for c in str(v)):
            continue  # lone surrogates are replaced; checked elsewhere
        assert isinstance(item, Source), item
        assert item.body == value["content"]["rendered"]
        assert item.title == value["title"]["rendered"]


printable = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1)


@fast(300)
@given(printable)
def test_utf8_text_decodes_unchanged(text: str) -> None:
    data = text.encode("utf-8")
    try:
        decoded = decode(data)
    except BinaryFile:
        assert binary_kind(data) is not None  # only a magic number ("%PDF-...") makes text binary
        return
    assert decoded.text == text.removeprefix("\ufeff")


@fast(300)
@given(st.binary(max_size=500))
def test_decode_never_invents_replacement_characters(data: bytes) -> None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)):
        return  # a broken UTF-16/32 code unit has no honest decoding
    try:
        text = decode(data).text
    except BinaryFile:
        return
    assert text.count("\ufffd") == data.count("\xef\xbf\xbd".encode("latin-1"))
