"""The calendar reader on the real corpus calendars, plus synthetic files for what the corpus lacks."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from km_plugins import calendar_reader
from km_plugins.calendar_reader import CalendarProblem, EventRecord, calendar_files, read_calendar

WIDE = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC))
MARCH_2020 = (datetime(2020, 3, 1, tzinfo=UTC), datetime(2020, 4, 1, tzinfo=UTC))

# Expected number of records per corpus file in WIDE (daily_recur: in MARCH_2020).
EXPECTED = {
    "Germany_Holidays.ics": 34,  # bare "RRULE:" lines: no series, 34 single all-day events
    "calendar_with_events_and_todos.ics": 2,  # VTODO and VJOURNAL are not events
    "daily_recur.ics": 31,  # FREQ=DAILY without end: one per day of March 2020
    "duration_instead_of_dtend.ics": 1,
    "event_10_times.ics": 10,  # COUNT=10
    "example.ics": 3,
    # 27 single events + 'Repair Café' FREQ=MONTHLY;BYDAY=1SA (no end) from 2018-01-06:
    # 12 per year for 2018..2029 inside WIDE = 144.
    "fablab_cottbus.ics": 27 + 144,
    # 'repeated' daily 2016-08-25 .. UNTIL 2016-08-28 11:00Z (14:00 Kiev) = 4 days,
    # the 26th replaced by the RECURRENCE-ID override 'bla bla': still 4.
    "google-calendar-kiev-tz.ics": 4,
    # The master (UID 2014_BIRTHDAY_...) has COUNT=1: one occurrence, 2014-12-10; its two RDATEs
    # ("20131210Z": a date with a Z) are unparsable and dropped with a problem. The 3 RECURRENCE-ID
    # events carry a *different* UID (BIRTHDAY_...) with no master, so each stands for itself:
    # 1 + 3 = 4.
    "google_birthday.ics": 4,
    "meetup-timed-tz.ics": 1,
    "multi-event-basic.ics": 8,  # 9 VEVENTs, 'Foobar' has DTSTART 'Next Year' and is skipped
    "one_event.ics": 1,
    "sabredav-school-holidays.ics": 1,
    "tentative-apple-calendar.ics": 4,  # the CANCELLED one is kept
    "three_events.ics": 3,  # COUNT=3;INTERVAL=3
    "tripit-location-escaping.ics": 47,
    "utf8-french-calendar.ics": 0,  # VTODOs only
}
EXPECTED_PROBLEMS = {"google_birthday.ics": 1, "multi-event-basic.ics": 1}


def ics(corpus: Path, name: str) -> Path:
    return corpus / "ics" / name


def manifest_counts(corpus: Path) -> dict[str, tuple[int, bool]]:
    """file name -> (VEVENT count, has series) from MANIFEST.md's ics/ table."""
    counts = {}
    for line in (corpus / "MANIFEST.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"\| `ics/([^`]+)` \|", line)
        if match:
            content = "|".join(line.split("|")[5:])
            vevents = re.search(r"(\d+) VEVENT", content)
            series = "RECURRENCE-ID" in content or not re.search(r"\b0 with RRULE/RDATE", content)
            counts[match.group(1)] = (int(vevents.group(1)) if vevents else 0, series)
    return counts


def read(path: Path, window: tuple[datetime, datetime] = WIDE) -> tuple[list[EventRecord], list[CalendarProblem]]:
    return read_calendar(path, *window)


def by_summary(events: list[EventRecord], summary: str) -> EventRecord:
    found = [e for e in events if e.summary == summary]
    assert found, f"no event {summary!r} in {[e.summary for e in events]}"
    return found[0]


def write(tmp_path: Path, name: str, *events: str, head: str = "") -> Path:
    body = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//km//test//EN", *head.split(), *events])
    path = tmp_path / name
    path.write_text(body + "\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    return path


def vevent(*lines: str) -> str:
    return "\r\n".join(["BEGIN:VEVENT", *lines, "END:VEVENT"])


# --- the corpus, file by file -------------------------------------------------------------------


def test_every_corpus_calendar_is_expected(corpus: Path) -> None:
    assert {p.name for p in calendar_files(corpus / "ics")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_event_counts(corpus: Path, name: str) -> None:
    events, problems = read(ics(corpus, name), MARCH_2020 if name == "daily_recur.ics" else WIDE)
    assert len(events) == EXPECTED[name]
    assert len(problems) == EXPECTED_PROBLEMS.get(name, 0), problems
    assert len({e.id for e in events}) == len(events)
    for event in events:
        assert event.start.tzinfo is UTC and event.end.tzinfo is UTC
        assert event.end >= event.start
        assert event.id.startswith("event:") and len(event.id) == 26
        assert event.file == str(ics(corpus, name))


def test_single_event_counts_match_the_manifest(corpus: Path) -> None:
    """Where no expansion applies, every manifest VEVENT is an event or a reported problem."""
    counts = manifest_counts(corpus)
    assert len(counts) == 17
    for name, (vevents, series) in counts.items():
        if series:
            continue
        events, problems = read(ics(corpus, name))
        assert len(events) + len(problems) == vevents, name
        assert not any(e.recurring for e in events), name


def test_summaries_from_the_manifest(corpus: Path) -> None:
    for name, summary in [
        ("example.ics", "New Year's Day"),
        ("Germany_Holidays.ics", "New Year's Day"),
        ("tentative-apple-calendar.ics", "Tentative"),
        ("meetup-timed-tz.ics", "Phoenix Drupal User Group Monthly Meetup"),
        ("sabredav-school-holidays.ics", "Sommerferien Sachsen"),
        ("duration_instead_of_dtend.ics", "Really long event name thing"),
        ("multi-event-basic.ics", "Dyncon 2011"),
        ("fablab_cottbus.ics", "Weihnachts Repair-Café"),
        ("google_birthday.ics", "PErson #2's birthday"),
    ]:
        by_summary(read(ics(corpus, name))[0], summary)


def test_tripit_escaped_commas_and_semicolons_come_out_plain(corpus: Path) -> None:
    events, _ = read(ics(corpus, "tripit-location-escaping.ics"))
    trip = by_summary(events, "South San Francisco, CA, October 2011;")
    assert trip.location == "South San Francisco, CA"
    assert "250 GATEWAY BLVD, South San Francisco, CA, 94080" in {e.location for e in events}
    assert not any("\\" in e.location or "\\" in e.summary for e in events)


def test_metadata_status_people_and_calendar_name(corpus: Path) -> None:
    events, _ = read(ics(corpus, "tentative-apple-calendar.ics"))
    assert {e.summary: e.status for e in events} == {
        "Tentative": "TENTATIVE",
        "Confirmed": "CONFIRMED",
        "Cancelled": "CANCELLED",
        "No Status": "",
    }
    tentative = by_summary(events, "Tentative")
    assert tentative.attendees == ["tentative@example.com"]
    assert tentative.organizer == "tentative@example.com"
    assert tentative.calendar == "Test"  # X-WR-CALNAME
    assert read(ics(corpus, "one_event.ics"))[0][0].calendar == "test"  # X-WR-CALNAME:test (SabreDAV)
    assert read(ics(corpus, "event_10_times.ics"))[0][0].calendar == "event_10_times"  # file name
    birthday = read(ics(corpus, "google_birthday.ics"))[0][0]
    assert birthday.attendees == ["Contacts"]  # the CN, not the mailto address
    assert birthday.calendar == "Contacts' birthdays and events"


def test_ids_are_stable_and_follow_uid_and_start(corpus: Path) -> None:
    path = ics(corpus, "event_10_times.ics")
    first, again = read(path)[0], read(path)[0]
    assert [e.id for e in first] == [e.id for e in again]
    event = first[0]
    key = f"{event.uid}|{event.start.isoformat()}"
    assert event.id == "event:" + hashlib.sha1(key.encode()).hexdigest()[:20]


# --- time zones ---------------------------------------------------------------------------------


def test_time_zones_of_the_corpus(corpus: Path) -> None:
    meetup = read(ics(corpus, "meetup-timed-tz.ics"))[0][0]
    assert meetup.start == datetime(2011, 11, 10, 2, 0, tzinfo=UTC)  # 19:00 America/Phoenix (UTC-7, no DST)
    assert meetup.timezone == "America/Phoenix"

    apple = read(ics(corpus, "tentative-apple-calendar.ics"))[0]
    assert by_summary(apple, "Tentative").start == datetime(2022, 7, 4, 23, 0, tzinfo=UTC)
    # TZID=America/Vancouver without a VTIMEZONE: resolved by IANA name, 09:00 PDT = 16:00Z.
    assert by_summary(apple, "Confirmed").start == datetime(2022, 7, 5, 16, 0, tzinfo=UTC)
    assert by_summary(apple, "Confirmed").timezone == "America/Vancouver"

    kiev = read(ics(corpus, "google-calendar-kiev-tz.ics"))[0]
    assert [e.start for e in kiev] == [datetime(2016, 8, d, 11, 0, tzinfo=UTC) for d in (25, 26, 27, 28)]
    assert [e.summary for e in kiev] == ["repeated", "bla bla", "repeated", "repeated"]
    assert all(e.recurring and e.timezone in ("Europe/Kiev", "Europe/Kyiv") for e in kiev)

    ten = read(ics(corpus, "event_10_times.ics"))[0]
    assert ten[0].start == datetime(2020, 1, 13, 6, 45, tzinfo=UTC)  # 07:45 Europe/Berlin
    assert ten[-1].start == datetime(2020, 1, 22, 6, 45, tzinfo=UTC)
    assert all(e.recurring and e.timezone == "Europe/Berlin" for e in ten)

    three = read(ics(corpus, "three_events.ics"))[0]
    assert [e.start for e in three] == [datetime(2019, 3, d, 23, 0, tzinfo=UTC) for d in (3, 6, 9)]

    multi = read(ics(corpus, "multi-event-basic.ics"))[0]
    assert by_summary(multi, "Dyncon 2011").timezone == "UTC"


def test_floating_times_without_x_wr_timezone_are_utc(corpus: Path) -> None:
    events, _ = read(ics(corpus, "tripit-location-escaping.ics"))
    directions = next(e for e in events if e.summary.startswith("Directions from SFO"))
    assert directions.start == datetime(2011, 10, 11, 10, 5, tzinfo=UTC)  # DTSTART:20111011T100500
    assert directions.timezone == ""


def test_windows_zone_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "outlook.ics",
        vevent("UID:w1", "SUMMARY:Berlin", 'DTSTART;TZID="W. Europe Standard Time":20240115T100000', "DURATION:PT1H"),
        vevent("UID:w2", "SUMMARY:Seattle", "DTSTART;TZID=Pacific Standard Time:20240715T100000"),
    )
    events, problems = read(path)
    assert problems == []
    berlin, seattle = by_summary(events, "Berlin"), by_summary(events, "Seattle")
    assert berlin.start == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)  # CET, UTC+1
    assert berlin.end == datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
    assert berlin.timezone == "Europe/Berlin"
    assert seattle.start == datetime(2024, 7, 15, 17, 0, tzinfo=UTC)  # PDT, UTC-7
    assert seattle.timezone == "America/Los_Angeles"


def test_unknown_zone_falls_back_to_utc_with_a_problem(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mars.ics",
        vevent("UID:m1", "SUMMARY:Landing", "DTSTART;TZID=Mars/Olympus:20240115T100000"),
        head="X-WR-TIMEZONE:Europe/Berlin",  # must not pull the unresolved time into Berlin
    )
    events, problems = read(path)
    assert [e.start for e in events] == [datetime(2024, 1, 15, 10, 0, tzinfo=UTC)]
    assert len(problems) == 1 and "Mars/Olympus" in problems[0].error
    assert problems[0].component == "VEVENT 'Landing'"


# --- all-day and duration -----------------------------------------------------------------------


def test_all_day_events(corpus: Path) -> None:
    holidays = read(ics(corpus, "Germany_Holidays.ics"))[0]
    assert all(e.all_day and e.timezone == "" for e in holidays)
    assert all(e.end == e.start + timedelta(days=1) for e in holidays)  # DTEND == DTSTART in the feed
    new_year = by_summary(holidays, "New Year's Day")
    assert new_year.start == datetime(2019, 1, 1, tzinfo=UTC)

    # DTSTART;TZID=Europe/Berlin;VALUE=DATE: still a date, not Berlin midnight.
    school = read(ics(corpus, "sabredav-school-holidays.ics"))[0][0]
    assert school.all_day
    assert school.start == datetime(2018, 7, 2, tzinfo=UTC)
    assert school.end == datetime(2018, 8, 11, tzinfo=UTC)  # exclusive end: 40 days


def test_duration_instead_of_dtend(corpus: Path) -> None:
    event = read(ics(corpus, "duration_instead_of_dtend.ics"))[0][0]
    assert event.start == datetime(2012, 6, 30, 13, 0, tzinfo=UTC)  # 06:00 PDT
    assert event.end == event.start + timedelta(days=1)
    assert not event.all_day


def test_missing_dtend(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bare.ics",
        vevent("UID:b1", "SUMMARY:Moment", "DTSTART:20240101T120000Z"),
        vevent("UID:b2", "SUMMARY:Day", "DTSTART;VALUE=DATE:20240102"),
    )
    events, _ = read(path)
    assert by_summary(events, "Moment").end == by_summary(events, "Moment").start
    assert by_summary(events, "Day").end == datetime(2024, 1, 3, tzinfo=UTC)


# --- recurrence ---------------------------------------------------------------------------------


def test_exdate_rdate_and_moved_occurrence(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "series.ics",
        vevent(
            "UID:weekly@km",
            "SUMMARY:Weekly",
            "DTSTART;TZID=Europe/Berlin:20240304T090000",
            "DTEND;TZID=Europe/Berlin:20240304T100000",
            "RRULE:FREQ=WEEKLY;COUNT=4",
            "EXDATE;TZID=Europe/Berlin:20240311T090000",
            "RDATE;TZID=Europe/Berlin:20240330T090000",
        ),
        vevent(
            "UID:weekly@km",
            "SUMMARY:Moved",
            "RECURRENCE-ID;TZID=Europe/Berlin:20240318T090000",
            "DTSTART;TZID=Europe/Berlin:20240319T150000",
            "DTEND;TZID=Europe/Berlin:20240319T160000",
        ),
        vevent("UID:old@km", "SUMMARY:History", "DTSTART:19990101T120000Z"),
    )
    events, problems = read(path)
    assert problems == []
    series = [e for e in events if e.uid == "weekly@km"]
    # 03-04, (03-11 excluded), 03-18 moved to 03-19 15:00, 03-25, RDATE 03-30; CET = UTC+1 throughout.
    assert [(e.summary, e.start) for e in series] == [
        ("Weekly", datetime(2024, 3, 4, 8, 0, tzinfo=UTC)),
        ("Moved", datetime(2024, 3, 19, 14, 0, tzinfo=UTC)),
        ("Weekly", datetime(2024, 3, 25, 8, 0, tzinfo=UTC)),
        ("Weekly", datetime(2024, 3, 30, 8, 0, tzinfo=UTC)),
    ]
    assert all(e.recurring for e in series)
    assert not by_summary(events, "History").recurring

    # A series that ends by itself is history, kept whole like single events; only an endless
    # series is bounded by the window.
    window = (datetime(2024, 3, 15, tzinfo=UTC), datetime(2024, 3, 28, tzinfo=UTC))
    bounded, _ = read(path, window)
    assert [e.summary for e in bounded] == ["History", "Weekly", "Moved", "Weekly", "Weekly"]
    endless = write(
        tmp_path,
        "endless.ics",
        vevent("UID:daily@km", "SUMMARY:Daily", "DTSTART:20240101T090000Z", "RRULE:FREQ=DAILY"),
    )
    inside, _ = read(endless, window)
    assert len(inside) == 13 and inside[0].start == datetime(2024, 3, 15, 9, 0, tzinfo=UTC)


def test_a_minutely_series_without_end_is_capped_and_said(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "minutely.ics",
        vevent("UID:tick@km", "SUMMARY:Tick", "DTSTART:20240101T000000Z", "RRULE:FREQ=MINUTELY"),
        vevent("UID:other@km", "SUMMARY:Other", "DTSTART:20240102T120000Z"),
    )
    started = time.perf_counter()
    events, problems = read(path, (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC)))
    assert time.perf_counter() - started < 5, "bounded work, not 655,000 occurrences"
    assert len([e for e in events if e.summary == "Tick"]) == calendar_reader.MAX_OCCURRENCES
    assert any(e.summary == "Other" for e in events)
    assert [p.error for p in problems] == [f"only the first {calendar_reader.MAX_OCCURRENCES} occurrences kept"]


def test_a_single_event_keeps_its_id_when_moved_and_an_occurrence_has_its_own(tmp_path: Path) -> None:
    before = write(tmp_path, "a.ics", vevent("UID:lunch@km", "SUMMARY:Lunch", "DTSTART:20240105T120000Z"))
    first, _ = read(before)
    after = write(tmp_path, "a.ics", vevent("UID:lunch@km", "SUMMARY:Lunch", "DTSTART:20240106T130000Z"))
    second, _ = read(after)
    assert first[0].id == second[0].id and first[0].start != second[0].start


def test_default_window_bounds_an_endless_series(corpus: Path) -> None:
    now = datetime.now(UTC)
    window = (now - timedelta(days=365), now + timedelta(days=90))  # one year back, three months ahead
    started = time.perf_counter()
    events, problems = read(ics(corpus, "daily_recur.ics"), window)
    assert time.perf_counter() - started < 2
    assert problems == []
    assert abs(len(events) - 455) <= 1  # one a day; the edges depend on the hour of the run
    assert all(e.summary == "Every day recurring" and e.recurring for e in events)


def test_daily_recur_month_has_one_per_day(corpus: Path) -> None:
    events, _ = read(ics(corpus, "daily_recur.ics"), MARCH_2020)
    assert len(events) == 31 == len({e.start.date() for e in events})
    # 05:00 America/Los_Angeles: 13:00Z in PST, 12:00Z from 8 March (PDT).
    assert events[0].start == datetime(2020, 3, 1, 13, 0, tzinfo=UTC)
    assert events[-1].start == datetime(2020, 3, 31, 12, 0, tzinfo=UTC)


def test_todos_and_journals_are_not_events(corpus: Path) -> None:
    assert read(ics(corpus, "utf8-french-calendar.ics")) == ([], [])
    events, problems = read(ics(corpus, "calendar_with_events_and_todos.ics"))
    assert [e.summary for e in events] == ["Test Event 1", "Test Event 2"] and problems == []


# --- damage -------------------------------------------------------------------------------------


def test_garbage_bytes(tmp_path: Path) -> None:
    path = tmp_path / "garbage.ics"
    path.write_bytes(bytes(range(256)) * 8)
    events, problems = read(path)
    assert events == []
    assert [p.component for p in problems] == ["calendar"]


def test_truncated_real_calendar(corpus: Path, tmp_path: Path) -> None:
    text = ics(corpus, "tripit-location-escaping.ics").read_bytes()
    path = tmp_path / "truncated.ics"
    path.write_bytes(text[: len(text) // 2])
    events, problems = read(path)
    assert events == []
    assert len(problems) == 1 and problems[0].component == "calendar" and problems[0].file == str(path)


def test_one_bad_event_does_not_cost_the_good_one(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mixed.ics",
        vevent("UID:good", "SUMMARY:Good", "DTSTART:20240101T100000Z"),
        vevent("UID:bad", "SUMMARY:Bad", "DTSTART:garbage"),
        vevent("UID:bad-end", "SUMMARY:Bad end", "DTSTART:20240102T100000Z", "DTEND:soon"),
    )
    events, problems = read(path)
    assert [e.summary for e in events] == ["Good", "Bad end"]
    assert by_summary(events, "Bad end").end == by_summary(events, "Bad end").start
    assert {p.component: "skipped" in p.error for p in problems} == {"VEVENT 'Bad'": True, "VEVENT 'Bad end'": False}


def test_corpus_property_errors_cost_only_what_is_lost(corpus: Path) -> None:
    _, problems = read(ics(corpus, "multi-event-basic.ics"))
    assert [(p.component, "Next Year" in p.error) for p in problems] == [("VEVENT 'Foobar'", True)]
    events, problems = read(ics(corpus, "google_birthday.ics"))
    assert len(problems) == 1 and "RDATE" in problems[0].error  # the master itself is kept
    assert "2014_BIRTHDAY_79d389868f96182e@google.com" in {e.uid for e in events}


def test_unreadable_files_are_problems(tmp_path: Path) -> None:
    events, problems = read(tmp_path / "missing.ics")
    assert events == [] and len(problems) == 1 and problems[0].component == "calendar"
    folder = tmp_path / "folder.ics"
    folder.mkdir()
    assert read(folder)[0] == [] and len(read(folder)[1]) == 1


def test_latin1_file_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ics"
    body = write(tmp_path, "tmp.ics", vevent("UID:l1", "SUMMARY:Café", "DTSTART:20240101T100000Z")).read_text()
    path.write_bytes(body.encode("latin-1"))
    events, problems = read(path)
    assert [e.summary for e in events] == ["Café"] and problems == []


def test_event_without_uid_and_duplicates(tmp_path: Path) -> None:
    same = ("SUMMARY:Twice", "DTSTART:20240101T100000Z")
    path = write(
        tmp_path,
        "nouid.ics",
        vevent(*same, "LOCATION:first"),
        vevent(*same, "LOCATION:second"),
        vevent("SUMMARY:Other", "DTSTART:20240101T100000Z"),
    )
    events, _ = read(path)
    twice = by_summary(events, "Twice")
    assert twice.uid == "" and twice.location == "second"  # same id: the last one wins
    key = f"nouid.ics|Twice|{twice.start.isoformat()}"
    assert twice.id == "event:" + hashlib.sha1(key.encode()).hexdigest()[:20]
    assert len(events) == 2


# --- files and speed ----------------------------------------------------------------------------


def test_calendar_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/b/deep.ics", "a/top.ICS", "z.ics", "notes.txt"):
        (tmp_path / name).write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", encoding="utf-8")
    assert calendar_files(tmp_path) == [tmp_path / "a/b/deep.ics", tmp_path / "a/top.ICS", tmp_path / "z.ics"]
    assert calendar_files(tmp_path / "z.ics") == [tmp_path / "z.ics"]
    assert calendar_files(tmp_path / "notes.txt") == []
    assert calendar_files(tmp_path / "absent") == []


def test_corpus_folder_lists_all_17(corpus: Path) -> None:
    files = calendar_files(corpus / "ics")
    assert len(files) == 17 and files == sorted(files)


def test_a_thousand_events_are_fast(tmp_path: Path) -> None:
    events = [
        vevent(
            f"UID:e{i}@km",
            f"SUMMARY:Event {i}",
            f"DTSTART;TZID=Europe/Berlin:2024{1 + i % 12:02}{1 + i % 28:02}T{i % 24:02}0000",
            "DURATION:PT1H",
            "LOCATION:Room\\, 1",
            "ATTENDEE;CN=Ann:mailto:ann@example.org",
        )
        for i in range(1000)
    ]
    path = write(tmp_path, "big.ics", *events)
    started = time.perf_counter()
    records, problems = read(path)
    elapsed = time.perf_counter() - started
    assert len(records) == 1000 and problems == []
    assert elapsed < 2, f"{elapsed:.2f}s"
    assert records[0].location == "Room, 1" and records[0].attendees == ["Ann"]


def test_broken_rule_and_unknown_x_wr_timezone_degrade_gracefully(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "odd.ics",
        vevent("UID:r1", "SUMMARY:Bad rule", "DTSTART:20240105T100000Z", "RRULE:FREQ=SOMETIMES"),
        vevent("UID:r2", "SUMMARY:Floating", "DTSTART:20240105T100000"),
        head="X-WR-TIMEZONE:Nowhere/Land",
    )
    events, problems = read(path)
    assert [(e.summary, e.start, e.recurring) for e in events] == [
        ("Bad rule", datetime(2024, 1, 5, 10, 0, tzinfo=UTC), False),  # kept as a single event
        ("Floating", datetime(2024, 1, 5, 10, 0, tzinfo=UTC), False),  # zone unknown: UTC
    ]
    assert sorted(p.component for p in problems) == ["VEVENT 'Bad rule'", "calendar"]


def test_all_day_series_written_with_a_tzid(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "days.ics",
        vevent(
            "UID:d1",
            "SUMMARY:Day off",
            "DTSTART;TZID=Europe/Berlin;VALUE=DATE:20240105",
            "DTEND;TZID=Europe/Berlin;VALUE=DATE:20240106",
            "RRULE:FREQ=WEEKLY;COUNT=3",
            "EXDATE;TZID=Europe/Berlin;VALUE=DATE:20240112",
        ),
    )
    events, problems = read(path)
    assert problems == []
    assert [(e.start, e.end, e.all_day) for e in events] == [
        (datetime(2024, 1, 5, tzinfo=UTC), datetime(2024, 1, 6, tzinfo=UTC), True),
        (datetime(2024, 1, 19, tzinfo=UTC), datetime(2024, 1, 20, tzinfo=UTC), True),
    ]
