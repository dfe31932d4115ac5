"""Built-in timeline links: events to what happened during them or on their day, by time and by words.

- ``during``: a file, note or photo created, modified or taken while a timed
  event ran (score 1);
- ``same_day``: on the day of an event (all-day events: on any of its days), or
  a photo or note and the files, notes and photos of its day (closer is higher);
- ``keyword``: an event's summary words found in a file or note.

Every edge says why: the moment and the event's time, or the words. Limits
per item and kind keep a six-week holiday from linking to everything in it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from km_core import Item, JobContext, Relation, hookimpl

NAME = "timeline"
DEFAULTS = {"top_k": 5, "keyword_min_words": 2}
DAY = 86_400.0
KINDS = ("note", "event", "photo")

_MOMENTS = {
    "File": "MATCH (f:File) WHERE f.status IN ['ok', 'empty', 'encrypted'] "
    "RETURN f.id, f.created AS a, f.modified AS b, to_timestamp(f.mtime_ns / 1000000000.0) AS c",
    "Note": "MATCH (f:Note) WHERE f.status IN ['ok', 'encrypted'] "
    "RETURN f.id, f.created AS a, f.modified AS b, NULL AS c",
    "Photo": "MATCH (f:Photo) WHERE f.status = 'ok' RETURN f.id, f.taken AS a, NULL AS b, NULL AS c",
}
_WHAT = {
    "File": ("created", "modified", "file modified"),
    "Note": ("created", "modified", ""),
    "Photo": ("taken", "", ""),
}


def _stamp(value: Any) -> float | None:
    if not isinstance(value, datetime):
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _local_day(stamp: float) -> date:
    return datetime.fromtimestamp(stamp).date()


class Timeline:
    """Every dated moment of files, notes and photos, and every event's span, sorted for bisecting."""

    def __init__(self, graph: Any) -> None:
        moments: list[tuple[float, str, str]] = []
        for table, query in _MOMENTS.items():
            for item, *values in graph.rows(query):
                seen: set[float] = set()
                for value, what in zip(values, _WHAT[table], strict=True):
                    stamp = _stamp(value)
                    if stamp is not None and what and stamp not in seen:
                        seen.add(stamp)
                        moments.append((stamp, item, what))
        moments.sort()
        self.moments = moments
        self.own: dict[str, list[tuple[float, str]]] = {}
        for stamp, item, what in moments:
            self.own.setdefault(item, []).append((stamp, what))
        self.times = [m[0] for m in moments]
        events = []
        rows = graph.rows(
            "MATCH (e:Event) WHERE e.status = 'ok' RETURN e.id, e.start, e.`end`, e.all_day, e.summary, e.text"
        )
        for item, start, end, all_day, summary, text in rows:
            begin = _stamp(start)
            if begin is None:
                continue
            finish = max(_stamp(end) or begin, begin)
            events.append((begin, finish, item, bool(all_day), summary or "", text or summary or ""))
        events.sort()
        self.events = events
        self.event_starts = [e[0] for e in events]
        self.by_id = {e[2]: e for e in events}
        self.longest = max((e[1] - e[0] for e in events), default=0.0)

    def near(self, low: float, high: float) -> range:
        return range(bisect.bisect_left(self.times, low), bisect.bisect_right(self.times, high))


def _days(begin: float, finish: float, all_day: bool) -> tuple[date, date]:
    """(first, last) calendar day an event covers: all-day dates are stored at midnight UTC."""
    if all_day:
        first = datetime.fromtimestamp(begin, UTC).date()
        last = datetime.fromtimestamp(max(finish - 1, begin), UTC).date()
        return first, last
    return _local_day(begin), _local_day(max(finish - 1, begin))


def classify(event: tuple[float, float, str, bool, str, str], stamp: float) -> str:
    """'during', 'same_day' or '' for a moment and an event."""
    begin, finish, _, all_day, _, _ = event
    if not all_day and begin <= stamp < max(finish, begin + 1):
        return "during"
    first, last = _days(begin, finish, all_day)
    return "same_day" if first <= _local_day(stamp) <= last else ""


def _when(event: tuple[float, float, str, bool, str, str]) -> str:
    begin, finish, _, all_day, summary, _ = event
    if all_day:
        first, last = _days(begin, finish, True)
        span = first.isoformat() if first == last else f"{first.isoformat()} to {last.isoformat()}"
        return f"'{summary}' ({span}, all day)"
    start = datetime.fromtimestamp(begin).strftime("%Y-%m-%d %H:%M")
    return f"'{summary}' ({start} to {datetime.fromtimestamp(finish).strftime('%H:%M')})"


