"""The user's tag rules (``[[tag_rules]]`` in km.toml): keyword, regex, path glob or entity -> tag.

    [[tag_rules]]
    tag = "finance"
    keyword = "invoice"        # or: regex = "\\bVAT\\b" / path = "~/Documents/Bank/*" / entity = "Acme Corp"
    name = "invoices are finance"   # optional; shown in `why`
    weight = 1.0                    # optional

Rules are checked when the config loads; an error names the rule and the fix.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from km_core.api import Item, Tag
from km_core.errors import ConfigError

MATCHERS = ("keyword", "regex", "path", "entity")
MAX_COUNT = 1000


@dataclass
class TagRule:
    tag: str
    keyword: str = ""
    regex: str = ""
    path: str = ""
    entity: str = ""
    name: str = ""
    weight: float = 1.0
    _pattern: re.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @property
    def matcher(self) -> tuple[str, str]:
        return next((m, getattr(self, m)) for m in MATCHERS if getattr(self, m))

    @property
    def label(self) -> str:
        kind, value = self.matcher
        return self.name or f"{kind} {value!r} -> {self.tag}"


def parse_rules(file: str, raw: Any) -> list[TagRule]:
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise ConfigError(
            file, "tag_rules", "expected an array of tables", 'write each rule as [[tag_rules]] tag = "..."'
        )
    known = [f.name for f in fields(TagRule) if not f.name.startswith("_")]
    rules = []
    for index, table in enumerate(raw):
        where = f"tag_rules[{index}]"
        for key, value in table.items():
            if key not in known:
                raise ConfigError(file, f"{where}.{key}", "unknown key", f"a rule takes: {', '.join(known)}")
            wanted = float if key == "weight" else str
            if not isinstance(value, wanted) and not (wanted is float and isinstance(value, int)):
                raise ConfigError(file, f"{where}.{key}", f"expected a {wanted.__name__}, got {value!r}", "fix it")
        rule = TagRule(**table)
        if not rule.tag.strip():
            raise ConfigError(file, f"{where}.tag", "missing", 'name the tag the rule gives, e.g. tag = "finance"')
        given = [m for m in MATCHERS if getattr(rule, m)]
        if len(given) != 1:
            raise ConfigError(
                file,
                where,
                f"needs exactly one of {', '.join(MATCHERS)}, got {', '.join(given) or 'none'}",
                "split it into one rule per condition",
            )
        if not 0 < rule.weight <= 1:
            raise ConfigError(file, f"{where}.weight", f"expected a number in (0, 1], got {rule.weight}", "fix it")
        if rule.regex:
            try:
                rule._pattern = re.compile(rule.regex)
            except re.error as exc:
                raise ConfigError(file, f"{where}.regex", f"not a valid regular expression: {exc}", "fix it") from None
        if rule.keyword:
            rule._pattern = re.compile(rf"(?<!\w){re.escape(rule.keyword)}(?!\w)", re.IGNORECASE)
        rules.append(rule)
    return rules


def apply(rules: Sequence[TagRule], item: Item, text: str, title: str, entities: Sequence[Tag]) -> list[Tag]:
    """The tags the user's rules give this item, each saying which rule and what it found."""
    tags = []
    names = {e.name.casefold(): e for e in entities}
    for rule in rules:
        kind, value = rule.matcher
        found = ""
        if rule._pattern is not None:
            count = sum(1 for _ in zip(range(MAX_COUNT), rule._pattern.finditer(f"{title}\n{text}"), strict=False))
            if count:
                found = f"{kind} {value!r} found {count} time{'s' if count > 1 else ''}"
        elif kind == "path" and _path_matches(value, item.path):
            found = f"path matches {value!r}"
        elif kind == "entity" and value.casefold() in names:
            entity = names[value.casefold()]
            found = f"mentions {entity.label} {entity.name!r} ({entity.count}x)"
        if found:
            tags.append(Tag(rule.tag, "rule", rule.weight, "rules", True, f"rule '{rule.label}': {found}"))
    return tags


def _path_matches(pattern: str, path: str) -> bool:
    """A pattern with no folder matches the file name; one with a folder the whole path (``*`` spans folders)."""
    pattern = os.path.expanduser(pattern)
    if "/" not in pattern:
        return fnmatch.fnmatch(os.path.basename(path), pattern)
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern.rstrip("/") + "/*")
