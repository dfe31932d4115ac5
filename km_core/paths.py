"""Where km keeps things: config, data (the graph), state, logs, reports.

Defaults come from platformdirs; ``KM_HOME`` puts every folder under one
directory, which tests and demos use to stay self-contained.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Folders:
    config: Path
    data: Path
    state: Path
    logs: Path

    @property
    def config_file(self) -> Path:
        return self.config / "km.toml"

    @property
    def plugins_file(self) -> Path:
        return self.config / "plugins.toml"

    @property
    def graph_dir(self) -> Path:
        return self.data / "graph"

    @property
    def backups(self) -> Path:
        return self.data / "backups"

    @property
    def reports(self) -> Path:
        return self.data / "reports"

    @property
    def archive(self) -> Path:
        return self.data / "archive"

    @property
    def locks(self) -> Path:
        return self.state / "locks"

    def ensure(self) -> None:
        for folder in (self.config, self.data, self.state, self.logs, self.graph_dir, self.locks):
            folder.mkdir(parents=True, exist_ok=True)


def folders() -> Folders:
    home = os.environ.get("KM_HOME")
    if home:
        root = Path(home).expanduser().resolve()
        return Folders(root / "config", root / "data", root / "state", root / "logs")
    import platformdirs

    dirs = platformdirs.PlatformDirs("km", appauthor=False)
    return Folders(
        Path(dirs.user_config_dir),
        Path(dirs.user_data_dir),
        Path(dirs.user_state_dir),
        Path(dirs.user_log_dir),
    )


def default_roots() -> list[str]:
    """Documents, Desktop and Downloads; on macOS also iCloud Drive and OneDrive when present."""
    import platformdirs

    roots = [platformdirs.user_documents_dir(), platformdirs.user_desktop_dir(), platformdirs.user_downloads_dir()]
    home = Path.home()
    if sys.platform == "darwin":
        icloud = home / "Library" / "Mobile Documents" / "com~apple~CloudDocs"
        roots += [str(icloud / "Documents"), str(icloud / "Desktop")]
        cloud_storage = home / "Library" / "CloudStorage"
        if cloud_storage.is_dir():
            roots += sorted(str(p) for p in cloud_storage.glob("OneDrive*"))
    roots += sorted(str(p) for p in home.glob("OneDrive*") if p.is_dir())
    unique: list[str] = []
    for root in roots:
        if root not in unique:
            unique.append(root)
    return unique
