"""Taggers read a batch side by side; small helpers of the tag path that were slow."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from km_core import Content, Item, Tag, hookimpl
from km_core.plugins import Plugins, PluginSettings
from km_plugins import _batch


class Waiter:
    """Returns only once the other plugin has started: called one after the other, it times out."""

    def __init__(self, started: threading.Event, other: threading.Event) -> None:
        self.started, self.other = started, other

    @hookimpl
    def km_tag(self, item: Item) -> list[Tag]:
        self.started.set()
        if not self.other.wait(timeout=2):
            raise TimeoutError("the other tagger never ran beside this one")
        return [Tag(item.path, "keyword", 1.0)]


class Raiser:
    @hookimpl
    def km_tag(self, item: Item) -> list[Tag]:
        raise RuntimeError("broken tagger")


def plugins_with(*named: tuple[str, object]) -> Plugins:
    plugins = Plugins(PluginSettings())
    for name, plugin in plugins.pm.list_name_plugin():
        if plugin is not None:
            plugins.pm.unregister(plugin=plugin, name=name)
    for name, plugin in reversed(named):  # pluggy calls the last registered first
        plugins.pm.register(plugin, name=name)
    return plugins


def test_together_runs_each_plugin_in_its_own_thread_and_keeps_order() -> None:
    a, b = threading.Event(), threading.Event()
    plugins = plugins_with(("first", Waiter(a, b)), ("broken", Raiser()), ("second", Waiter(b, a)))
    failed: list[str] = []
    began = time.monotonic()
    results = plugins.call_each("km_tag", failed=failed, together=True, item=Item(path="x"))
    assert time.monotonic() - began < 2
    assert [name for name, _ in results] == ["first", "second"]
    assert failed == ["broken"] and plugins.failures == {"broken": 1}


def test_one_after_the_other_by_default() -> None:
    a, b = threading.Event(), threading.Event()
    plugins = plugins_with(("first", Waiter(a, b)), ("second", Waiter(b, a)))
    failed: list[str] = []
    results = plugins.call_each("km_tag", failed=failed, item=Item(path="x"))
    # the first waited for a second that had not started: it failed alone, the second found it had
    assert failed == ["first"] and [name for name, _ in results] == ["second"]


@pytest.mark.parametrize("size", [1, 2_000])
def test_batch_answers_computed_once_and_only_for_members(size: int) -> None:
    batch = [(Item(path=f"p{i}"), Content(text="t")) for i in range(size)]
    calls: list[int] = []

    def compute(pairs: _batch.Pairs) -> list[str]:
        calls.append(len(pairs))
        return [item.path.upper() for item, _ in pairs]

    answers = _batch.BatchAnswers[str]()
    assert answers.get(Item(path="p0"), batch, compute) is None  # equal, but not one of the batch's items
    assert calls == []  # and nothing was computed for it
    assert [answers.get(item, batch, compute) for item, _ in batch] == [f"P{i}" for i in range(size)]
    assert calls == [size]  # one pass over the whole batch
    assert answers.get(batch[0][0], batch, compute) is None  # asked twice: the caller reads it alone


def test_stop_words_read_from_spacy_files_without_importing_the_languages() -> None:
    probe = (
        "import sys; from km_core.tagging.collection import _stop_words; words = _stop_words(); "
        "print(len(words), {'the', 'und', 'les', 'para'} <= set(words), 'spacy.lang.fr' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    count, common, imported = done.stdout.split()
    assert int(count) > 1_500 and common == "True" and imported == "False"

    from km_core.tagging.collection import _spacy_stop_words

    spacy_fr = pytest.importorskip("spacy.lang.fr.stop_words")
    assert _spacy_stop_words("fr") == set(spacy_fr.STOP_WORDS)
