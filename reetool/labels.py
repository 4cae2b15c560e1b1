"""The entity labels reetool produces, in the order tables show them, and their colours.

One list for the extractor (which labels it keeps), the reports (which columns they
show) and the renderers (which colour a label gets); colours follow displaCy's.
"""

from __future__ import annotations

#: The labels the extractor produces, in the order tables show their counts.
LABELS = ("PERSON", "ORG", "GPE", "DATE", "ELEMENT")
