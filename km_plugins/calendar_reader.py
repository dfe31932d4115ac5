"""A pure reader for iCalendar (.ics) files: events in, plain records out.

Nothing here touches the graph, the config or the network, so the importer
that uses it can be tested on real calendars and the reader can be reused.

Time rules, chosen so every record can be compared and sorted as-is:

* every ``start``/``end`` is a timezone-aware UTC ``datetime``; all-day
  events start at midnight UTC of their date and end at midnight UTC of the
  (exclusive) end date;
* ``X-WR-TIMEZONE`` is honoured through :func:`x_wr_timezone.to_standard`:
  floating *and* UTC times of such a calendar are moved into that zone (that is
  how Google means them, and it keeps a series' wall-clock time across DST), so
  ``timezone`` names the calendar's zone for them;
* floating times in a calendar without ``X-WR-TIMEZONE`` are this computer's
  local time (``timezone`` is ``''``), as calendar apps show them;
* a ``TZID`` that neither a ``VTIMEZONE`` nor the IANA database (nor icalendar's
  own Windows-name table, e.g. "W. Europe Standard Time") resolves is taken as
  UTC, and a :class:`CalendarProblem` says so.

Single events are returned whatever their date (history is knowledge); only
recurring series need the ``[start, end)`` window, which bounds their expansion.
Damage is reported as :class:`CalendarProblem` values, never raised.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events
import x_wr_timezone
from icalendar.prop import vDDDLists, vDDDTypes
from icalendar.prop.broken import vBroken
from icalendar.timezone import tzid_from_dt

#: Properties whose loss changes the record; a broken one is reported.
_USED = {"DTSTART", "DTEND", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "SUMMARY", "LOCATION", "STATUS"}
_DATE_PROPS = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")
_Report = Callable[[str, str], None]  # (component, error) -> None


MAX_OCCURRENCES = 2000  # of one series in one run


@dataclass(slots=True)
class EventRecord:
    """One event, or one occurrence of a series, in UTC."""

    id: str
    uid: str
    summary: str
    start: datetime
    end: datetime
    all_day: bool
    timezone: str
    location: str
    attendees: list[str]
    organizer: str
    calendar: str
    description: str
    status: str
    recurring: bool
    file: str


@dataclass(slots=True)
class CalendarProblem:
    """Something in a file that could not be imported (fully)."""

    file: str
    component: str
    error: str


def calendar_files(path: Path) -> list[Path]:
    """An .ics file itself, or every *.ics under a folder (recursive, sorted)."""
    path = Path(path)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() == ".ics" and p.is_file())
    return [path] if path.suffix.lower() == ".ics" and path.is_file() else []


def read_calendar(path: Path, start: datetime, end: datetime) -> tuple[list[EventRecord], list[CalendarProblem]]:
    """Events of one .ics file: single events and finite series all, endless series within [start, end).

    Naive window bounds are taken as UTC. The records are sorted by start;
    two records with the same id keep the last one read.
    """
    path = Path(path)
    problems: list[CalendarProblem] = []

    def problem(component: str, error: str) -> None:
        problems.append(CalendarProblem(str(path), component, error))

    try:
        return _read(path, _as_utc(start), _as_utc(end), problem), problems
    except Exception as exc:  # a last guard: a reader bug must cost one file, not the import
        problem("calendar", f"unexpected failure: {_short(exc)}")
        return [], problems


def _read(path: Path, start: datetime, end: datetime, problem: _Report) -> list[EventRecord]:
    """read_calendar's work; problems go to ``problem`` as they are found."""
    text = _read_text(path, problem)
    if text is None:
        return []
    try:
        calendar = icalendar.Calendar.from_ical(text)
        if not isinstance(calendar, icalendar.Calendar):
            raise ValueError(f"top-level component is {calendar.name}, not VCALENDAR")
    except Exception as exc:  # icalendar raises ValueError and friends for anything malformed
        problem("calendar", f"not a readable iCalendar file: {_short(exc)}")
        return []

    # Repair or drop damaged VEVENTs *before* x-wr-timezone and the expander see them.
    kept: list[icalendar.cal.Component] = []
    for component in calendar.subcomponents:
        try:
            if component.name == "VEVENT" and not _usable(component, problem):
                continue
        except Exception as exc:  # damage icalendar did not flag: lose this event only
            problem(_label(component), f"event skipped: {_short(exc)}")
            continue
        kept.append(component)
    calendar.subcomponents = kept
    try:
        calendar = x_wr_timezone.to_standard(calendar)
    except Exception as exc:  # e.g. X-WR-TIMEZONE naming an unknown zone
        problem("calendar", f"X-WR-TIMEZONE ignored: {_short(exc)}")

    name = str(calendar.get("X-WR-CALNAME") or "") or path.stem
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    series_uids = {str(c.get("UID", "")) for c in events if _is_series(c)}
    series_uids.discard("")
    records: dict[str, EventRecord] = {}

    def add(component: icalendar.cal.Component, recurring: bool) -> None:
        try:
            record = _record(component, path, name, recurring)
        except Exception as exc:  # one bad component must not cost the others
            problem(_label(component), _short(exc))
            return
        records.pop(record.id, None)
        records[record.id] = record

    by_uid: dict[str, list[icalendar.cal.Component]] = {}
    for component in events:
        uid = str(component.get("UID", ""))
        if _is_series(component) or uid in series_uids:
            by_uid.setdefault(uid or f"#{id(component)}", []).append(component)
        else:
            add(component, recurring=False)
    if by_uid:
        zones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
        for members in by_uid.values():  # one query per series: a broken one stays alone
            sub = icalendar.Calendar()
            sub.subcomponents = [*zones, *members]
            try:
                occurrences = _occurrences(sub, members, start, end, problem)
            except Exception as exc:
                problem(_label(members[0]), f"series not expanded: {_short(exc)}")
                continue
            for occurrence in occurrences:
                add(occurrence, recurring=True)
    return sorted(records.values(), key=lambda r: (r.start, r.id))


