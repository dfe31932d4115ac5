"""Merging what every tagger proposed for one item into the tags km stores.

The same tag from several taggers becomes one edge: its weight combines theirs
(``1 - Π(1 - w)``: two weak votes make a stronger one, never above 1), its
source and why list each of them. One document type is kept (the user's,
then the OCR step's, then the strongest proposal), entities become Entity
nodes and the strongest few also tags, and the rest are ranked by weight.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from km_core.api import Tag

MAX_NAME = 80
ENTITY_TAGS = 3  # the most mentioned entities that also become tags
ENTITY_TAG_MIN_COUNT = 2
# When two kinds propose the same name, the node is described by the stronger kind.
KIND_RANK = {"status": 0, "keyword": 1, "entity": 2, "topic": 3, "type": 4, "rule": 5, "manual": 6}
_SPACE = re.compile(r"\s+")


def tag_name(name: str) -> str:
    """Tags are compared and stored casefolded with single spaces: "Invoices  2024" is "invoices 2024"."""
    return _SPACE.sub(" ", name).strip().casefold()[:MAX_NAME]


def entity_id(label: str, name: str) -> str:
    return f"{label}:{_SPACE.sub(' ', name).strip().casefold()}"


@dataclass
class Kept:
    """A tag the tag step does not own (the user's, the OCR step's, a status): left as it is."""

    name: str
    kind: str
    source: str
    primary: bool


@dataclass
class Merged:
    tags: list[Tag] = field(default_factory=list)
    entities: list[Tag] = field(default_factory=list)
    doc_type: str = ""


def combine(proposals: Sequence[Tag]) -> Tag:
    """One tag from several proposals of the same name."""
    first = max(proposals, key=lambda t: (KIND_RANK.get(t.kind, 1), t.weight))
    if len(proposals) == 1:
        return Tag(tag_name(first.name), first.kind, round(first.weight, 4), first.source, first.primary, first.why)
    remaining = 1.0
    for tag in proposals:
        remaining *= 1.0 - min(max(tag.weight, 0.0), 1.0)
    sources = sorted({t.source for t in proposals if t.source})
    why = "; ".join(f"{t.source}: {t.why}" if t.source else t.why for t in proposals if t.why)
    return Tag(
        tag_name(first.name),
        first.kind,
        round(1.0 - remaining, 4),
        "+".join(sources),
        any(t.primary for t in proposals),
        why,
    )


def _pick_type(
    proposals: Sequence[Tag], kept: Sequence[Kept], learned: Tag | None, min_probability: float
) -> tuple[Tag | None, str]:
    """(the type tag to write, or None when a kept one stands; the item's type)."""
    for source in ("manual", "ocr"):
        for tag in kept:
            if tag.kind == "type" and tag.source == source:
                return None, tag.name
    if learned is not None and learned.weight >= min_probability:
        return learned, learned.name
    if not proposals:
        return None, ""
    best = max(proposals, key=lambda t: t.weight)
    agreeing = [t for t in proposals if tag_name(t.name) == tag_name(best.name)]
    if learned is not None:
        agreeing.append(learned)  # below the bar on its own, still a vote for what it agrees with
        agreeing = [t for t in agreeing if tag_name(t.name) == tag_name(best.name)]
    chosen = combine(agreeing)
    chosen.primary = True
    return chosen, chosen.name


def merge(
    proposals: Iterable[Tag],
    kept: Sequence[Kept] = (),
    learned: Tag | None = None,
    min_probability: float = 0.6,
    max_secondary: int = 20,
) -> Merged:
    """The tags to write for one item, given every proposal and the tags already kept."""
    proposals = [t for t in proposals if t.name and tag_name(t.name)]
    result = Merged()
    entities = [t for t in proposals if t.kind == "entity"]
    type_tag, result.doc_type = _pick_type([t for t in proposals if t.kind == "type"], kept, learned, min_probability)
    result.entities = _entities(entities)
    others = [t for t in proposals if t.kind not in ("type", "entity")]
    others += _entity_tags(result.entities)
    taken = {k.name for k in kept}
    if type_tag is not None:
        taken.add(type_tag.name)
        result.tags.append(type_tag)
    groups: dict[str, list[Tag]] = {}
    for tag in others:
        groups.setdefault(tag_name(tag.name), []).append(tag)
    combined = [combine(group) for name, group in groups.items() if name not in taken]
    primary = [t for t in combined if t.primary or t.kind == "rule"]
    for tag in primary:
        tag.primary = True
    secondary = sorted((t for t in combined if not t.primary), key=lambda t: (-t.weight, t.name))
    result.tags += primary + secondary[:max_secondary]
    return result


def _entities(proposals: Sequence[Tag]) -> list[Tag]:
    """Entity proposals merged by (label, name ignoring case), mentions added up."""
    merged: dict[str, Tag] = {}
    for tag in proposals:
        key = entity_id(tag.label or "THING", tag.name)
        if key in merged:
            have = merged[key]
            have.count += max(tag.count, 1)
            have.weight = max(have.weight, tag.weight)
            have.why = f"{have.why}; {tag.source}: {tag.why}"
        else:
            merged[key] = Tag(
                _SPACE.sub(" ", tag.name).strip()[:MAX_NAME],
                "entity",
                tag.weight,
                tag.source,
                False,
                tag.why,
                tag.label or "THING",
                max(tag.count, 1),
            )
    return sorted(merged.values(), key=lambda t: (-t.count, t.name))


def _entity_tags(entities: Sequence[Tag]) -> list[Tag]:
    strong = [e for e in entities if e.count >= ENTITY_TAG_MIN_COUNT][:ENTITY_TAGS]
    return [Tag(e.name, "entity", e.weight, e.source, False, e.why) for e in strong]
