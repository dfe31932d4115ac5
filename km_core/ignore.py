"""Ignore patterns compiled once into a single regular expression."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence


def compile_ignore(patterns: Sequence[str]) -> Callable[[str, bool], bool]:
    """A test ``ignored(name, is_dir)`` for file and folder names (not whole paths)."""
    if not patterns:
        return lambda name, is_dir: False
    regex = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns))
    match = regex.match

    def ignored(name: str, is_dir: bool) -> bool:
        return match(name) is not None

    return ignored
