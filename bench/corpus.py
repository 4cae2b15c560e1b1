"""Build a deterministic benchmark corpus of rare earth news in the shapes scrapers save.

Why generated: the five seeds are too few to time anything, and the benchmark must be
re-runnable anywhere without downloads. Documents are built from templates (varied
companies, people, places, dates, element names) mixed with sentences taken from the
clean parts of the seeds, then saved as plain text, HTML pages, or WordPress REST JSON
(single posts and arrays), some damaged with the two kinds of mojibake seen in the wild.

The same ``(n, seed)`` always gives byte-identical files, so runs on different days and
machines measure the same work. Usage: ``python3 bench/corpus.py 1000 bench/out/corpus-1000``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import random
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
VERSION = 1


def generator_digest() -> str:
    """Hash of this file and the seeds: a cached corpus is reused only if neither changed."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted(SEEDS.iterdir()):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()[:16]


# Share of documents per container shape; "wp_array" posts are grouped 2-5 to a file.
SHAPES = (("text", 0.40), ("html", 0.25), ("wp_single", 0.20), ("wp_array", 0.15))
# Share of documents damaged, per kind (the rest are clean UTF-8).
DAMAGE = (("cp1252", 0.15), ("tis620", 0.10))
WORDS_MIN, WORDS_MAX = 300, 800

