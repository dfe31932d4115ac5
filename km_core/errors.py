"""The one family of errors km reports to a user, each with a hint and exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_THRESHOLD = 1
EXIT_USAGE = 2
EXIT_GRAPH = 3


class KmError(Exception):
    """An error a user can act on: a message, a hint to fix it, an exit code."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(KmError):
    """A configuration file has a bad value: names the file, key and fix."""

    def __init__(self, file: str, key: str, problem: str, hint: str = "") -> None:
        super().__init__(f"config error in {file}: {key}: {problem}", hint)
        self.file = file
        self.key = key


class UsageError(KmError):
    """A command was called with arguments that cannot work."""


class GraphError(KmError):
    """The graph could not be opened, even after trying to recover it."""

    exit_code = EXIT_GRAPH


class LockTimeout(KmError):
    """Another km process held the graph for longer than we were willing to wait."""

    exit_code = EXIT_GRAPH
