"""Built-in calendar source: events from .ics files and folders (``km_discover`` for ``calendar``).

Where to read: ``[plugin.calendar] paths`` (files or folders of .ics, searched
recursively), or ``km job weekly --task=calendar --path FILE_OR_DIR``. On macOS
the default is ``~/Library/Calendars`` (Calendar.app's local store, which keeps
an .ics file per event for some accounts); elsewhere nothing is read until set.
Endless recurring events are expanded within a window (``past_days`` back and
``ahead_days`` ahead of today); single events and series that end are imported
whole, whatever their date. An occurrence that has left the window stays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from km_core import Item, JobContext, Source, hookimpl
from km_plugins._records import places, record_item, store_done, store_failed

NAME = "calendar"
log = logging.getLogger("km.calendar")
MACOS = ["~/Library/Calendars"]


@hookimpl
def km_discover(source: Source, ctx: JobContext) -> Iterator[Item] | None:
    if source.kind != "calendar":
        return None
    found = places(ctx, NAME, "paths", MACOS, source.path)
    if not found:
        log.info("calendar: nothing to read (set [plugin.calendar] paths, or use --path)")
        return None
    return _events(found, ctx)


def _events(found: list[Path], ctx: JobContext) -> Iterator[Item]:
    from km_plugins.calendar_reader import calendar_files, read_calendar

    now = datetime.now(UTC)
    start = now - timedelta(days=int(ctx.setting(NAME, "past_days", 365)))
    end = now + timedelta(days=int(ctx.setting(NAME, "ahead_days", 90)))
    window = [start.isoformat(), end.isoformat()]
    for place in found:
        for file in calendar_files(place):
            store = str(file.resolve())
            events, problems = read_calendar(file, start, end)
            fatal = [p for p in problems if p.component == "calendar"]
            if fatal and not events:
                log.error("calendar %s cannot be read: %s", file, fatal[0].error)
                yield store_failed(store, fatal[0].error)
                continue
            said = []
            for problem in problems:
                log.warning("calendar %s: %s skipped: %s", file.name, problem.component, problem.error)
                said.append(f"{file.name}: {problem.component}: {problem.error}")
            for event in events:
                record = {
                    "summary": event.summary,
                    "start": event.start,
                    "end": event.end,
                    "all_day": event.all_day,
                    "timezone": event.timezone,
                    "location": event.location,
                    "attendees": event.attendees,
                    "organizer": event.organizer,
                    "calendar": event.calendar,
                    "description": event.description,
                    "event_status": event.status,
                    "recurring": event.recurring,
                    "uid": event.uid,
                    "file": event.file,
                    "store": store,
                    "text": "\n".join(filter(None, [event.summary, event.location, event.description])),
                }
                yield record_item(event.id, "event", store, record, NAME)
            series = sorted({event.uid for event in events if event.recurring and event.uid})
            yield store_done(store, said, window=window, series=series)
        if place.is_dir():  # every calendar under it was listed: one not there is gone (one that failed stays)
            yield Item(path=str(place.resolve()), kind="store", status="ok", record={"folder": True})
