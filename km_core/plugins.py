"""The plugin manager: built-ins and third-party plugins come in by the same door.

Every plugin is an entry point in the ``km`` group. plugins.toml (the project
default, then the user's copy in the config folder) orders, disables and
configures them; ``KM_LOAD_PLUGINS=a,b`` allows only the names listed. A
plugin that fails to import is warned about and skipped, and a plugin that
raises inside a hook fails only that call (see ``call_first``/``call_each``).
"""

from __future__ import annotations

import logging
import os
import threading
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy

from km_core import hookspecs
from km_core.errors import ConfigError
from km_core.paths import folders

log = logging.getLogger("km.plugins")

# Errors about the file itself, not the plugin: another plugin will not do better.
FILE_ERRORS = (FileNotFoundError, PermissionError, IsADirectoryError)


@dataclass
class PluginInfo:
    name: str
    module: str
    version: str
    builtin: bool
    enabled: bool
    hooks: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class PluginSettings:
    order: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)


def _default_plugins_toml() -> Path:
    packaged = Path(__file__).with_name("plugins.toml")
    return packaged if packaged.exists() else Path(__file__).resolve().parent.parent / "plugins.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "(syntax)", str(exc), "fix the TOML syntax at that line") from None


def _merge(base: PluginSettings, raw: dict[str, Any], path: Path) -> None:
    for key in raw:
        if key not in ("plugins", "plugin"):
            raise ConfigError(str(path), key, "unknown table", "use [plugins] or [plugin.NAME]")
    section = raw.get("plugins", {})
    for key in ("order", "disabled"):
        if key in section:
            value = section[key]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(
                    str(path),
                    f"plugins.{key}",
                    f"expected a list of plugin names, got {value!r}",
                    f'write it as {key} = ["name", ...]',
                )
            setattr(base, key, list(value))
    for name, table in raw.get("plugin", {}).items():
        if not isinstance(table, dict):
            raise ConfigError(str(path), f"plugin.{name}", "expected a table", f"write it as [plugin.{name}]")
        base.settings.setdefault(name, {}).update(table)


def load_settings() -> PluginSettings:
    settings = PluginSettings()
    for path in (_default_plugins_toml(), folders().plugins_file):
        if path.is_file():
            _merge(settings, _read_toml(path), path)
    return settings


class Plugins:
    """A loaded plugin manager with the bookkeeping km needs around pluggy."""

    def __init__(self, settings: PluginSettings) -> None:
        self.settings = settings
        self.pm = pluggy.PluginManager("km")
        self.pm.add_hookspecs(hookspecs)
        self.info: dict[str, PluginInfo] = {}
        self.failures: dict[str, int] = {}
        self._lock = threading.Lock()
        self._load()

    def _allowed(self) -> set[str] | None:
        raw = os.environ.get("KM_LOAD_PLUGINS")
        if raw is None:
            return None
        return {name.strip() for name in raw.split(",") if name.strip()}

    def _load(self) -> None:
        allowed = self._allowed()
        points = {ep.name: ep for ep in metadata.entry_points(group="km")}
        order = [n for n in self.settings.order if n in points] + sorted(set(points) - set(self.settings.order))
        # pluggy calls the last registered first: register in reverse so `order` is call order
        for name in reversed(order):
            ep = points[name]
            dist = ep.dist
            builtin = ep.value.startswith("km_plugins.")
            info = PluginInfo(name, ep.value, dist.version if dist else "", builtin, enabled=False)
            self.info[name] = info
            if name in self.settings.disabled or (allowed is not None and name not in allowed):
                self.pm.set_blocked(name)
                continue
            try:
                module = ep.load()
                self.pm.register(module, name=name)
            except Exception as exc:  # a broken plugin must never stop km
                info.error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "plugin %s failed to load and is skipped: %s",
                    name,
                    info.error,
                    extra={"context": f"entry point: {ep.value}"},
                )
                continue
            info.enabled = True
            info.hooks = sorted(h.name for h in self.pm.get_hookcallers(module) or [])

    def impls(self, hook: str) -> Iterator[tuple[str, Any]]:
        """Implementations of ``hook`` in call order: (plugin name, function).

        The function takes keyword arguments and passes on only those the
        implementation declares, as pluggy does: a hook may gain an argument
        without breaking the plugins written before it.
        """
        caller = getattr(self.pm.hook, hook)
        for impl in reversed(caller.get_hookimpls()):
            yield impl.plugin_name, _taking(impl.function, impl.argnames)

    def record_failure(self, name: str, hook: str, exc: BaseException) -> None:
        with self._lock:  # hooks run in worker threads too (OCR)
            self.failures[name] = self.failures.get(name, 0) + 1
        log.warning("plugin %s raised in %s: %s: %s", name, hook, type(exc).__name__, exc)

    def call_first(self, hook: str, **kwargs: Any) -> tuple[str, Any]:
        """The first non-None result and who gave it; a plugin that raises is passed over.

        If a plugin raised and no later one answered, its exception is raised
        so the caller can retry or fail the item. Errors about the file itself
        are raised at once.
        """
        first_error: Exception | None = None
        for name, function in self.impls(hook):
            try:
                result = function(**kwargs)
            except FILE_ERRORS:
                raise
            except Exception as exc:
                self.record_failure(name, hook, exc)
                first_error = first_error or exc
                continue
            if result is not None:
                return name, result
        if first_error is not None:
            raise first_error
        return "", None

    def call_each(
        self, hook: str, failed: list[str] | None = None, together: bool = False, **kwargs: Any
    ) -> list[tuple[str, Any]]:
        """Every plugin's non-None result, in plugin order; a plugin that raises is logged,
        skipped and named in ``failed`` when given.

        ``together`` calls the plugins side by side, each in a thread of its own (never
        one plugin twice at once): a tagger that hands a batch to worker processes then
        waits while another reads in this process, so both cores work.
        """
        impls = list(self.impls(hook))

        def one(name: str, function: Callable[..., Any]) -> tuple[bool, Any]:
            try:
                return True, function(**kwargs)
            except Exception as exc:
                self.record_failure(name, hook, exc)
                return False, None

        if together and len(impls) > 1:
            with ThreadPoolExecutor(len(impls), thread_name_prefix=f"km-{hook}") as pool:
                outcomes = list(pool.map(lambda impl: one(*impl), impls))
        else:
            outcomes = [one(name, function) for name, function in impls]
        results = []
        for (name, _), (ok, result) in zip(impls, outcomes, strict=True):
            if not ok and failed is not None:
                failed.append(name)
            elif ok and result is not None:
                results.append((name, result))
        return results

    def plugin_settings(self) -> dict[str, dict[str, Any]]:
        return self.settings.settings


def _taking(function: Callable[..., Any], argnames: tuple[str, ...]) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        return function(**{name: kwargs[name] for name in argnames if name in kwargs})

    return call


_loaded: Plugins | None = None


def get_plugins() -> Plugins:
    global _loaded
    if _loaded is None:
        _loaded = Plugins(load_settings())
    return _loaded


def reset() -> None:
    """Forget the loaded plugins (tests, and after plugins.toml changes)."""
    global _loaded
    _loaded = None
