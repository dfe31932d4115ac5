"""The user's organising rules (``[organize]`` and ``[[organize.rules]]`` in km.toml).

    [organize]
    library = "~/Documents/Library"       # every destination is inside it
    do_not_move = ["*/Projects/*", "Keep"]
    settle_minutes = 10
    on_conflict = "rename"                # or "skip"

    [[organize.rules]]
    name = "invoices by year"
    type = "invoice"                      # conditions: all that are given must hold
    destination = "Finance/{year}/{month}"

Rules are checked when the config loads; an error names the rule, the key and the fix.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from km_core.errors import ConfigError

PLACEHOLDERS = ("year", "month", "tag", "type", "entity", "name", "ext")
CONFLICTS = ("rename", "skip")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2}
_UNITS |= {"g": 1000**3, "gb": 1000**3, "gib": 1024**3, "t": 1000**4, "tb": 1000**4, "tib": 1024**4}


@dataclass
class MoveRule:
    """One rule: conditions on an item, and where an item that meets them all goes."""

    name: str
    destination: str
    tags_all: list[str] = field(default_factory=list)
    tags_any: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    entity: list[str] = field(default_factory=list)
    location: list[str] = field(default_factory=list)
    extension: list[str] = field(default_factory=list)
    older_than_days: float = 0.0
    newer_than_days: float = 0.0
    min_size: int = 0
    max_size: int = 0

    @property
    def names_file(self) -> bool:
        """Whether the destination's last part names the file ("{name}.{ext}", "{year}-{name}.pdf");
        without ``{name}`` it is a folder ("Notes/{ext}") and the file keeps its name."""
        return "{name}" in PurePosixPath(self.destination).name


@dataclass
class OrganizeConfig:
    """Where organised files go and what is never moved."""

    library: str = ""
    do_not_move: list[str] = field(default_factory=list)
    settle_minutes: float = 10.0
    on_conflict: str = "rename"
    rules: list[MoveRule] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return bool(self.library and self.rules)


_LISTS = ("tags_all", "tags_any", "type", "entity", "location", "extension", "do_not_move")
_NUMBERS = ("older_than_days", "newer_than_days", "settle_minutes")
_SIZES = ("min_size", "max_size")
_RULE_KEYS = ("name", "destination", *_LISTS[:-1], *_NUMBERS[:-1], *_SIZES)
_SECTION_KEYS = ("library", "do_not_move", "settle_minutes", "on_conflict", "rules")


def parse_organize(file: str, raw: Any) -> OrganizeConfig:
    if not isinstance(raw, dict):
        raise ConfigError(file, "organize", f"expected a table [organize], got {raw!r}", "write it as [organize]")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _SECTION_KEYS:
            raise ConfigError(file, f"organize.{key}", "unknown key", f"[organize] takes: {', '.join(_SECTION_KEYS)}")
        if key == "rules":
            continue
        values[key] = _value(file, f"organize.{key}", key, value)
    config = OrganizeConfig(**values)
    if config.library:
        expanded = os.path.expanduser(config.library)
        if not os.path.isabs(expanded):
            raise ConfigError(
                file, "organize.library", f"{config.library!r} is not absolute", 'write it as "~/Documents/Library"'
            )
        # resolved like the paths km stores, so a library reached through a symlink is still "inside"
        config.library = os.path.realpath(expanded)
    if config.on_conflict not in CONFLICTS:
        raise ConfigError(
            file, "organize.on_conflict", f"expected rename or skip, got {config.on_conflict!r}", "pick one"
        )
    rules = raw.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError(
            file, "organize.rules", "expected an array of tables", "write each rule as [[organize.rules]]"
        )
    config.rules = [_rule(file, f"organize.rules[{i}]", table) for i, table in enumerate(rules)]
    if config.rules and not config.library:
        raise ConfigError(
            file, "organize.library", "missing: rules need a library folder", 'set library = "~/Documents/Library"'
        )
    names = [r.name for r in config.rules]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(file, "organize.rules", f"two rules named {twice[0]!r}", "give each rule its own name")
    return config


def _value(file: str, key: str, leaf: str, value: Any) -> Any:
    if leaf in _LISTS:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(file, key, f"expected a string or a list of strings, got {value!r}", f'{leaf} = ["..."]')
        return [v.strip() for v in value]
    if leaf in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(file, key, f"expected a number of at least 0, got {value!r}", f"{leaf} = 30")
        return float(value)
    if leaf in _SIZES:
        return _size(file, key, value)
    if not isinstance(value, str):
        raise ConfigError(file, key, f"expected a string, got {value!r}", f'{leaf} = "..."')
    return value.strip()


def _size(file: str, key: str, value: Any) -> int:
    """Bytes from 1500, "10 MB" or "2 GiB"."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is None or match.group(2).lower() not in _UNITS:
        raise ConfigError(file, key, f'expected a size such as 1500 or "10 MB", got {value!r}', "fix the size")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _rule(file: str, where: str, table: dict[str, Any]) -> MoveRule:
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _RULE_KEYS:
            raise ConfigError(file, f"{where}.{key}", "unknown key", f"a rule takes: {', '.join(_RULE_KEYS)}")
        values[key] = _value(file, f"{where}.{key}", key, value)
    for needed in ("name", "destination"):
        if not values.get(needed):
            example = 'name = "invoices"' if needed == "name" else 'destination = "Finance/{year}"'
            raise ConfigError(file, f"{where}.{needed}", "missing", f"every rule needs one, e.g. {example}")
    rule = MoveRule(**values)
    rule.extension = [e.lower().lstrip(".") for e in rule.extension]
    check_template(file, f"{where}.destination", rule.destination)
    if rule.min_size and rule.max_size and rule.min_size > rule.max_size:
        raise ConfigError(file, f"{where}.min_size", "is above max_size", "swap them")
    if rule.older_than_days and rule.newer_than_days and rule.older_than_days >= rule.newer_than_days:
        raise ConfigError(file, f"{where}.older_than_days", "no item can be both that old and that new", "fix either")
    return rule


def check_template(file: str, key: str, template: str) -> None:
    """A destination is a relative path inside the library, with known placeholders."""
    if template.startswith(("/", "~", "\\")) or re.match(r"^[A-Za-z]:", template):
        raise ConfigError(file, key, f"{template!r} is not relative", "write it relative to the library folder")
    if any(part in ("..", ".") for part in re.split(r"[/\\]", template)):
        raise ConfigError(file, key, f"{template!r} steps out with '..' or '.'", "name folders inside the library")
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ConfigError(file, key, f"bad braces in {template!r}: {exc}", "write placeholders as {year}") from None
    for _, placeholder, spec, conversion in parsed:
        if placeholder is None:
            continue
        if placeholder not in PLACEHOLDERS or spec or conversion:
            raise ConfigError(
                file,
                key,
                f"unknown placeholder {{{placeholder}}}",
                f"use {', '.join('{' + p + '}' for p in PLACEHOLDERS)}",
            )


def known_placeholders(template: str) -> Sequence[str]:
    return [p for _, p, _, _ in string.Formatter().parse(template) if p]
