"""The export's formats (``kompass export --format``), apart from the export itself so that the
command line offers them without importing the database code."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"
    pdf = "pdf"
