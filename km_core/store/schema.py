"""The graph's schema: the contract tables of DESIGN.md, versioned, with migrations.

``SCHEMA_VERSION`` is stored in the ``Meta`` table. A migration is a list of
statements that takes the graph from version N-1 to N; ``migrate`` applies
the missing ones in order inside one transaction each.
"""

from __future__ import annotations

SCHEMA_VERSION = 5

ITEM_TABLES = ("File", "Note", "Event", "Photo")

_FILE = """
CREATE NODE TABLE File(
    id STRING, path STRING, name STRING, ext STRING, size INT64, mtime TIMESTAMP, mtime_ns INT64,
    inode INT64, hash STRING, kind STRING, title STRING, author STRING, created TIMESTAMP,
    modified TIMESTAMP, text STRING, status STRING, error STRING, pages INT64, words INT64,
    root STRING, source STRING, extractor STRING, extracted_hash STRING, discovered TIMESTAMP,
    updated TIMESTAMP, missing_since TIMESTAMP, failed_step STRING, fail_runs INT64,
    PRIMARY KEY(id))
"""

# Kùzu 0.11.3 updates rows found through a join one by one, at a cost that grows
# with the table (10,000 SETs into 100,000 Files: ~8 s). Staged rows joined by a
# scan update in bulk (~0.5 s), so File updates go through this table.
# File columns added by later migrations; the staging table always has the current set
_FILE_ADDED = {
    2: ["ocr_conf DOUBLE DEFAULT 0.0", "ocr_lang STRING DEFAULT ''"],
    # tagged_hash / related_hash: the content hash the tag / relate step last saw (equal to
    # extracted_hash when done); tag_pending: taggers that failed and are asked again next run
    3: [
        "tagged_hash STRING DEFAULT ''",
        "related_hash STRING DEFAULT ''",
        "doc_type STRING DEFAULT ''",
        "lang STRING DEFAULT ''",
        "tag_pending STRING DEFAULT ''",
    ],
}
STAGE_FILE_DDL = _FILE.replace("CREATE NODE TABLE File(", "CREATE NODE TABLE StageFile(").replace(
    "PRIMARY KEY(id))",
    ", ".join(c.split(" DEFAULT")[0] for cols in _FILE_ADDED.values() for c in cols) + ", PRIMARY KEY(id))",
)

_NOTE = """
CREATE NODE TABLE Note(
    id STRING, title STRING, folder STRING, account STRING, created TIMESTAMP, modified TIMESTAMP,
    text STRING, status STRING, PRIMARY KEY(id))
"""

_EVENT = """
CREATE NODE TABLE Event(
    id STRING, summary STRING, start TIMESTAMP, `end` TIMESTAMP, location STRING,
    attendees STRING[], calendar STRING, status STRING, PRIMARY KEY(id))
"""

_PHOTO = """
CREATE NODE TABLE Photo(
    id STRING, path STRING, taken TIMESTAMP, lat DOUBLE, lon DOUBLE, album STRING, text STRING,
    status STRING, PRIMARY KEY(id))
"""