COMPANIES = (
    "Lynas Rare Earths",
    "MP Materials",
    "Iluka Resources",
    "Energy Fuels",
    "Neo Performance Materials",
    "USA Rare Earth",
    "Arafura Rare Earths",
    "China Northern Rare Earth Group",
    "Shenghe Resources",
    "China Rare Earth Group",
    "Solvay",
    "Ucore Rare Metals",
    "Vulcan Elements",
    "Noveon Magnetics",
    "Aclara Resources",
    "Rare Element Resources",
    "Mkango Resources",
    "Hastings Technology Metals",
    "Pensana",
    "Rainbow Rare Earths",
    "Torngat Metals",
    "Australian Strategic Materials",
    "Northern Minerals",
    "Meteoric Resources",
    "Ionic Rare Earths",
    "Phoenix Tailings",
    "Less Common Metals",
    "Niron Magnetics",
    "Lanthanein Resources",
    "Northcliff Magnetics Corp",
    "Baotou Steel Rare-Earth",
    "JL Mag Rare-Earth",
    "Ningbo Yunsheng",
    "Shin-Etsu Chemical",
    "Hitachi Metals",
    "General Motors",
    "Tesla",
    "Siemens Gamesa",
    "Toyota Tsusho",
    "Sojitz",
)
AGENCIES = (
    "the Department of Energy",
    "the Department of Defense",
    "the Ministry of Industry and Information Technology",
    "the European Commission",
    "the International Energy Agency",
    "Geoscience Australia",
    "the U.S. Geological Survey",
    "the China Rare Earth Industry Association",
    "Natural Resources Canada",
    "the Japan Organization for Metals and Energy Security",
    "the Export-Import Bank of the United States",
)
FIRST = (
    "James",
    "Amanda",
    "Wei",
    "Li",
    "Hiroshi",
    "Sarah",
    "David",
    "Nicholas",
    "Rebecca",
    "Zhang",
    "Olga",
    "Pierre",
    "Aisha",
    "Carlos",
    "Mei",
    "Thomas",
    "Priya",
    "Jonathan",
    "Elena",
    "Kenji",
    "Fatima",
    "Michael",
    "Chen",
    "Laura",
    "Rahul",
    "Ingrid",
    "Tariq",
    "Sofia",
    "Daniel",
    "Yuki",
)
LAST = (
    "Smith",
    "Lacaze",
    "Zhang",
    "Wang",
    "Tanaka",
    "O’Connor",
    "Litinsky",
    "Curtin",
    "Müller",
    "Chen",
    "Nakamura",
    "Dubois",
    "Okafor",
    "García",
    "Liu",
    "Henderson",
    "Sharma",
    "Kowalski",
    "Rossi",
    "Ivanova",
    "Fischer",
    "Nguyen",
    "Haddad",
    "Andersson",
    "Moreau",
    "Sato",
    "Clarke",
    "Patel",
)
TITLES = (
    "chief executive",
    "CEO",
    "chairman",
    "managing director",
    "chief financial officer",
    "head of research",
    "senior analyst",
    "vice president of operations",
    "founder",
    "minister",
)
PLACES = (
    "Australia",
    "China",
    "the United States",
    "Canada",
    "Malaysia",
    "Brazil",
    "Vietnam",
    "Greenland",
    "Inner Mongolia",
    "Jiangxi",
    "Texas",
    "California",
    "Western Australia",
    "Quebec",
    "Myanmar",
    "Japan",
    "South Korea",
    "Germany",
    "France",
    "Estonia",
    "Kazakhstan",
    "Tanzania",
    "Malawi",
    "South Africa",
    "Saudi Arabia",
    "India",
    "Chile",
    "Sweden",
    "Norway",
    "Mongolia",
)
ELEMENTS = (
    "neodymium",
    "praseodymium",
    "dysprosium",
    "terbium",
    "lanthanum",
    "cerium",
    "samarium",
    "yttrium",
    "europium",
    "gadolinium",
    "holmium",
    "erbium",
    "lutetium",
    "scandium",
    "NdPr",
    "neodymium-praseodymium oxide",
    "heavy rare earths",
    "light rare earths",
)
PRODUCTS = (
    "permanent magnets",
    "NdFeB magnets",
    "separated oxides",
    "metal alloys",
    "mixed carbonate",
    "concentrate",
    "magnet-grade metal",
    "catalysts",
    "phosphors",
    "polishing powders",
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
QUARTERS = ("first", "second", "third", "fourth")
FACILITIES = ("refinery", "separation plant", "magnet factory", "processing hub", "mine", "pilot plant")

# Curly quotes, dashes, accents and symbols on purpose: they are what mojibake damages.
TEMPLATES = (
    "{company} said on {date} that it had signed an offtake agreement with {company2} for {element} "
    "{product} from its {place} {facility}.",
    "“We are building a supply chain that does not depend on a single country,” said {person}, "
    "{title} of {company}.",
    "{person}, {title} at {company}, told reporters in {place} that output of {element} would double by "
    "{year}.",
    "Prices for {element} rose {pct}% in {month} — the sharpest monthly gain since {year0}.",
    "{agency} awarded {company} a ${amount} million grant on {date} to expand its {facility} in {place}.",
    "Analysts at {company2} expect demand for {product} to grow {pct}% a year through {year}.",
    "The {facility} in {place} is expected to reach nameplate capacity in the {quarter} quarter of {year}.",
    "{company}’s shares climbed {pct}% after the announcement, according to data compiled on {date}.",
    "In {month} {year}, {place} tightened export controls on {element} and related technologies.",
    "{person} said the company’s {element} feedstock would come from {place} – a first for the industry.",
    "The agreement, signed in {place} on {weekday}, covers {tonnes} tonnes of {element} a year.",
    "{company} and {company2} announced a joint venture to process {element} in {place}.",
    "Under the deal, {company} will supply {product} to {company2} starting {month} {day}, {year}.",
    "{agency} said on {weekday} it would review the {place} project’s environmental permit by {year}.",
    "Production of {element} at the {facility} fell to {tonnes} tonnes in the {quarter} quarter.",
    "“Our customers want traceable {element},” {person} said in an interview on {date}.",
    "{company} © {year} reported revenue of ${amount} million, up {pct}% from a year earlier.",
    "The report by {agency} flagged {element} and {element2} as critical materials for {year}.",
    "Engineers at {company} tested a new solvent-extraction circuit for {element} at its café-sized pilot "
    "line in {place}.",
    "Supply of {element} remains tight, with {place} accounting for {pct}% of global refining.",
    "{person}, a former {title} of {company2}, joined the board of {company} on {date}.",
    "Talks between {company} and {agency} continued through {month}, people familiar said.",
)

_ASCII_SENTENCE = re.compile(r"^[\x20-\x7e]+$")


@dataclass(frozen=True)
class Plan:
    """What one document will be: its shape and the damage applied to it."""

    shape: str
    damage: str


def seed_sentences(seeds: Path = SEEDS) -> list[str]:
    """Clean sentences from the seeds (the JSON post, clean text, and undamaged ASCII lines).

    Only sentences that need no repair are kept, so that the generator does not depend on
    reetool's cleaner (which the benchmark measures).
    """
    out: list[str] = []
    for path in sorted(seeds.iterdir()):
        raw = path.read_text("utf-8")
        if raw.lstrip().startswith("{"):
            body = json.loads(raw)["content"]["rendered"]
            body = html.unescape(re.sub(r"<[^>]+>", " ", body))
            clean = True
        else:
            body = raw
            clean = "โ" not in raw and "ร" not in raw
        for sent in re.split(r"(?<=[.!?])\s+", body.replace("\n", " ")):
            sent = " ".join(sent.split()).lstrip("- ")
            if len(sent.split()) >= 8 and sent.endswith(".") and (clean or _ASCII_SENTENCE.match(sent)):
                out.append(sent)
    return sorted(set(out))


def _date(rng: random.Random) -> str:
    month, day, year = rng.choice(MONTHS), rng.randint(1, 28), rng.randint(2022, 2027)
    return rng.choice((f"{month} {day}, {year}", f"{day} {month} {year}", f"{rng.choice(WEEKDAYS)}"))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _sentence(rng: random.Random) -> str:
    company, company2 = rng.sample(COMPANIES, 2)
    element, element2 = rng.sample(ELEMENTS, 2)
    year = rng.randint(2024, 2032)
    return rng.choice(TEMPLATES).format(
        company=company,
        company2=company2,
        element=element,
        element2=element2,
        product=rng.choice(PRODUCTS),
        place=rng.choice(PLACES),
        facility=rng.choice(FACILITIES),
        person=_person(rng),
        title=rng.choice(TITLES),
        agency=rng.choice(AGENCIES),
        date=_date(rng),
        weekday=rng.choice(WEEKDAYS),
        month=rng.choice(MONTHS),
        day=rng.randint(1, 28),
        quarter=rng.choice(QUARTERS),
        year=year,
        year0=year - rng.randint(2, 12),
        pct=rng.randint(2, 85),
        amount=rng.randint(5, 900),
        tonnes=f"{rng.randint(1, 60) * 500:,}",
    )


def article(rng: random.Random, seeds: list[str]) -> tuple[str, list[str]]:
    """A title and paragraphs of 300-800 words: about a quarter of sentences from the seeds."""
    target = rng.randint(WORDS_MIN, WORDS_MAX)
    title = f"{rng.choice(COMPANIES)} {rng.choice(('expands', 'signs', 'delays', 'targets', 'wins'))} " + (
        f"{rng.choice(ELEMENTS)} {rng.choice(PRODUCTS)} deal in {rng.choice(PLACES)}"
    )
    paragraphs: list[str] = []
    words = 0
    while words < target:
        para = []
        for _ in range(rng.randint(2, 5)):
            sent = rng.choice(seeds) if seeds and rng.random() < 0.25 else _sentence(rng)
            para.append(sent)
            words += len(sent.split())
        paragraphs.append(" ".join(para))
    return title, paragraphs


def damage(text: str, kind: str) -> str:
    """Apply the mojibake a broken scraper would: UTF-8 bytes read as cp1252 or TIS-620."""
    if kind == "cp1252":
        # "Sloppy" cp1252 as browsers do it: the five undefined bytes map to C1 controls.
        return text.encode("utf-8").decode("latin-1").translate(_CP1252_HIGH)
    if kind == "tis620":
        return text.encode("utf-8").decode("tis-620", errors="ignore")
    return text


def _cp1252_char(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


# latin-1 and cp1252 differ only in 0x80-0x9F; map those (defined ones) to cp1252's characters.
_CP1252_HIGH = {b: _cp1252_char(b) for b in range(0x80, 0xA0)}


def _pick(rng: random.Random, table: tuple[tuple[str, float], ...], default: str) -> str:
    r = rng.random()
    for name, share in table:
        if r < share:
            return name
        r -= share
    return default


def _html_page(title: str, paragraphs: list[str], date: str, rng: random.Random) -> str:
    body = "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} | Rare Earth Wire</title>"
        "<style>body{font-family:sans-serif}.nav a{margin:0 4px}</style>"
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}</script>"
        '</head><body>\n<nav class="nav"><a href="/">Home</a><a href="/news">News</a>'
        '<a href="/prices">Prices</a><a href="/subscribe">Subscribe</a></nav>\n'
        f'<article><h1>{html.escape(title)}</h1><p class="byline">By {_person(rng)} &middot; {date}</p>\n'
        f'{body}\n<figure><img src="/img/{rng.randint(1000, 9999)}.jpg" alt="plant">'
        "<figcaption>File photo.</figcaption></figure></article>\n"
        "<footer><p>&copy; 2026 Rare Earth Wire. All rights reserved.</p>"
        '<p>Share: <a href="#">Twitter</a> <a href="#">LinkedIn</a></p></footer>\n</body></html>\n'
    )


