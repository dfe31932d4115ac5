"""Guess a document's language, as a yake language code, from yake's own stopword lists.

The guess only has to choose the stopword list yake extracts keywords with, so
it uses those very lists: the language whose stopwords make up the largest
share of a text's words wins (a word spelt with a letter only some languages
use counts for those too). That needs no model and no extra dependency, is
easy to explain, and takes well under a millisecond for a page of text.
Chinese and Japanese are found by script instead: they are written without
spaces, so their words never match a stopword list one token at a time.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from importlib.util import find_spec
from pathlib import Path

SAMPLE_CHARS = 20_000  # the opening of a document says what language it is in
MIN_WORDS = 8  # fewer words than this are too few to tell languages apart
# Real prose is 25-50 % stopwords in its own language (less for the languages
# with short lists: Estonian 34 words, Danish 63); text with fewer hits than
# this is code, a table, a list of names or a language yake has no list for.
MIN_SHARE = 0.12
MIN_CJK_CHARS = 12  # about as much as MIN_WORDS words of Chinese or Japanese

# Runs of letters (no digits, no underscore) of two or more: the German,
# English, French and Slovene lists hold every single letter of the alphabet,
# so "x" or "k" says nothing about a language, and code and formulas are full of them.
_WORDS = re.compile(r"[^\W\d_]{2,}")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
# Hiragana, Katakana (without U+30FB, the middle dot Chinese also uses), halfwidth Katakana.
_KANA = "\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_CJK_CHAR = re.compile(f"[{_HAN}{_KANA}]")
_KANA_CHAR = re.compile(f"[{_KANA}]")
# Two of yake's lists are not UTF-8; yake reads them as Latin-1 and gets mojibake.
_LEGACY_ENCODINGS = {"sk": "cp1250", "lt": "iso-8859-13"}
_BY_SCRIPT = frozenset({"zh", "ja"})
# Letters that only these of yake's languages write. Some stopword lists are
# thin (Polish lacks "i", "w", "z", "który") and neighbours share many
# stopwords (Czech and Slovak, Russian and Bulgarian), so a word spelt with
# one of these letters counts as a hit for its languages too.
_LETTER_HINTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys("łśźżń", ("pl",)),
    **dict.fromkeys("ąę", ("pl", "lt")),
    **dict.fromkeys("řěů", ("cz",)),
    **dict.fromkeys("ľĺŕ", ("sk",)),
    **dict.fromkeys("őű", ("hu",)),
    **dict.fromkeys("ășțţ", ("ro",)),
    **dict.fromkeys("ğı", ("tr",)),
    **dict.fromkeys("ėįų", ("lt",)),
    **dict.fromkeys("ģķļņ", ("lv",)),
    **dict.fromkeys("ß", ("de",)),
    **dict.fromkeys("ñ", ("es",)),
    **dict.fromkeys("ã", ("pt", "br")),  # "br" is yake's Brazilian Portuguese
    **dict.fromkeys("іїєґ", ("uk",)),
    **dict.fromkeys("ыэё", ("ru",)),
    **dict.fromkeys("پچژگ", ("fa",)),
}
_NO_LANGUAGE = "noLang"  # yake's empty fallback list


@cache
def _lists_dir() -> Path | None:
    # find_spec locates yake without importing it: the import takes half a second.
    spec = find_spec("yake")
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "core" / "StopwordsList"
    return folder if folder.is_dir() else None


@cache
def languages() -> tuple[str, ...]:
    """The language codes yake has a stopword list for (note: Czech is "cz")."""
    folder = _lists_dir()
    codes = (path.stem.removeprefix("stopwords_") for path in folder.glob("stopwords_*.txt")) if folder else ()
    return tuple(sorted(code for code in codes if code != _NO_LANGUAGE))


@cache
def stopwords(lan: str) -> frozenset[str]:
    """yake's stopword list for ``lan``, lowercased, decoded right; empty if there is none."""
    folder = _lists_dir()
    if folder is None or lan not in languages():
        return frozenset()
    data = (folder / f"stopwords_{lan}.txt").read_bytes()
    try:
        text = data.decode("utf-8-sig")  # several lists start with a byte-order mark
    except UnicodeDecodeError:
        text = data.decode(_LEGACY_ENCODINGS.get(lan, "latin-1"))
    return frozenset(word for line in text.lower().splitlines() if (word := line.strip()))


@cache
def _index() -> dict[str, tuple[str, ...]]:
    """Each stopword and the languages it belongs to: one lookup per word, not one per list."""
    index: dict[str, set[str]] = {}
    for lan in languages():
        if lan in _BY_SCRIPT:
            continue
        for entry in stopwords(lan):
            # Tokenised as text is, an entry that is not exactly one token
            # ("taip pat", "don't", a single letter) could never match one.
            tokens = _WORDS.findall(entry)
            if len(tokens) == 1:
                index.setdefault(tokens[0], set()).add(lan)
    return {word: tuple(sorted(langs)) for word, langs in index.items()}


def detect(text: str) -> str:
    """The language of ``text`` as a yake code ("en", "de", "cz", "zh", ...), or "" if unsure."""
    sample = text[:SAMPLE_CHARS].lower()
    tokens = _WORDS.findall(sample)
    script = _cjk_language(sample, tokens)
    if script is not None:
        return script
    if len(tokens) < MIN_WORDS:
        return ""
    index = _index()
    hits: dict[str, int] = {}  # a plain dict: Counter's += is twice as slow here
    # Counting distinct words first saves most lookups: "the" is 6 % of English.
    for word, times in Counter(tokens).items():
        langs = index.get(word, ())
        if not word.isascii():
            langs = {*langs, *(lan for char in set(word) for lan in _LETTER_HINTS.get(char, ()))}
        for lan in langs:
            hits[lan] = hits.get(lan, 0) + times
    if not hits:
        return ""
    # On a tie (Portuguese matches "pt" and "br" alike) the longer list wins:
    # it is the one yake will extract with. The code makes the order total.
    best = max(hits, key=lambda lan: (hits[lan], len(stopwords(lan)), lan))
    return best if hits[best] >= MIN_SHARE * len(tokens) else ""


def _cjk_language(sample: str, tokens: list[str]) -> str | None:
    """Chinese or Japanese for text mostly in Han or Kana, "" if it is too short, else None."""
    if not _CJK_CHAR.search(sample):
        return None  # the usual case, decided in one pass of a compiled regex
    cjk = len(_CJK_CHAR.findall(sample))
    letters = sum(map(len, tokens))
    if cjk * 2 < letters:
        return None  # a few CJK names in a Latin-script text
    if cjk < MIN_CJK_CHARS:
        return ""
    # Japanese mixes Kanji (Han) with Kana; Chinese has no Kana at all.
    return "ja" if _KANA_CHAR.search(sample) else "zh"
