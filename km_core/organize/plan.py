"""From an item and its tags to a move plan: the first rule that matches names the destination.

Template values come from the item and its tags, so they may hold anything a
document does (``../../etc``, ``a/b``, NUL, 300 characters): each value is
sanitised into one safe folder or file name before it is placed, and the
engine checks again that the result is inside the library (``safety``).
"""

from __future__ import annotations

import fnmatch
import os
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from km_core.api import Item, MovePlan, Tag
from km_core.organize.rules import MoveRule, OrganizeConfig

NAME_BYTES = 255  # the longest file name most file systems take
VALUE_BYTES = 100  # a folder named from a tag is cut here (UTF-8 bytes), so a path stays readable
_RESERVED = re.compile(
    r"^(con|prn|aux|nul|conin\$|conout\$|com[\d¹²³]|lpt[\d¹²³])(\s*\..*)?$", re.IGNORECASE
)  # Windows device names
# C0 and C1 controls, separators, characters Windows forbids, and invisible or direction
# marks that make a name read as something it is not ("\u202etxt.exe")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f/\\<>:"|?*\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+')
_SKIP_KINDS = ("type", "status")  # not what a folder is named after


def sanitise(value: str, limit: int = VALUE_BYTES) -> str:
    """One safe path component: no separators or control characters, no dots-only or
    reserved names, at most ``limit`` characters; '' when nothing usable is left."""
    cleaned = _UNSAFE.sub("-", value)
    cleaned = re.sub(r"\s+", " ", cleaned).strip(" .-")
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    cleaned = cleaned.encode()[:limit].decode(errors="ignore").rstrip(" .-")  # bytes: what file systems count
    if _RESERVED.match(cleaned.strip()):
        cleaned = "_" + cleaned
    return cleaned


def fit_name(name: str, limit: int = NAME_BYTES) -> str:
    """A file name cut to ``limit`` bytes of UTF-8, keeping its extension."""
    if len(name.encode()) <= limit:
        return name
    stem, ext = os.path.splitext(name)
    if len(ext.encode()) > 20:
        stem, ext = name, ""
    room = limit - len(ext.encode())
    return stem.encode()[:room].decode(errors="ignore").rstrip(" .") + ext


def _age_days(item: Item, now: float) -> float:
    return (now - item.mtime_ns / 1e9) / 86_400


def _tag_names(tags: Sequence[Tag]) -> dict[str, Tag]:
    return {t.name.casefold(): t for t in tags if t.kind not in ("entity",) or t.source != "mentions"}


def _under(path: str, folder: str) -> bool:
    folder = os.path.expanduser(folder).rstrip("/")
    if any(ch in folder for ch in "*?["):
        return fnmatch.fnmatch(path, folder) or fnmatch.fnmatch(path, folder + "/*")
    return path == folder or path.startswith(folder + "/")


def why_matches(rule: MoveRule, item: Item, tags: Sequence[Tag], now: float) -> str | None:
    """What made ``rule`` match ``item`` (for the change log), or None if a condition fails."""
    names = _tag_names(tags)
    found: list[str] = []
    if rule.tags_all:
        if not all(t.casefold() in names for t in rule.tags_all):
            return None
        found.append("tags " + ", ".join(rule.tags_all))
    if rule.tags_any:
        hit = [t for t in rule.tags_any if t.casefold() in names]
        if not hit:
            return None
        found.append("tag " + hit[0])
    if rule.type:
        kind = next((t.name for t in tags if t.kind == "type"), "")
        if kind.casefold() not in {t.casefold() for t in rule.type}:
            return None
        found.append("type " + kind)
    if rule.entity:
        entities = {t.name.casefold(): t.name for t in tags if t.kind == "entity"}
        hit = [entities[e.casefold()] for e in rule.entity if e.casefold() in entities]
        if not hit:
            return None
        found.append("mentions " + hit[0])
    if rule.location:
        where = next((loc for loc in rule.location if _under(item.path, loc)), None)
        if where is None:
            return None
        found.append("in " + where)
    if rule.extension:
        if item.ext.lower().lstrip(".") not in rule.extension:
            return None
        found.append("extension " + item.ext.lower().lstrip("."))
    age = _age_days(item, now)
    if (rule.older_than_days and age < rule.older_than_days) or (rule.newer_than_days and age >= rule.newer_than_days):
        return None
    if rule.older_than_days or rule.newer_than_days:
        found.append(f"{age:.0f} days old")
    if (rule.min_size and item.size < rule.min_size) or (rule.max_size and item.size > rule.max_size):
        return None
    if rule.min_size or rule.max_size:
        found.append(f"{item.size:,} bytes")
    return ", ".join(found) or "no conditions (every item)"


def values(rule: MoveRule, item: Item, tags: Sequence[Tag]) -> dict[str, str]:
    """Each placeholder's value for this item, sanitised ('' when the item has none)."""
    stamp = datetime.fromtimestamp(item.mtime_ns / 1e9, UTC) if item.mtime_ns else datetime.now(UTC)
    names = _tag_names(tags)
    wanted = rule.tags_any or rule.tags_all
    tag = next((names[t.casefold()].name for t in wanted if t.casefold() in names), "")
    if not tag:
        ranked = sorted(
            (t for t in tags if t.kind not in (*_SKIP_KINDS, "entity")), key=lambda t: (-t.primary, -t.weight)
        )
        tag = ranked[0].name if ranked else ""
    entities = sorted((t for t in tags if t.kind == "entity"), key=lambda t: (-t.primary, -t.weight, -t.count))
    stem, ext = os.path.splitext(item.name)
    return {
        "year": f"{stamp.year:04d}",
        "month": f"{stamp.month:02d}",
        "tag": sanitise(tag),
        "type": sanitise(next((t.name for t in tags if t.kind == "type"), "")),
        "entity": sanitise(entities[0].name if entities else ""),
        "name": sanitise(stem, NAME_BYTES),
        "ext": sanitise(ext.lstrip("."), 20),
    }


def render(rule: MoveRule, item: Item, tags: Sequence[Tag], library: str) -> str | None:
    """The absolute destination path for ``item``, or None when a value it needs is empty."""
    given = values(rule, item, tags)
    parts = []
    for raw_part in rule.destination.replace("\\", "/").split("/"):
        if not raw_part:
            continue
        # placeholders are filled one part at a time: a value can never add a folder
        needed = [p for p in given if "{" + p + "}" in raw_part]
        if any(not given[p] and p != "ext" for p in needed):
            return None
        # cut below: a file name keeps its extension (fit_name), a folder name is cut at the end
        part = sanitise(raw_part.format(**given), 4 * NAME_BYTES).rstrip(".")
        if not part:
            return None
        parts.append(part)
    if not rule.names_file:
        parts.append(item.name)
    parts = [sanitise(p, NAME_BYTES) for p in parts[:-1]] + [fit_name(parts[-1])]
    if not all(parts):
        return None
    return str(Path(os.path.expanduser(library)).joinpath(*parts))


def plan_for(config: OrganizeConfig, item: Item, tags: Sequence[Tag], now: float | None = None) -> MovePlan | None:
    """The first rule that matches and can name a destination, as a move plan."""
    now = time.time() if now is None else now
    for rule in config.rules:
        why = why_matches(rule, item, tags, now)
        if why is None:
            continue
        destination = render(rule, item, tags, config.library)
        if destination is None:
            continue  # a placeholder this item has no value for: the next rule may fit
        return MovePlan(item.id, item.path, destination, rule=rule.name, reason=f"rule '{rule.name}': {why}")
    return None