def _text_page(title: str, paragraphs: list[str], rng: random.Random) -> str:
    highlights = "".join(f"- {p.split('. ')[0].rstrip('.')}.\n" for p in paragraphs[:3])
    return f"{title}\n\nHighlights\n{highlights}\n" + "\n\n".join(paragraphs) + "\n"


def _wp_post(title: str, paragraphs: list[str], date: str, post_id: int, slug: str) -> dict:
    return {
        "id": post_id,
        "date": date,
        "date_gmt": date,
        "modified": date,
        "slug": slug,
        "status": "publish",
        "type": "post",
        "link": f"https://example.com/news/{slug}/",
        "title": {"rendered": html.escape(title, quote=False)},
        "content": {
            "rendered": "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs),
            "protected": False,
        },
        "excerpt": {"rendered": f"<p>{html.escape(paragraphs[0][:160], quote=False)}</p>"},
        "author": post_id % 17,
        "categories": [3, 11],
    }


def build(n: int, out: Path, seed: int = 20260101) -> dict:
    """Write ``n`` documents into ``out`` (replaced) and return the manifest also saved there.

    ``words`` counts the words of each clean article (title + body) so that words/s is the
    same measure for every tool, whatever container or damage the file carries.
    """
    rng = random.Random(f"{seed}:{n}")
    seeds = seed_sentences()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    shapes: Counter[str] = Counter()
    damages: Counter[str] = Counter()
    words = files = docs = 0
    while docs < n:
        plan = Plan(_pick(rng, SHAPES, "text"), _pick(rng, DAMAGE, "none"))
        count = min(rng.randint(2, 5), n - docs) if plan.shape == "wp_array" else 1
        if plan.shape == "wp_array" and count < 2:
            plan = Plan("wp_single", plan.damage)
        posts = []
        for _ in range(count):
            title, paragraphs = article(rng, seeds)
            words += len(title.split()) + sum(len(p.split()) for p in paragraphs)
            year, month, day = rng.randint(2023, 2026), rng.randint(1, 12), rng.randint(1, 28)
            date = f"{year}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
            posts.append((title, paragraphs, date))
        name = f"{files:06d}"
        if plan.shape == "text":
            title, paragraphs, _ = posts[0]
            path, content = out / f"{name}.txt", _text_page(title, paragraphs, rng)
        elif plan.shape == "html":
            title, paragraphs, date = posts[0]
            path, content = out / f"{name}.html", _html_page(title, paragraphs, date[:10], rng)
        else:
            objs = [
                _wp_post(t, p, d, 10000 + docs + i, re.sub(r"[^a-z0-9]+", "-", t.lower()).strip("-"))
                for i, (t, p, d) in enumerate(posts)
            ]
            payload = objs[0] if plan.shape == "wp_single" else objs
            # Scrapers save WordPress JSON under any name: use .json for some, .txt for others.
            suffix = ".json" if rng.random() < 0.5 else ".txt"
            path, content = out / f"{name}{suffix}", json.dumps(payload, ensure_ascii=rng.random() < 0.5)
        path.write_text(damage(content, plan.damage), encoding="utf-8")
        shapes[plan.shape] += count
        damages[plan.damage] += count
        docs += count
        files += 1
    manifest = {
        "version": VERSION,
        "generator": generator_digest(),
        "seed": seed,
        "documents": docs,
        "files": files,
        "words": words,
        "shapes": dict(sorted(shapes.items())),
        "damage": dict(sorted(damages.items())),
    }
    (out.parent / f"{out.name}.manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def ensure(n: int, out: Path, seed: int = 20260101) -> dict:
    """Reuse a corpus already built with the same parameters, else build it."""
    path = out.parent / f"{out.name}.manifest.json"
    if path.exists() and out.is_dir():
        manifest = json.loads(path.read_text())
        same = (manifest.get("generator"), manifest.get("seed"), manifest.get("documents"))
        if same == (generator_digest(), seed, n):
            return manifest
    return build(n, out, seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of documents")
    parser.add_argument("out", type=Path, help="folder to (re)create")
    parser.add_argument("--seed", type=int, default=20260101)
    args = parser.parse_args(argv)
    print(json.dumps(build(args.n, args.out, args.seed), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
