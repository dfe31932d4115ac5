"""Built-in keyword tagger: the phrases yake ranks highest, with near-duplicates merged.

yake scores candidate phrases by statistics of the document alone (position,
frequency, casing, spread, context), so it needs no model and no corpus. Lower
yake scores are better. Settings (``[plugin.keywords]`` in plugins.toml):
``top_k`` keywords per item, ``max_ngram`` words per keyword, and
``max_chars``, the leading characters given to yake (pure Python, linear in
the text, about 0.1 ms per word).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from km_core import Content, Item, JobContext, Tag, hookimpl
from km_plugins import _batch, language
from km_plugins._batch import BatchAnswers

if TYPE_CHECKING:
    import yake

NAME = "keywords"
MIN_WORDS = 20  # fewer words carry no statistics for yake to rank by
MIN_CHARS = 3
NAME_MAX = 64
DEDUP_LIM = 0.8  # yake's own dedup: drop a phrase this similar to a better one
MIN_WEIGHT = 0.3
FALLBACK_LANGUAGE = "en"
_NO_SPACES = frozenset({"zh", "ja"})  # yake splits words at spaces: no use here
# yake reads about 10,000 words a second: below this many characters a batch stays in this process.
PARALLEL_CHARS = 100_000

# Stripped from the ends of a keyword and of its words: sentence punctuation,
# quotes, brackets, Markdown emphasis. Not "+" or "#", which "C++" and "C#" need.
_EDGE_CHARS = " \t.,;:!?\"'“”‘’«»()[]{}<>*_~`/\\|"
# yake reads newlines as spaces, so a heading or list item without a full stop
# runs into the next line ("IBM International Business"); a blank line after
# text without closing punctuation is made a sentence end.
_OPEN_PARAGRAPH_END = re.compile(r"(?<=[^\s.!?:;])[ \t]*\n[ \t]*\n")


@dataclass(slots=True)
class Keyword:
    """One kept keyword: its tag name, words for comparing, yake score, merged forms."""

    name: str
    words: tuple[str, ...]  # casefolded, ends' punctuation stripped
    norm: tuple[str, ...]  # the same words, naively singular
    score: float
    merged: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Settings:
    top_k: int
    max_ngram: int
    max_chars: int

    @classmethod
    def of(cls, ctx: JobContext) -> Settings:
        return cls(
            top_k=max(1, int(ctx.setting(NAME, "top_k", 8))),
            max_ngram=max(1, int(ctx.setting(NAME, "max_ngram", 3))),
            max_chars=max(1, int(ctx.setting(NAME, "max_chars", 20_000))),
        )


# (language detected, keyword tags or None) for each item of the batch being tagged.
_answers: BatchAnswers[tuple[str | None, list[Tag] | None]] = BatchAnswers()


@hookimpl
def km_tag(item: Item, content: Content, ctx: JobContext, batch: Sequence[tuple[Item, Content]]) -> list[Tag] | None:
    settings = Settings.of(ctx)
    answer = _answers.get(item, batch, lambda pairs: _read_all(ctx, settings, pairs))
    lang, tags = answer or analyse((content.text, settings))
    if lang is not None:
        content.metadata["lang"] = lang  # the engine stores it on the item (File.lang)
    return tags


def _read_all(
    ctx: JobContext, settings: Settings, pairs: Sequence[tuple[Item, Content]]
) -> list[tuple[str | None, list[Tag] | None]]:
    """Every item of a batch; yake is pure Python, so a large batch is shared among processes."""
    jobs = [(content.text, settings) for _, content in pairs]
    chars = sum(min(len(text), settings.max_chars) for text, _ in jobs)
    return _batch.parallel_map(analyse, jobs, _batch.processes(ctx, NAME, chars, PARALLEL_CHARS))


def analyse(job: tuple[str, Settings]) -> tuple[str | None, list[Tag] | None]:
    """The language of a text ("" if unsure) and its keyword tags; (None, None) when the
    text is too short to tell either."""
    text, settings = job
    sample = text[: settings.max_chars]
    if len(sample.split()) < MIN_WORDS:
        return None, None
    detected = language.detect(sample)
    if detected in _NO_SPACES:
        return detected, None
    lan = detected or FALLBACK_LANGUAGE
    # Ask for twice as many: merging near-duplicates must still leave top_k.
    extractor = _extractor(lan, settings.max_ngram, 2 * settings.top_k)
    found = extractor.extract_keywords(_OPEN_PARAGRAPH_END.sub(".\n\n", sample))
    kept = merge(found, language.stopwords(lan))[: settings.top_k]
    if not kept:
        return detected, None
    note = "" if detected else f" (not detected, {FALLBACK_LANGUAGE} assumed)"
    tags = []
    for rank, keyword in enumerate(kept, start=1):
        why = f"yake score {keyword.score:.4f}, rank {rank} of {len(kept)}, language {lan}{note}"
        if keyword.merged:
            why += ", merged: " + ", ".join(keyword.merged)
        weight = weigh(keyword.score, kept[0].score)
        tags.append(Tag(name=keyword.name, kind="keyword", weight=weight, source=NAME, primary=False, why=why))
    return detected, tags


@lru_cache(maxsize=32)
def _extractor(lan: str, n: int, top: int) -> yake.KeywordExtractor:
    # Imported here: yake takes half a second to import, which every km command
    # would pay when the plugin is loaded. One extractor per configuration is kept.
    import yake

    # The stopwords are passed in because yake itself misreads the two lists
    # that are not UTF-8 (Slovak, Lithuanian).
    return yake.KeywordExtractor(lan=lan, n=n, top=top, dedup_lim=DEDUP_LIM, stopwords=language.stopwords(lan))


def weigh(score: float, best: float) -> float:
    """The tag weight for a yake ``score``, given the ``best`` (lowest) score kept.

    weight = 0.3 + 0.7 * best / score, rounded to 3 places: 1.0 for the best
    keyword, falling towards 0.3 as a keyword scores worse. The ratio keeps the
    weight comparable across documents, whose raw yake scores differ by orders
    of magnitude; the floor keeps every kept keyword visibly a real tag.
    """
    ratio = min(1.0, best / score) if score > 0 else 1.0
    return round(MIN_WEIGHT + (1 - MIN_WEIGHT) * max(0.0, ratio), 3)


def merge(found: Iterable[tuple[str, float]], stopwords: frozenset[str]) -> list[Keyword]:
    """Keep yake's keywords, best first, folding each near-duplicate into a better one kept.

    A keyword is folded when, against a better one, it has the same normalised
    words ("Invoices" and "invoice"), is a whole-word part of it ("business
    machines" in "international business machines"), or is it plus only
    stopwords. Keywords without letters or under three characters are dropped.
    """
    kept: list[Keyword] = []
    for surface, score in found:
        name = " ".join(surface.casefold().split()).strip(_EDGE_CHARS)[:NAME_MAX].rstrip(_EDGE_CHARS)
        words, norm = _normalise(name)
        if len(name) < MIN_CHARS or not norm or not any(char.isalpha() for char in name):
            continue
        home = next((k for k in kept if _covers(k, words, norm, stopwords)), None)
        if home is None:
            kept.append(Keyword(name, words, norm, float(score)))
        elif name != home.name and name not in home.merged:
            home.merged.append(name)
    return kept


def _normalise(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    words = tuple(word for raw in name.split() if (word := raw.strip(_EDGE_CHARS)))
    return words, tuple(_singular(word) for word in words)


def _singular(word: str) -> str:
    # Naive on purpose: wrong for "analyses" or "news", but it only decides
    # which phrases count as the same, and is easy to predict.
    word = word.removesuffix("'s").removesuffix("\u2019s")
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _covers(better: Keyword, words: tuple[str, ...], norm: tuple[str, ...], stopwords: frozenset[str]) -> bool:
    """Whether a phrase adds nothing to ``better``: its words, part of them, or them plus stopwords."""
    if len(norm) <= len(better.norm):
        return _find(norm, better.norm) >= 0
    at = _find(better.norm, norm)
    rest = words[:at] + words[at + len(better.norm) :]
    return at >= 0 and all(word in stopwords for word in rest)


def _find(part: tuple[str, ...], whole: tuple[str, ...]) -> int:
    """Where ``part`` occurs as consecutive whole words of ``whole``, or -1."""
    size = len(part)
    return next((i for i in range(len(whole) - size + 1) if whole[i : i + size] == part), -1)
