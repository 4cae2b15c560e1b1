"""The entity labels reetool produces, in the order tables show them, and their colours.

One list for the extractor (which labels it keeps), the reports (which columns they
show) and the renderers (which colour a label gets); colours follow displaCy's.
"""

from __future__ import annotations

#: The labels the extractor produces, in the order tables show their counts.
LABELS = ("PERSON", "ORG", "GPE", "DATE", "ELEMENT")

#: Label colours, displaCy's where it has them; other labels get :data:`DEFAULT_COLOR`.
COLORS = {
    "ORG": "#7aecec",
    "PERSON": "#aa9cfc",
    "GPE": "#feca74",
    "DATE": "#bfe1d9",
    "ELEMENT": "#ff9561",
}
DEFAULT_COLOR = "#ddd"


def color(label: str) -> str:
    """The CSS colour of a label."""
    return COLORS.get(label, DEFAULT_COLOR)


def terminal_style(label: str) -> str:
    """The rich style of a label: black text on the label's colour (six hex digits,
    which every terminal colour model can approximate)."""
    c = color(label)
    if len(c) == 4:  # "#ddd" -> "#dddddd"
        c = "#" + "".join(ch * 2 for ch in c[1:])
    return f"black on {c}"

#: Labels of records that relate entities rather than name one: a ROLE gives a person a
#: title and an organization (:mod:`reetool.roles`). ``--type`` accepts them too.
RELATIONS = ("ROLE",)