def _shown(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def event_links(timeline: Timeline, event_id: str, k: int) -> list[Relation]:
    event = timeline.by_id.get(event_id)
    if event is None:
        return []
    begin, finish = event[0], event[1]
    counts = {"during": 0, "same_day": 0}
    found: list[Relation] = []
    done: set[tuple[str, str]] = set()
    middle = (begin + finish) / 2
    hits = sorted(timeline.near(begin - DAY, finish + DAY), key=lambda i: abs(timeline.times[i] - middle))
    for i in hits:
        stamp, item, what = timeline.moments[i]
        kind = classify(event, stamp)
        if not kind or counts[kind] >= k or (item, kind) in done:
            continue
        counts[kind] += 1
        done.add((item, kind))
        score = 1.0 if kind == "during" else round(max(0.1, 1 - abs(stamp - middle) / (finish - begin + 2 * DAY)), 4)
        why = f"{what} {_shown(stamp)}, {'during' if kind == 'during' else 'on the day of'} {_when(event)}"
        found.append(Relation(event_id, item, kind, score, why))
    return found


def moment_links(timeline: Timeline, item_id: str, k: int) -> list[Relation]:
    """A note or photo: the events its moments fall in or on, and the other items of its day."""
    own = timeline.own.get(item_id, [])
    found: list[Relation] = []
    counts = {"during": 0, "same_day": 0, "items": 0}
    taken: set[tuple[str, str]] = set()
    for stamp, what in own:
        low = bisect.bisect_left(timeline.event_starts, stamp - timeline.longest - DAY)
        high = bisect.bisect_right(timeline.event_starts, stamp + DAY)
        for event in timeline.events[low:high]:
            kind = classify(event, stamp)
            if kind and counts[kind] < k and (event[2], kind) not in taken:
                counts[kind] += 1
                taken.add((event[2], kind))
                why = f"{what} {_shown(stamp)}, {'during' if kind == 'during' else 'on the day of'} {_when(event)}"
                found.append(Relation(event[2], item_id, kind, 1.0 if kind == "during" else 0.5, why))
        day = _local_day(stamp)
        near = sorted(timeline.near(stamp - DAY, stamp + DAY), key=lambda i: abs(timeline.times[i] - stamp))
        for i in near:
            other_stamp, other, other_what = timeline.moments[i]
            if other == item_id or _local_day(other_stamp) != day or (other, "same_day") in taken:
                continue
            if counts["items"] >= k:
                break
            counts["items"] += 1
            taken.add((other, "same_day"))
            why = f"{what} {_shown(stamp)}, the other's {other_what} {_shown(other_stamp)}"
            found.append(Relation(item_id, other, "same_day", round(1 - abs(other_stamp - stamp) / DAY, 4), why))
    return found


def keyword_links(graph: Any, timeline: Timeline, ids: Sequence[str], k: int, min_words: int) -> list[Relation]:
    if not hasattr(graph, "containing"):
        return []
    queries = {i: timeline.by_id[i][4] for i in ids if i in timeline.by_id and timeline.by_id[i][4].strip()}
    found = []
    for event_id, hits in graph.containing(queries, min_words, k).items():
        for other, share, words in hits:
            why = f"the words of {_when(timeline.by_id[event_id])} are in it: {', '.join(words[:6])}"
            found.append(Relation(event_id, other, "keyword", share, why))
    return found


@hookimpl
def km_relate(items: Sequence[Item], graph: Any, ctx: JobContext) -> list[Relation] | None:
    mine = [item for item in items if item.kind in KINDS]
    if not mine:
        return None
    k = int(ctx.setting(NAME, "top_k", DEFAULTS["top_k"]))
    min_words = int(ctx.setting(NAME, "keyword_min_words", DEFAULTS["keyword_min_words"]))
    timeline = Timeline(graph)
    relations: list[Relation] = []
    events = [item.id for item in mine if item.kind == "event"]
    for item in mine:
        if item.kind == "event":
            relations += event_links(timeline, item.id, k)
        else:
            relations += moment_links(timeline, item.id, k)
    relations += keyword_links(graph, timeline, events, k, min_words)
    return relations