def _finite(members: list[icalendar.cal.Component]) -> bool:
    """A series that ends by itself (every RRULE has COUNT or UNTIL; RDATEs and overrides only)."""
    for component in members:
        rules = component.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules]:
            if rule and "COUNT" not in rule and "UNTIL" not in rule:
                return False
    return True


def _occurrences(
    sub: icalendar.Calendar, members: list[icalendar.cal.Component], start: datetime, end: datetime, problem: _Report
) -> list[icalendar.cal.Component]:
    """A finite series whole (its history is knowledge, like a single event's), an endless one
    within [start, end); either way at most MAX_OCCURRENCES, so that one FREQ=MINUTELY line
    cannot fill the memory (655,260 occurrences in a year)."""
    query = recurring_ical_events.of(sub)
    if _finite(members):
        found = list(itertools.islice(query.all(), MAX_OCCURRENCES + 1))
    else:
        # slices that double while they are sparse: a daily series costs a dozen queries, a
        # minutely one stops after two (``after`` would build every occurrence since the first)
        found, low, span = [], start, timedelta(days=1)
        while low < end and len(found) <= MAX_OCCURRENCES:
            high = min(low + span, end)
            found += query.between(low, high)
            low, span = high, span * 2 if len(found) < MAX_OCCURRENCES // 2 else span
        found = list({id(o): o for o in found}.values())
    if len(found) > MAX_OCCURRENCES:
        problem(_label(members[0]), f"only the first {MAX_OCCURRENCES} occurrences kept")
    return found[:MAX_OCCURRENCES]


