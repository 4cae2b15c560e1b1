"""Reporter stage for people: rich tables, highlighted text, bar charts, HTML pages.

Machine-readable output (JSON lines, JSON, CSV) lives in :mod:`reetool.output`.
"""

from __future__ import annotations
