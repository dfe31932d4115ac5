"""Entities without a language model: what simple patterns can tell with some certainty.

Used when no spaCy model is installed. Finds organisations by their legal
suffix, people by their title, places in "City, ST 12345" addresses, and
e-mail domains as organisations.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from km_core import Tag

_CAP = r"[A-ZÀ-ÖØ-Þ][\w&'.-]*"
_ORG = re.compile(
    rf"\b((?:{_CAP}\s+){{0,4}}{_CAP}),?\s+(Inc\.?|Ltd\.?|LLC|GmbH|AG|S\.A\.|SA|Corp\.?|Corporation|Company|Co\.|"
    r"PLC|plc|Limited|sp\. z o\.o\.|B\.V\.|N\.V\.|University|Foundation|Institute|Bank)(?=\W|$)"
)
_ORG_FIRST = re.compile(rf"\b((?:University|Bank|Institute) of (?:{_CAP}\s?){{1,3}})")
_PERSON = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Dr|Prof|Sir|Dame)\.?\s+((?:{_CAP}\s+)?{_CAP})")
_PLACE = re.compile(rf"\b((?:{_CAP}\s){{0,2}}{_CAP}),\s+([A-Z]{{2}})\s+\d{{5}}(?:-\d{{4}})?\b")
# "Cashier: Emily Rodriguez", "| Insured name | Gabriel Diaz |": a role, then a name. Small models miss
# these in forms and receipts, where the layout, not the sentence, says what the words are.
_ROLE = re.compile(
    r"(?m)(?:^|[|:]|\s{2})[ \t]*(?i:cashier|customer|client|contact|attn|attention|estimator|agent|insured name|"
    r"name|owner|prepared by|signed by|sales ?person|served by|recipient|sender|patient|employee)"
    r"(?:[ \t]*[:|][ \t]*|[ \t]+)([A-Z][a-z]+(?:[ \t]+[A-Z][a-z]+){1,2}?)(?=[ \t]*(?:$|[|,;]|[ \t][A-Z]?[a-z]*\b))"
)
_EMAIL_DOMAIN = re.compile(r"\b[\w.+-]+@([A-Za-z0-9-]+)\.(?:[A-Za-z0-9-]+\.)*[A-Za-z]{2,}\b")
_COMMON_MAIL = frozenset({"gmail", "googlemail", "yahoo", "hotmail", "outlook", "icloud", "me", "gmx", "proton"})


def mentions(text: str) -> list[tuple[str, str]]:
    """(surface, km label) of every mention the patterns find."""
    found = [(f"{m.group(1)} {m.group(2)}", "ORG") for m in _ORG.finditer(text)]
    found += [(m.group(1), "ORG") for m in _ORG_FIRST.finditer(text)]
    found += [(m.group(1), "PERSON") for m in _PERSON.finditer(text)]
    found += [(m.group(1), "PERSON") for m in _ROLE.finditer(text)]
    found += [(m.group(1), "PLACE") for m in _PLACE.finditer(text)]
    found += [(m.group(1), "ORG") for m in _EMAIL_DOMAIN.finditer(text) if m.group(1).lower() not in _COMMON_MAIL]
    return found


def find(text: str) -> list[Tag]:
    from km_plugins.entities import clean_name, entity_tags

    counts: Counter[tuple[str, str]] = Counter()
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for surface, label in mentions(text):
        name = clean_name(surface)
        if len(name) >= 2:
            counts[(label, name.casefold())] += 1
            spellings[(label, name.casefold())][name] += 1
    return entity_tags(counts, spellings, "rules (no spaCy model)")
