"""Tagging: the engine's side of ``km_tag``: merging proposals, rules, types, topics, storage."""

from __future__ import annotations

# Document types a `type` tag may name. Screenshots take their class from the OCR step
# (km_plugins.screenshot_classes.LABELS) instead.
DOCUMENT_TYPES = (
    "invoice",
    "receipt",
    "contract",
    "cv",
    "meeting-notes",
    "article",
    "manual",
    "letter",
    "code",
    "spreadsheet",
    "other",
)
SCREENSHOT_TYPES = ("infographic", "quote", "chart", "code", "conversation", "document", "other")
TYPES = tuple(dict.fromkeys(DOCUMENT_TYPES + SCREENSHOT_TYPES))