def _read_text(path: Path, problem: _Report) -> str | None:
    """The file's text: UTF-8 (BOM allowed), else Latin-1, which decodes any byte."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem("calendar", f"cannot read file: {exc.strerror or exc}")
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _usable(component: icalendar.cal.Component, problem: _Report) -> bool:
    """Drop broken properties, pin unknown zones to UTC; False if the event is lost.

    icalendar keeps unparsable values as ``vBroken`` (listed in
    ``component.errors``); any access to ``.dt`` on them raises, also inside
    recurring-ical-events, so they are removed here. Only what changes the
    record is reported: a broken DTSTAMP or CREATED costs nothing we keep.
    """
    label = _label(component)
    lost: list[str] = []
    for key in list(component.keys()):
        values = component[key] if isinstance(component[key], list) else [component[key]]
        good = [v for v in values if not isinstance(v, vBroken)]
        if len(good) == len(values):
            continue
        lost.extend(f"{key} {str(v)!r}" for v in values if isinstance(v, vBroken) and key in _USED)
        if good:
            component[key] = good if len(good) > 1 else good[0]
        else:
            del component[key]
    if "DTSTART" not in component:
        problem(label, "event skipped: " + ("unparsable " + ", ".join(lost) if lost else "no DTSTART"))
        return False
    if lost:
        problem(label, "ignored unparsable " + ", ".join(lost))
    unknown = _normalise_times(component)
    if unknown:
        problem(label, f"unknown time zone {', '.join(sorted(unknown))}: times taken as UTC")
    return True


def _normalise_times(component: icalendar.cal.Component) -> set[str]:
    """Fix two icalendar readings in place; return the TZIDs nothing resolved.

    * a TZID that resolves to nothing leaves the time naive: pin it to UTC,
      or x-wr-timezone would move it into the calendar's zone instead;
    * ``VALUE=DATE`` together with a TZID (SabreDAV writes that) comes back as
      local midnight: make it the date it says, so the event stays all-day.
    """
    unknown: set[str] = set()

    def fix(moment: date | datetime, params: Any) -> date | datetime:
        if not isinstance(moment, datetime):
            return moment
        if str(params.get("VALUE", "")).upper() == "DATE":
            return moment.date()
        if moment.tzinfo is None and params.get("TZID"):
            unknown.add(str(params["TZID"]))
            return moment.replace(tzinfo=UTC)
        return moment

    def fix_value(value: Any) -> Any:
        if isinstance(value, vDDDLists):
            moments = [fix(d.dt, value.params) for d in value.dts]
            fixed = vDDDLists(moments)
            if moments and not isinstance(moments[0], datetime):
                fixed.params["VALUE"] = "DATE"
            return fixed
        if isinstance(value, vDDDTypes):
            moment = fix(value.dt, value.params)
            return value if moment is value.dt else vDDDTypes(moment)
        return value

    for key in _DATE_PROPS:
        if key in component:
            value = component[key]
            component[key] = [fix_value(v) for v in value] if isinstance(value, list) else fix_value(value)
    return unknown


def _is_series(component: icalendar.cal.Component) -> bool:
    """RRULE (a non-empty one: Calendar Labs writes bare ``RRULE:``), RDATE or RECURRENCE-ID."""
    rules = component.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules]
    return any(rules) or "RDATE" in component or "RECURRENCE-ID" in component


def _record(component: icalendar.cal.Component, path: Path, calendar: str, recurring: bool) -> EventRecord:
    """Turn one VEVENT (or occurrence) into an EventRecord."""
    first = component["DTSTART"].dt
    all_day = not isinstance(first, datetime)
    start = _as_utc(first)
    if "DTEND" in component:
        end = _as_utc(component["DTEND"].dt)
    elif "DURATION" in component:
        end = start + component["DURATION"].dt
    else:
        end = start
    if all_day and end <= start:  # no DTEND, or DTEND == DTSTART (Calendar Labs): one day
        end = start + timedelta(days=1)
    uid = _text(component, "UID")
    summary = _text(component, "SUMMARY")
    # a single event keeps its id when it is moved to another time; an occurrence is its start
    key = (f"{uid}|{start.isoformat()}" if recurring else uid) if uid else f"{path.name}|{summary}|{start.isoformat()}"
    zone = "" if all_day or first.tzinfo is None else tzid_from_dt(first) or str(first.tzname() or "")
    return EventRecord(
        id="event:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20],
        uid=uid,
        summary=summary,
        start=start,
        end=max(end, start),  # a DTEND before DTSTART means nothing: zero length
        all_day=all_day,
        timezone=zone,
        location=_text(component, "LOCATION"),
        attendees=[_person(a) for a in _values(component, "ATTENDEE")],
        organizer=next((_person(o) for o in _values(component, "ORGANIZER")), ""),
        calendar=calendar,
        description=_text(component, "DESCRIPTION"),
        status=_text(component, "STATUS").upper(),
        recurring=recurring,
        file=str(path),
    )


def _as_utc(value: date | datetime) -> datetime:
    """Aware UTC: dates become midnight UTC; floating times are this computer's local time, as a
    calendar app shows them (astimezone reads a naive time as local)."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value.astimezone(UTC)


def _values(component: icalendar.cal.Component, key: str) -> list[Any]:
    value = component.get(key)
    return [] if value is None else value if isinstance(value, list) else [value]


def _text(component: icalendar.cal.Component, key: str) -> str:
    """A property as plain, unescaped text; '' when absent (icalendar unescapes \\, \\;)."""
    values = _values(component, key)
    return str(values[0]).strip() if values else ""


def _person(value: Any) -> str:
    """The CN of an ATTENDEE/ORGANIZER, else its address without 'mailto:'."""
    name = str(getattr(value, "params", {}).get("CN", "")).strip().strip('"')
    if name:
        return name
    address = str(value).strip()
    return address[7:] if address.lower().startswith("mailto:") else address


def _label(component: icalendar.cal.Component) -> str:
    summary = _text(component, "SUMMARY")
    return f"{component.name} '{summary or _text(component, 'UID')}'"


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
