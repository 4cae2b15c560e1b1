"""Bytes -> str for whatever a scraper saved, without ever inventing U+FFFD.

Scraped folders mix UTF-8 (with and without a BOM), UTF-16 from Windows tools and
Windows-1252 from old CMSes, so the encoding is inferred from the bytes: a BOM wins,
then an obvious UTF-16 NUL pattern, then UTF-8, with any byte that is not valid UTF-8
read as Windows-1252. That last step keeps a file that is *mostly* UTF-8 with a few
stray cp1252 bytes intact instead of mojibaking every character in it.

Binary files (archives, images, PDFs) are recognised first by their magic numbers so
the user is told "binary file (gzip)" instead of seeing pages of garbage downstream.

The seeds' TIS-620 damage is valid UTF-8 and must come through unchanged here: it is
repaired by the cleaner, which has the context to do it.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# Looked up now rather than on first use: codec modules are imported lazily by Python,
# and doing it at import time keeps decoding free of surprises later (e.g. after a
# process has dropped privileges or the module path has gone away).
for _name in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be", "cp1252", "latin-1"):
    codecs.lookup(_name)


def _cp1252_table() -> list[str]:
    """Byte -> character for Windows-1252, with the five undefined bytes kept as C1 controls.

    This is what browsers do (WHATWG "windows-1252"), and it means no byte is ever lost
    or replaced: the cleaner can still see and repair it.
    """
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(b))
    return table


_CP1252 = _cp1252_table()
_CP1252_TABLE = "".join(_CP1252)  # a charmap: decoding with it runs in C and cannot fail
# Past this many invalid sequences the file is not "mostly UTF-8": read it all as cp1252.
MAX_UTF8_ERRORS = 1000
_WINDOW = 1 << 16


def _cp1252(data: bytes | memoryview) -> str:
    return codecs.charmap_decode(data, "strict", _CP1252_TABLE)[0]


def _utf8_then_cp1252(data: bytes) -> str:
    """UTF-8, with each invalid byte read as Windows-1252; plain cp1252 if errors abound.

    Decoding goes window by window because every UnicodeDecodeError carries a copy of
    the bytes it was given: errors in one huge buffer would make this quadratic. The
    error cap bounds the Python-level work on hostile input.
    """
    view = memoryview(data)
    parts: list[str] = []
    pos, errors, size = 0, 0, len(data)
    while pos < size:
        window = view[pos : pos + _WINDOW]
        final = pos + _WINDOW >= size
        try:
            text, used = codecs.utf_8_decode(window, "strict", final)
        except UnicodeDecodeError as exc:
            errors += 1
            if errors > MAX_UTF8_ERRORS:
                return _cp1252(data)
            parts.append(codecs.utf_8_decode(window[: exc.start], "strict", True)[0])
            parts.append(_cp1252(window[exc.start : exc.end]))
            pos += exc.end
            continue
        parts.append(text)
        pos += used
    return "".join(parts)


# Checked longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# (offset, magic, kind). Only formats a scraper folder plausibly holds.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x1f\x8b", "gzip"),
    (0, b"PK\x03\x04", "zip"),
    (0, b"PK\x05\x06", "zip"),
    (0, b"PK\x07\x08", "zip"),
    (0, b"\x89PNG\r\n\x1a\n", "png"),
    (0, b"\xff\xd8\xff", "jpeg"),
    (0, b"GIF87a", "gif"),
    (0, b"GIF89a", "gif"),
    (0, b"%PDF-", "pdf"),
    (0, b"BZh", "bzip2"),
    (0, b"\xfd7zXZ\x00", "xz"),
    (0, b"\x28\xb5\x2f\xfd", "zstd"),
    (0, b"7z\xbc\xaf\x27\x1c", "7z"),
    (0, b"\x7fELF", "ELF executable"),
    (0, b"SQLite format 3\x00", "SQLite database"),
    (257, b"ustar", "tar"),
)

# How much of the start of a file the heuristics look at (git uses 8000 bytes too).
SNIFF_BYTES = 8000
# Control bytes that never occur in text (tab, newlines, form feed and ESC excluded).
_CONTROL = bytes([*range(0x01, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20)])
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)


class BinaryFile(ValueError):
    """Raised for input that is not text; ``kind`` names the format, or the evidence when unknown."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        super().__init__(f"binary file ({kind})" if kind else "binary file")


@dataclass(frozen=True, slots=True)
class Decoded:
    """Decoded text plus what was inferred, so callers can map positions back to bytes."""

    text: str
    encoding: str
    bom: int = 0  # length of the byte order mark that was skipped


def binary_kind(data: bytes) -> str | None:
    """Return the name of a known binary format if ``data`` starts with its magic number."""
    for offset, magic, kind in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if kind == "bzip2" and not (len(data) > 3 and 0x31 <= data[3] <= 0x39):
                continue  # "BZh" alone is too common in text; bzip2 has a level digit next
            return kind
    return None


