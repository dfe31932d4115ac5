"""km.toml: a typed, validated configuration.

Each section is a dataclass; each field carries its documentation and limits
in ``metadata``, which serve both the validator (errors name the file, the key,
what was expected and how to fix it) and ``km init`` (the commented default).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, get_origin, get_type_hints

from km_core.errors import ConfigError
from km_core.organize.rules import OrganizeConfig, parse_organize
from km_core.paths import Folders, default_roots, folders
from km_core.tagging.rules import TagRule, parse_rules

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _opt(default: Any, doc: str, **limits: Any) -> Any:
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata={"doc": doc, **limits})
    return field(default=default, metadata={"doc": doc, **limits})


@dataclass
class LocationsConfig:
    """The folders km watches."""

    roots: list[str] = field(
        default_factory=default_roots,
        metadata={"doc": "Folders to scan. Default: Documents, Desktop and Downloads (plus iCloud/OneDrive)."},
    )


@dataclass
class IgnoreConfig:
    """What discovery passes over."""

    patterns: list[str] = _opt(
        [
            ".*",
            "node_modules",
            "__pycache__",
            "*.tmp",
            "*.temp",
            "*.part",
            "*.crdownload",
            "*.download",
            "~$*",
            "*.swp",
            "*~",
            "Thumbs.db",
            "desktop.ini",
        ],
        "Glob patterns matched against each file and folder name; a match is skipped with everything "
        "below it. '.*' covers hidden files, .git and .DS_Store.",
    )
    settle_seconds: int = _opt(
        2,
        "A file modified less than this many seconds ago is still being written: left for the next run.",
        min=0,
    )


@dataclass
class JobsConfig:
    """How jobs treat failures."""

    retries: int = _opt(3, "Attempts per item and step before it goes to the retry queue.", min=1, max=10)
    warn_failure_ratio: float = _opt(0.10, "Share of failed items above which a run is a warning.", min=0, max=1)
    critical_failure_ratio: float = _opt(
        0.50, "Share of failed items above which a run is critical (exit code 1).", min=0, max=1
    )
    retry_runs: int = _opt(5, "Runs in which a failed item is tried again before it waits for review.", min=0)
    batch_size: int = _opt(500, "Items written to the graph per transaction.", min=1, max=100_000)


@dataclass
class GraphConfig:
    """The embedded Kùzu graph."""

    buffer_pool_mb: int = _opt(512, "Memory Kùzu may use for its buffer pool, in MiB.", min=64, max=1_048_576)
    max_threads: int = _opt(2, "Threads Kùzu may use for one query.", min=1, max=64)
    lock_timeout_s: float = _opt(600.0, "How long to wait for another km process to release the graph.", min=0)
    keep_backups: int = _opt(2, "Backups of the graph kept after successful jobs.", min=1, max=50)


@dataclass
class LoggingConfig:
    """The log files under the logs folder."""

    level: str = _opt("INFO", "Lowest level written to the log files.", choices=LEVELS)


@dataclass
class TaggingConfig:
    """How the tag step merges what the taggers propose (each tagger's own settings are in plugins.toml)."""

    batch: int = _opt(256, "Items tagged together (spaCy reads a batch in one pass).", min=1, max=10_000)
    max_secondary: int = _opt(20, "Secondary tags kept per item, strongest first.", min=0, max=200)
    classifier_min_probability: float = _opt(
        0.6,
        "The type learned from the types you confirmed wins over the rules at this probability or above.",
        min=0,
        max=1,
    )
    classifier_min_examples: int = _opt(
        5, "Confirmed items needed before km learns document types from them.", min=2, max=100_000
    )
    topics: int = _opt(0, "Topics found across the collection; 0 picks a number from its size.", min=0, max=200)
    topic_min_share: float = _opt(
        0.25, "An item gets a topic tag when the topic makes up this share of it.", min=0, max=1
    )


def _desktop() -> list[str]:
    import platformdirs

    return [platformdirs.user_desktop_dir()]


def _downloads() -> list[str]:
    import platformdirs

    return [platformdirs.user_downloads_dir()]


@dataclass
class RogueConfig:
    """Which files the daily job lists for review (km review rogue): it never acts on them."""

    desktop: list[str] = field(
        default_factory=_desktop, metadata={"doc": "Desktop folders: every file in them is clutter to review."}
    )
    downloads: list[str] = field(
        default_factory=_downloads, metadata={"doc": "Downloads folders: files older than downloads_days are listed."}
    )
    downloads_days: int = _opt(7, "Days after which a download is listed.", min=0)
    outside: list[str] = _opt(
        ["~"], "Folders whose own files (not their sub-folders) are listed when no monitored folder holds them."
    )
    untagged: bool = _opt(True, "List files km read but could give no tag.")


@dataclass
class ScheduleConfig:
    """When the scheduler (km scheduler run, or the OS schedule from km schedule install) runs each job."""

    daily: str = _opt("0 2 * * *", "Daily job, a cron expression in local time ('' = never).", cron=True)
    weekly: str = _opt("0 23 * * 0", "Weekly job (Sunday 23:00 by default).", cron=True)
    monthly: str = _opt("0 3 1 * *", "Monthly job (the 1st at 03:00 by default).", cron=True)
    catch_up: bool = _opt(True, "Run a job once after the machine slept or was off through its time.")


@dataclass
class MonthlyConfig:
    """The monthly job: stale files and graph maintenance."""

    stale_days: int = _opt(180, "Days without being opened after which a file is listed as stale.", min=1)
    orphan_grace_days: int = _opt(30, "Days an item stays missing before maintenance removes it.", min=0)


@dataclass
class HealthConfig:
    """Thresholds of km health (and the dashboard's health panel)."""

    disk_warn_gb: float = _opt(10.0, "Warn when the data folder's disk has less free space, in GB.", min=0)
    disk_critical_gb: float = _opt(1.0, "Critical below this much free space, in GB.", min=0)
    graph_warn_gb: float = _opt(1.0, "Warn when the graph is larger, in GB.", min=0)
    logs_warn_gb: float = _opt(1.0, "Warn when the log folder is larger, in GB.", min=0)
    late_hours: float = _opt(48.0, "Warn when a job's last success is this much older than its schedule asks.", min=1)
    error_rate_warn: float = _opt(0.05, "Warn when more of the items of the last 24 hours' runs failed.", min=0, max=1)


@dataclass
class Config:
    locations: LocationsConfig = field(default_factory=LocationsConfig)
    ignore: IgnoreConfig = field(default_factory=IgnoreConfig)
    jobs: JobsConfig = field(default_factory=JobsConfig)
    graph: GraphConfig = field(default_factory=GraphConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    tagging: TaggingConfig = field(default_factory=TaggingConfig)
    tag_rules: list[TagRule] = field(default_factory=list)
    organize: OrganizeConfig = field(default_factory=OrganizeConfig)
    rogue: RogueConfig = field(default_factory=RogueConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    health: HealthConfig = field(default_factory=HealthConfig)
    monthly: MonthlyConfig = field(default_factory=MonthlyConfig)
    folders: Folders = field(default_factory=folders, repr=False)
    source: str = "defaults"

    @property
    def root_paths(self) -> list[Path]:
        return [Path(r).expanduser() for r in self.locations.roots]


SECTIONS: dict[str, type] = {
    "locations": LocationsConfig,
    "ignore": IgnoreConfig,
    "jobs": JobsConfig,
    "graph": GraphConfig,
    "logging": LoggingConfig,
    "tagging": TaggingConfig,
    "rogue": RogueConfig,
    "schedule": ScheduleConfig,
    "health": HealthConfig,
    "monthly": MonthlyConfig,
}


def _type_name(tp: Any) -> str:
    if get_origin(tp) is list:
        return "a list of strings"
    return {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}.get(tp, str(tp))


def _check_value(file: str, key: str, tp: Any, value: Any, meta: dict[str, Any]) -> Any:
    expected = _type_name(tp)
    if get_origin(tp) is list:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                file, key, f"expected {expected}, got {value!r}", f'write it as {key.split(".")[-1]} = ["..."]'
            )
        return list(value)
    ok = (
        (tp is bool and isinstance(value, bool))
        or (tp is int and isinstance(value, int) and not isinstance(value, bool))
        or (tp is float and isinstance(value, int | float) and not isinstance(value, bool))
        or (tp is str and isinstance(value, str))
    )
    if not ok:
        raise ConfigError(file, key, f"expected {expected}, got {value!r}", f"set it to {expected}")
    if "choices" in meta and value not in meta["choices"]:
        raise ConfigError(
            file, key, f"expected one of {', '.join(meta['choices'])}, got {value!r}", "pick one of those"
        )
    if meta.get("cron") and value and not _valid_cron(value):
        raise ConfigError(
            file,
            key,
            f"{value!r} is not a cron expression",
            'give five fields, minute hour day month weekday, e.g. "0 2 * * *" (or "" for never)',
        )
    if "min" in meta and value < meta["min"]:
        raise ConfigError(file, key, f"expected at least {meta['min']}, got {value!r}", "raise the value")
    if "max" in meta and value > meta["max"]:
        raise ConfigError(file, key, f"expected at most {meta['max']}, got {value!r}", "lower the value")
    return float(value) if tp is float else value


def _valid_cron(expression: str) -> bool:
    from croniter import croniter

    return len(expression.split()) == 5 and bool(croniter.is_valid(expression))


def _unknown(file: str, key: str, known: list[str]) -> ConfigError:
    leaf = key.split(".")[-1]
    close = difflib.get_close_matches(leaf, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(known)}"
    return ConfigError(file, key, "unknown key", hint)


def _build_section(file: str, name: str, cls: type, raw: Any) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(file, name, f"expected a table [{name}], got {raw!r}", f"write it as [{name}]")
    hints = get_type_hints(cls)
    known = [f.name for f in fields(cls)]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            raise _unknown(file, f"{name}.{key}", known)
        meta = dict(next(f.metadata for f in fields(cls) if f.name == key))
        values[key] = _check_value(file, f"{name}.{key}", hints[key], value, meta)
    return cls(**values)


def parse(text: str, file: str = "km.toml", dirs: Folders | None = None) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(file, "(syntax)", str(exc), "fix the TOML syntax at that line") from None
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "tag_rules":
            sections[name] = parse_rules(file, value)
            continue
        if name == "organize":
            sections[name] = parse_organize(file, value)
            continue
        if name not in SECTIONS:
            raise _unknown(file, name, [*SECTIONS, "tag_rules", "organize"])
        sections[name] = _build_section(file, name, SECTIONS[name], value)
    config = Config(**sections, folders=dirs or folders(), source=file)
    if config.jobs.warn_failure_ratio > config.jobs.critical_failure_ratio:
        raise ConfigError(
            file,
            "jobs.warn_failure_ratio",
            "is above jobs.critical_failure_ratio",
            "a warning must come before critical",
        )
    return config


def load(dirs: Folders | None = None) -> Config:
    """The user's km.toml, or the defaults when there is none."""
    dirs = dirs or folders()
    path = dirs.config_file
    if not path.exists():
        return Config(folders=dirs)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "(file)", f"cannot be read: {exc}", "check its permissions and encoding") from None
    return parse(text, str(path), dirs)


def _toml_value(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(value)


def default_text(overrides: dict[str, Any] | None = None) -> str:
    """The commented km.toml that ``km init`` writes, built from the field docs.

    ``overrides`` maps "section.key" to a value written instead of the default.
    """
    overrides = overrides or {}
    lines = ["# km configuration. Every key is optional; a missing key takes the default shown.", ""]
    for name, cls in SECTIONS.items():
        lines.append(f"[{name}]")
        lines.append(f"# {cls.__doc__}")
        for f in fields(cls):
            default = f.default_factory() if f.default is MISSING else f.default  # type: ignore[misc]
            default = overrides.get(f"{name}.{f.name}", default)
            lines.append(f"# {f.metadata['doc']}")
            lines.append(f"{f.name} = {_toml_value(default)}")
        lines.append("")
    lines += [
        "# Tag rules: each [[tag_rules]] gives a tag when one condition holds: keyword (a whole word or",
        "# phrase, any case), regex, path (a glob; without a folder it matches the file name) or entity.",
        "# [[tag_rules]]",
        '# tag = "finance"',
        '# keyword = "invoice"',
        '# name = "invoices are finance"  # optional, shown in `km show`',
        "",
        "# Organising (off until a library and a rule are set; see docs/organizing.md). The first",
        "# rule whose conditions all hold moves a file to library/destination; km undo moves it back.",
        "# [organize]",
        '# library = "~/Documents/Library"',
        '# do_not_move = ["Keep"]',
        "# [[organize.rules]]",
        '# name = "invoices"',
        '# type = ["invoice", "receipt"]',
        '# destination = "Finance/{type}/{year}"',
        "",
    ]
    return "\n".join(lines)