# Columns every weekly record table (Note, Event, Photo) gains in version 5: where it came from,
# its change signature, and the same tag/relate bookkeeping as File
_RECORD_COMMON = [
    "source STRING DEFAULT ''",
    "store STRING DEFAULT ''",
    "hash STRING DEFAULT ''",
    "extracted_hash STRING DEFAULT ''",
    "tagged_hash STRING DEFAULT ''",
    "related_hash STRING DEFAULT ''",
    "doc_type STRING DEFAULT ''",
    "lang STRING DEFAULT ''",
    "tag_pending STRING DEFAULT ''",
    "error STRING DEFAULT ''",
    "discovered TIMESTAMP",
    "updated TIMESTAMP",
    "missing_since TIMESTAMP",
]
RECORD_ADDED: dict[str, list[str]] = {
    "Note": [
        *_RECORD_COMMON,
        "snippet STRING DEFAULT ''",
        "encrypted BOOLEAN DEFAULT false",
        "attachments STRING[]",
        "hashtags STRING[]",
    ],
    "Event": [
        *_RECORD_COMMON,
        "text STRING DEFAULT ''",
        "uid STRING DEFAULT ''",
        "description STRING DEFAULT ''",
        "all_day BOOLEAN DEFAULT false",
        "timezone STRING DEFAULT ''",
        "organizer STRING DEFAULT ''",
        "event_status STRING DEFAULT ''",
        "recurring BOOLEAN DEFAULT false",
        "file STRING DEFAULT ''",
    ],
    "Photo": [
        *_RECORD_COMMON,
        "name STRING DEFAULT ''",
        "uuid STRING DEFAULT ''",
        "present BOOLEAN DEFAULT false",
        "timezone STRING DEFAULT ''",
        "title STRING DEFAULT ''",
        "description STRING DEFAULT ''",
        "albums STRING[]",
        "keywords STRING[]",
        "people STRING[]",
        "favorite BOOLEAN DEFAULT false",
        "hidden BOOLEAN DEFAULT false",
        "kind STRING DEFAULT ''",
        "uti STRING DEFAULT ''",
        "camera STRING DEFAULT ''",
        "width INT64 DEFAULT 0",
        "height INT64 DEFAULT 0",
        "orientation INT64 DEFAULT 1",
        "modified TIMESTAMP",
        "library STRING DEFAULT ''",
        "ocr_hash STRING DEFAULT ''",
        "ocr_conf DOUBLE DEFAULT 0.0",
    ],
}


def _pairs(targets: tuple[str, ...]) -> str:
    return ", ".join(f"FROM {a} TO {b}" for a in ITEM_TABLES for b in targets)


MIGRATIONS: dict[int, list[str]] = {
    1: [
        "CREATE NODE TABLE Meta(key STRING, value STRING, PRIMARY KEY(key))",
        _FILE,
        _NOTE,
        _EVENT,
        _PHOTO,
        "CREATE NODE TABLE Tag(name STRING, kind STRING, PRIMARY KEY(name))",
        "CREATE NODE TABLE Entity(id STRING, name STRING, label STRING, PRIMARY KEY(id))",
        "CREATE NODE TABLE Location(path STRING, name STRING, kind STRING, PRIMARY KEY(path))",
        "CREATE NODE TABLE Run(id STRING, job STRING, status STRING, started TIMESTAMP, finished TIMESTAMP, "
        "duration_s DOUBLE, counts STRING, errors STRING, recovered STRING, PRIMARY KEY(id))",
        f"CREATE REL TABLE TAGGED({_pairs(('Tag',))}, weight DOUBLE, source STRING, `primary` BOOLEAN, why STRING)",
        f"CREATE REL TABLE MENTIONS({_pairs(('Entity',))}, count INT64)",
        f"CREATE REL TABLE RELATED({_pairs(ITEM_TABLES)}, kind STRING, score DOUBLE, why STRING)",
        "CREATE REL TABLE `IN`(FROM File TO Location, FROM Photo TO Location)",
    ],
    # 2: OCR of screenshots stores the mean word confidence and the languages used
    2: [
        *(f"ALTER TABLE File ADD {column}" for column in _FILE_ADDED[2]),
        # images that version 1 passed over unread get a look from the OCR step
        "MATCH (f:File) WHERE f.kind = 'image' AND f.extractor = '' AND f.status = 'ok' SET f.status = 'pending'",
    ],
    # 3: tagging and relationships; every item read so far gets tagged and related on the next run
    3: [f"ALTER TABLE File ADD {column}" for column in _FILE_ADDED[3]],
    # 4: the move history: one Move per file km moved (or moved back), with the rule that said so
    # (IF NOT EXISTS: a graph whose version was set back, or a half-done migration, still migrates)
    4: [
        "CREATE NODE TABLE IF NOT EXISTS Move(id STRING, run STRING, item STRING, old_path STRING, new_path STRING, "
        "rule STRING, reason STRING, at TIMESTAMP, action STRING, undoes STRING, PRIMARY KEY(id))",
        "CREATE REL TABLE IF NOT EXISTS MOVED(FROM File TO Move)",
    ],
    # 5: notes, events and photos from the weekly sources, tagged and related like files
    # (IF NOT EXISTS: a graph whose version was set back still migrates)
    5: [
        f"ALTER TABLE {table} ADD IF NOT EXISTS {column}"
        for table, columns in RECORD_ADDED.items()
        for column in columns
    ],
}