def _utf16_without_bom(sample: bytes) -> str | None:
    """Guess UTF-16 from the NUL pattern of mostly-ASCII text: every other byte is zero."""
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    if odd >= 0.4 * pairs and even <= 0.02 * pairs:
        return "utf-16-le"
    if even >= 0.4 * pairs and odd <= 0.02 * pairs:
        return "utf-16-be"
    return None


def _decode_exact(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode(data: bytes) -> Decoded:
    """Decode ``data`` to text, or raise :class:`BinaryFile`.

    Never raises anything else and never produces U+FFFD for Windows-1252 input; only a
    broken UTF-16/32 file (odd length, lone surrogate) gets replacement characters,
    because there is no honest way to guess the missing half of a code unit.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if encoding == "utf-8":
                text = _decode_exact(body, "utf-8")
                if text is not None:
                    return Decoded(text, "utf-8", len(bom))
                return Decoded(_utf8_then_cp1252(body), "windows-1252", len(bom))
            text = _decode_exact(body, encoding)
            if text is None and encoding == "utf-32-le":
                # FF FE 00 00 is also a UTF-16-LE BOM followed by U+0000.
                body, encoding, bom = data[2:], "utf-16-le", bom[:2]
                text = _decode_exact(body, encoding)
            if text is None:
                text = body.decode(encoding, "replace")
            return Decoded(text, encoding, len(bom))

    kind = binary_kind(data)
    if kind:
        raise BinaryFile(kind)

    sample = data[:SNIFF_BYTES]
    if 0 in sample:
        guess = _utf16_without_bom(sample)
        if guess:
            text = _decode_exact(data[: len(data) // 2 * 2], guess)
            if text is not None:
                return Decoded(text, guess)
        raise BinaryFile("contains NUL bytes")
    if sample and len(sample.translate(None, _NOT_CONTROL)) > 0.1 * len(sample):
        raise BinaryFile("control bytes, not text")

    text = _decode_exact(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    return Decoded(_utf8_then_cp1252(data), "windows-1252")


# ``<meta charset=...>`` or ``<meta http-equiv=Content-Type content="...; charset=...">``,
# looked for where the HTML standard's prescan looks (we allow a little more: some CMSes
# put a kilobyte of comments or scripts first).
_DECLARED = re.compile(rb"""<meta\b[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
_PRESCAN_BYTES = 4096
# Labels browsers read as windows-1252 (or a subset of it): our default already.
_AS_CP1252 = frozenset({"cp1252", "latin_1", "iso8859_1", "ascii"})
_DETECT_BYTES = 1 << 20


def declared_charset(data: bytes) -> str | None:
    """The Python codec of the charset an HTML page declares in its first bytes, if any."""
    m = _DECLARED.search(data, 0, _PRESCAN_BYTES)
    if not m:
        return None
    try:
        return codecs.lookup(m.group(1).decode("ascii")).name
    except LookupError:
        return None


def decode_html(data: bytes, decoded: Decoded) -> Decoded:
    """Re-read an HTML page that is not UTF-8 in the charset it declares, or, with no
    declaration, the one its bytes show (charset-normalizer, the detector requests and
    trafilatura use) unless Windows-1252 reads as well; ``decoded`` stands when it was
    exact or nothing fits better.

    A page declaring one charset but valid UTF-8 stays UTF-8, and one declaring UTF-8
    whose bytes are not was already read as UTF-8 with Windows-1252 for the odd bytes:
    both lies are common in saved pages, and the bytes are the better witness.
    """
    if decoded.encoding != "windows-1252" or decoded.bom:
        return decoded
    declared = declared_charset(data)
    if declared is not None and declared not in _AS_CP1252 and not declared.startswith("utf"):
        text = _decode_exact(data, declared)
        if text is not None:
            return Decoded(text, declared)
    if (declared is None or declared.startswith("utf")) and not _mostly_utf8(data[:_DETECT_BYTES]):
        from charset_normalizer import from_bytes

        matches = list(from_bytes(data[:_DETECT_BYTES]))
        names = [codecs.lookup(m.encoding).name for m in matches]
        # Windows-1252 among the candidates: the text reads as well in it, and browsers'
        # default wins (detectors cannot tell Western from Central European letters well).
        if names and not _AS_CP1252.intersection(names) and not names[0].startswith("utf"):
            text = _decode_exact(data, names[0])
            if text is not None:
                return Decoded(text, names[0])
    return decoded


def _mostly_utf8(data: bytes) -> bool:
    """Most bytes above ASCII sit in valid UTF-8 sequences: a UTF-8 page with a few stray
    Windows-1252 bytes, which :func:`decode` already reads right."""
    high = len(data) - len(data.translate(None, bytes(range(0x80, 0x100))))
    return data.decode("utf-8", "replace").count("\ufffd") * 2 < high
