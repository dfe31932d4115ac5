"""The weekly half of ``km demo``: a calendar and a photo folder of its own, synced and linked.

The demo never reads the user's real Notes, calendars or photos: its
plugins.toml points every weekly source at the demo home (Notes at a path
that does not exist, so it is skipped as "not present").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from km_core.cli.output import say


def _ics(now: datetime) -> str:
    start = (now - timedelta(minutes=30)).strftime("%Y%m%dT%H%M%SZ")
    end = (now + timedelta(hours=1)).strftime("%Y%m%dT%H%M%SZ")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//km demo//EN\r\nX-WR-CALNAME:Work\r\n"
        "BEGIN:VEVENT\r\nUID:atlas-review@km-demo\r\n"
        f"DTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:Atlas budget review\r\nLOCATION:Berlin\r\n"
        "ATTENDEE;CN=Emily Rodriguez:mailto:emily@example.com\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:atlas-standup@km-demo\r\nDTSTART:20250106T090000Z\r\nDTEND:20250106T091500Z\r\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO\r\nSUMMARY:Atlas standup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def _photo(path: Path, now: datetime) -> None:
    from PIL import Image

    image = Image.new("RGB", (640, 480), (90, 140, 200))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "km", "Demo Camera"  # Make, Model
    exif.get_ifd(0x8769)[0x9003] = now.strftime("%Y:%m:%d %H:%M:%S")  # DateTimeOriginal
    exif.get_ifd(0x8769)[0x9011] = "+00:00"  # OffsetTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (52.0, 31.0, 12.0), "E", (13.0, 24.0, 18.0)  # Berlin
    image.save(path, exif=exif)


def build_weekly(home: Path) -> str:
    """Write the demo's calendar and photos; return the plugins.toml that points km at them."""
    now = datetime.now(UTC).replace(microsecond=0)
    calendar = home / "Calendar" / "work.ics"
    calendar.parent.mkdir(parents=True, exist_ok=True)
    calendar.write_text(_ics(now), encoding="utf-8")
    photos = home / "Pictures"
    photos.mkdir(parents=True, exist_ok=True)
    _photo(photos / "whiteboard-berlin.jpg", now - timedelta(minutes=10))
    return (
        f'[plugin.apple-notes]\npath = "{home / "Notes" / "NoteStore.sqlite"}"  # not there: skipped\n\n'
        f'[plugin.calendar]\npaths = ["{calendar.parent}"]\n\n'
        f'[plugin.photos]\nlibraries = []\nfolders = ["{photos}"]\n'
    )


def show_weekly(config: object) -> None:
    from km_core.store import open_graph

    with open_graph(config, read_only=True) as graph:  # type: ignore[arg-type]
        events = graph.rows("MATCH (e:Event) RETURN count(*)")[0][0]
        photos = graph.rows("MATCH (p:Photo) RETURN count(*)")[0][0]
        links = graph.rows(
            "MATCH (e:Event)-[r:RELATED]-(o) WHERE e.summary = 'Atlas budget review' "
            "RETURN r.kind, coalesce(o.name, o.title, o.summary), r.why ORDER BY r.kind DESC, r.score DESC LIMIT 8"
        )
    say(f"weekly job: {events} calendar events (a weekly standup expanded), {photos} photo")
    for kind, other, why in links:
        say(f"  'Atlas budget review' -{kind}- {other}: {why}")
