"""The keyword tagger and its language guess, on real text: yake runs for real, nothing is mocked."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pluggy
import pytest
import yake

from km_core import Content, Item, JobContext, hookspecs
from km_plugins import keywords, language
from km_plugins.keywords import NAME, km_tag, merge, weigh

ITEM = Item(path="/x/a.md", ext=".md")

GERMAN = (
    "Die Stadt liegt am Ufer des Flusses und ist seit dem Mittelalter ein wichtiger Handelsplatz. "
    "Im Sommer kommen viele Besucher, um die alte Brücke und das Rathaus zu sehen, das nach dem "
    "Krieg wieder aufgebaut wurde."
)
POLISH = (
    "Miasto leży nad rzeką i od średniowiecza jest ważnym ośrodkiem handlu. Latem przyjeżdża tu "
    "wielu turystów, żeby zobaczyć stary most i ratusz, który po wojnie został odbudowany przez "
    "mieszkańców."
)
CZECH = (
    "Město leží na břehu řeky a od středověku je důležitým obchodním centrem. V létě sem přijíždí "
    "mnoho návštěvníků, aby viděli starý most a radnici, která byla po válce znovu postavena."
)
FRENCH = (
    "La ville se trouve au bord du fleuve et elle est depuis le Moyen Âge un centre de commerce "
    "important. En été, beaucoup de visiteurs viennent voir le vieux pont et l'hôtel de ville."
)
RUSSIAN = (
    "Город стоит на берегу реки и со времён Средневековья является важным торговым центром. "
    "Летом сюда приезжает много туристов, чтобы посмотреть на старый мост и ратушу."
)
JAPANESE = (
    "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
    "何でも薄暗いじめじめした所で泣いていた事だけは記憶している。"
)
CHINESE = "北京是中华人民共和国的首都，也是全国的政治、文化和国际交往中心，有着三千多年的建城史和八百多年的建都史。"
# yake ranks "Invoices" and "invoice" as two keywords of equal score.
INVOICES = (
    "Invoices from the supplier arrive every month. Each invoice lists the parts delivered, "
    "the price and the date of payment. Unpaid invoices are sent to the accounts department, "
    "which checks every invoice against the order. Late invoices cost the company money, "
    "so the accounts department pays each invoice within thirty days."
)


def ctx(**settings: object) -> JobContext:
    return JobContext(job="daily", run_id="t", plugin_settings={NAME: settings})


def tag(text: str, **settings: object) -> list | None:
    return km_tag(ITEM, Content(text=text), ctx(**settings), ())


def read(corpus: Path, name: str) -> str:
    return (corpus / "text" / name).read_text(encoding="utf-8")


# --- language ---------------------------------------------------------------


def test_bilingual_document_halves(corpus: Path) -> None:
    paragraphs = read(corpus, "eng_spa_mult.md").split("\n\n")
    english = "\n\n".join(p for p in paragraphs if "Todos" not in p)
    spanish = "\n\n".join(p for p in paragraphs if "All human" not in p)
    assert "Todos" in spanish and "All human" in english
    assert language.detect(english) == "en"
    assert language.detect(spanish) == "es"


def test_novel_is_english(corpus: Path) -> None:
    assert language.detect(read(corpus, "book-war-and-peace-1p.txt")) == "en"


@pytest.mark.parametrize(
    ("text", "expected"),
    [(GERMAN, "de"), (POLISH, "pl"), (CZECH, "cz"), (FRENCH, "fr"), (RUSSIAN, "ru")],
    ids=["de", "pl", "cz", "fr", "ru"],
)
def test_european_languages(text: str, expected: str) -> None:
    assert language.detect(text) == expected


def test_cjk_by_script() -> None:
    assert language.detect(JAPANESE) == "ja"
    assert language.detect(CHINESE) == "zh"
    # A few Han characters in English prose do not make it Chinese.
    assert (
        language.detect(
            "The museum in 北京 opened a new hall, and the visitors came from all over the country to see it."
        )
        == "en"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Hello there, world.",
        "北京",
        "1 2 3 4 5 6 7 8 9 10 11 12 13",
        "def f(x): return g(x, y=1) + h[2] * k.z(3, 4)",
    ],
    ids=["empty", "short", "short-zh", "numbers", "code"],
)
def test_unsure_is_empty(text: str) -> None:
    assert language.detect(text) == ""


def test_stopword_lists_decoded() -> None:
    codes = language.languages()
    assert "cz" in codes and "en" in codes and "noLang" not in codes
    # The two lists that are not UTF-8 come out readable.
    assert "ktorý" in language.stopwords("sk")
    assert "nėra" in language.stopwords("lt")
    assert language.stopwords("xx") == frozenset()


def test_detect_is_fast(corpus: Path) -> None:
    text = " ".join(read(corpus, "book-war-and-peace-1p.txt").split()[:500])
    language.detect(text)  # load the lists
    runs = 50
    start = time.perf_counter()
    for _ in range(runs):
        language.detect(text)
    # About 0.3 ms on a laptop; the bound leaves room for a busy CI machine.
    assert (time.perf_counter() - start) / runs < 0.005


# --- keywords ---------------------------------------------------------------


def test_ibm_article(corpus: Path) -> None:
    tags = tag(read(corpus, "wiki.md"))
    assert tags
    names = [t.name for t in tags]
    assert any("ibm" in name or "business machines" in name for name in names), names


def test_novel_keywords(corpus: Path) -> None:
    tags = tag(read(corpus, "book-war-and-peace-1p.txt"))
    assert tags
    names = " | ".join(t.name for t in tags)
    assert "anna pavlovna" in names or "prince" in names, names


@pytest.mark.parametrize("name", ["wiki.md", "book-war-and-peace-1p.txt", "duck.md", "paperless-content.txt"])
def test_tag_invariants(corpus: Path, name: str) -> None:
    tags = tag(read(corpus, name))
    assert tags and len(tags) <= 8
    weights = [t.weight for t in tags]
    assert all(0 < w <= 1 for w in weights)
    assert weights[0] == 1.0 and weights == sorted(weights, reverse=True)
    names = [t.name for t in tags]
    assert len(set(names)) == len(names)
    assert len({keywords._normalise(n)[1] for n in names}) == len(names)
    for rank, t in enumerate(tags, start=1):
        assert (t.kind, t.source, t.primary) == ("keyword", NAME, False)
        assert t.name == " ".join(t.name.casefold().split()) and 3 <= len(t.name) <= 64
        assert t.why.startswith("yake score ") and f"rank {rank} of {len(tags)}, language en" in t.why


def test_plural_merged_into_one() -> None:
    found = [kw.casefold() for kw, _ in yake.KeywordExtractor(lan="en", n=3, top=16).extract_keywords(INVOICES)]
    assert "invoice" in found and "invoices" in found  # the premise: yake alone keeps both
    tags = tag(INVOICES)
    assert tags
    invoice = [t for t in tags if t.name in ("invoice", "invoices")]
    assert len(invoice) == 1
    other = "invoice" if invoice[0].name == "invoices" else "invoices"
    assert f"merged: {other}" in invoice[0].why


def test_merge_rules() -> None:
    found = [
        ("International Business Machines", 0.01),
        ("business machines", 0.02),  # part of a better one
        ("2021-05-03", 0.03),  # no letters
        ("IBM", 0.04),
        ("the IBM", 0.05),  # a better one plus a stopword
        ("IBM Personal Computer", 0.06),  # a better one plus real words: kept
        ("ab", 0.07),  # too short
        ('"Invoices."', 0.08),
        ("invoice", 0.09),  # the same, singular
    ]
    kept = merge(found, language.stopwords("en"))
    assert [k.name for k in kept] == ["international business machines", "ibm", "ibm personal computer", "invoices"]
    assert kept[0].merged == ["business machines"]
    assert kept[1].merged == ["the ibm"]
    assert kept[3].merged == ["invoice"]


def test_weight_formula() -> None:
    assert weigh(0.01, 0.01) == 1.0
    assert weigh(0.02, 0.01) == 0.65
    assert 1.0 > weigh(0.02, 0.01) > weigh(0.1, 0.01) > weigh(10.0, 0.01) >= 0.3


def test_settings_respected(corpus: Path) -> None:
    text = read(corpus, "wiki.md")
    top3 = tag(text, top_k=3)
    assert top3 and len(top3) <= 3
    assert all(f"of {len(top3)}, language" in t.why for t in top3)
    single = tag(text, max_ngram=1)
    assert single and all(" " not in t.name for t in single)


def test_max_chars_limits_what_is_read(corpus: Path) -> None:
    head = read(corpus, "book-war-and-peace-1p.txt")[:1500]
    text = head + "\n\n" + read(corpus, "wiki.md")
    tags = tag(text, max_chars=len(head))
    assert tags
    assert not any("ibm" in t.name or "business" in t.name for t in tags)


def test_too_little_text_or_no_spaces() -> None:
    assert tag("A short note about the invoice from March.") is None
    assert tag("") is None
    assert tag(CHINESE * 5) is None  # yake needs spaces between words
    assert tag(JAPANESE * 5) is None


def test_undetected_language_falls_back_to_english() -> None:
    text = " ".join(
        ["Anna Pavlovna Scherer, Vasili Kuragin, Marya Fedorovna, Genoa, Lucca, Buonaparte,"]
        + ["Bolkonsky, Rostov, Pierre Bezukhov, Helene Kuragina, Natasha Rostova, Anatole Kuragin,"] * 2
    )
    assert language.detect(text) == ""
    tags = tag(text)
    assert tags
    assert all("language en (not detected, en assumed)" in t.why for t in tags)


def test_extractor_built_once() -> None:
    assert keywords._extractor("en", 3, 16) is keywords._extractor("en", 3, 16)
    assert keywords._extractor("de", 3, 16) is not keywords._extractor("en", 3, 16)


def test_called_through_pluggy(corpus: Path) -> None:
    manager = pluggy.PluginManager("km")
    manager.add_hookspecs(hookspecs)
    manager.register(keywords)
    content = Content(text=read(corpus, "wiki.md"))
    results = manager.hook.km_tag(item=ITEM, content=content, ctx=ctx(top_k=4), batch=[(ITEM, content)])
    assert len(results) == 1 and 0 < len(results[0]) <= 4


def test_a_batch_in_worker_processes_answers_as_one_by_one(corpus: Path) -> None:
    texts = [read(corpus, name) for name in ("wiki.md", "book-war-and-peace-1p.txt", "eng_spa_mult.md")]
    texts += [GERMAN * 3, "too short to rank", CHINESE * 5]
    pairs = [(Item(path=f"/x/{n}.txt", ext=".txt"), Content(text=t)) for n, t in enumerate(texts)]
    alone = [tag(text) for text in texts]
    settings = ctx(processes=2)
    in_batch = [km_tag(item, content, settings, pairs) for item, content in pairs]
    assert in_batch == alone
    assert sum(1 for tags in in_batch if tags) == 4
    # the language is set on each item's content here, not lost in a worker
    assert [c.metadata.get("lang") for _, c in pairs] == ["en", "en", "en", "de", None, None]
    # asked again (a retry) after its answer was handed out, an item is read again on its own
    again = [km_tag(item, content, settings, pairs) for item, content in pairs]
    assert again == alone


def test_parallel_map_keeps_order_and_uses_workers() -> None:
    from km_plugins._batch import parallel_map

    assert parallel_map(abs, list(range(-50, 0)), 2) == list(range(50, 0, -1))
    pids = set(parallel_map(_pid, list(range(40)), 2))
    assert os.getpid() not in pids and len(pids) >= 1
    assert parallel_map(_pid, [1, 2], 1) == [os.getpid()] * 2


def _pid(_: int) -> int:
    return os.getpid()
