"""The plugin API types: plain dataclasses a third-party plugin can import.

These cross every boundary between the engine and a plugin, so they are
versioned by ``API_VERSION``; a change that breaks a plugin bumps the major
number. Only standard-library types appear here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

# 1.1: Tag.label and Tag.count (entities), km_tag(batch=...); 1.2: JobContext.organize;
# 1.3: Item.record (notes, events and photos from the weekly sources), Source kinds notes/calendar/photos;
# 1.4: JobContext.period and JobContext.query (read-only Cypher) for km_report
API_VERSION = "1.4"


@dataclass(slots=True)
class Item:
    """Something km knows about: a file, a note, an event or a photo.

    ``id`` is stable for the life of the item: a file that is moved or renamed
    keeps it. For files, discovery fills the stat fields and the engine fills
    ``id`` and ``hash`` when it reconciles a discovery with the graph.

    A weekly source (``kind`` ``note``, ``event`` or ``photo``) fills ``id``
    itself (``note:…``, ``event:…``, ``photo:…``, stable across syncs), ``hash``
    with a signature that changes when the record does (the engine rewrites,
    tags and relates only records whose signature changed), and ``record``
    with the node's properties (see docs/graph.md: ``text`` is what taggers
    read, ``store`` names the database or folder it came from).
    """

    path: str
    source: str = "filesystem"
    id: str = ""
    size: int = 0
    mtime_ns: int = 0
    inode: int = 0
    hash: str = ""
    kind: str = "document"
    ext: str = ""
    root: str = ""
    status: str = "pending"
    record: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return Path(self.path).name


@dataclass(slots=True)
class Content:
    """What an extractor read from an item.

    ``status`` is ``ok``, ``empty`` (readable, no text), ``encrypted`` (cannot be
    opened without a password) or ``failed``; ``error`` says why for the last two.
    """

    text: str = ""
    title: str = ""
    author: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    pages: int = 0
    words: int = 0
    status: str = "ok"
    error: str = ""
    extractor: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Tag:
    """A tag proposed for an item; the engine merges tags from all taggers.

    ``weight`` is in (0, 1]; ``why`` is the evidence a user reads in ``km show``
    (counts, scores, the rule's name). A proposal of kind ``entity`` also names
    its ``label`` (PERSON, ORG, PLACE, DATE, ...) and its ``count`` of mentions:
    the engine stores every entity as an Entity node with a MENTIONS edge, and
    the strongest ones as tags too. A proposal of kind ``type`` is the item's
    document type (see ``km_core.tagging.TYPES``); the engine keeps one type.
    """

    name: str
    kind: str = "keyword"  # topic, entity, keyword, type, rule, manual, status
    weight: float = 1.0
    source: str = ""
    primary: bool = False
    why: str = ""
    label: str = ""
    count: int = 0


@dataclass(slots=True)
class Relation:
    """An edge proposed between two items, with the evidence for it."""

    source_id: str
    target_id: str
    kind: str  # similar, same_day, same_week, shared_tags, cross_domain, ...
    score: float = 0.0
    why: str = ""


@dataclass(slots=True)
class MovePlan:
    """Where an item should go, and the rule that says so."""

    item_id: str
    source: str
    destination: str
    rule: str = ""
    reason: str = ""


@dataclass(slots=True)
class ReportSection:
    """One section of a job report or periodic report, in Markdown plus data."""

    title: str
    markdown: str
    data: dict[str, Any] = field(default_factory=dict)
    order: int = 100


@dataclass(slots=True)
class Source:
    """One place a discover plugin is asked to look at (a root folder, a library)."""

    kind: str  # "filesystem", "notes", "calendar" or "photos"
    path: str  # for the weekly sources: '' means "where the plugin's settings say"
    name: str = ""
    only_under: str = ""  # limit discovery to this sub-folder (--path)


@dataclass
class JobContext:
    """What a hook gets to know about the job it runs in.

    ``settings`` is this plugin's section of plugins.toml (read it with
    ``setting``); ``ignore`` decides if a path is to be passed over; ``progress``
    reports (done, total) for the current step and is cheap to call often;
    ``keep`` names a path (a file, or a folder and all below it) that a
    discover plugin saw but did not report (unreadable, still being written),
    so that the engine does not mark what it knows there as missing.
    ``organize`` is the validated ``[organize]`` section of km.toml (its
    ``library`` and ``rules``), for ``km_organize`` implementations.
    """

    job: str
    run_id: str
    dry_run: bool = False
    full_rescan: bool = False
    plugin_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    ignore: Callable[[str, bool], bool] = field(default=lambda path, is_dir: False)
    settle_seconds: float = 0.0
    progress: Callable[[int, int], None] = field(default=lambda done, total: None)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("km"))
    keep: Callable[[str], None] = field(default=lambda path: None)
    data_dir: str = ""
    organize: Any = None  # the [organize] settings (library, rules): for km_organize implementations
    period: str = ""  # the month a km_report covers, "YYYY-MM"
    # read-only Cypher over the graph, (query, parameters) -> rows: for km_report implementations
    query: Callable[..., list[list[Any]]] | None = None

    def plugin_dir(self, plugin: str) -> Path:
        """A folder of this plugin's own, kept between runs (models, caches)."""
        path = Path(self.data_dir or ".") / "plugins" / plugin
        path.mkdir(parents=True, exist_ok=True)
        return path

    def setting(self, plugin: str, key: str, default: Any = None) -> Any:
        return self.plugin_settings.get(plugin, {}).get(key, default)


ItemBatch = Iterable[Item]
