"""The collection's TF-IDF index: topics (NMF) and the content-similarity neighbours of items.

Fitted on the whole collection (the first time, and again by the weekly job),
then kept up to date item by item: a new or changed item is transformed with
the fitted vocabulary and its row added or replaced, so that the daily job
never recomputes all pairs. Saved in the state folder between runs.
"""

from __future__ import annotations

import ast
import importlib.util
import logging
import os
import pickle
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("km.tag")

FORMAT = 1
TEXT_CHARS = 20_000  # of each item's text; the head says what a document is about
FIT_SAMPLE = 20_000  # items the vocabulary and topics are fitted on, at most
MIN_TOPIC_DOCS = 10
MAX_FEATURES = 50_000
TOKENS = r"(?u)\b[^\W\d_][\w'-]*[^\W_]\b|\b[^\W\d_]{2}\b"  # words of 2+ letters, not numbers


def auto_topics(documents: int) -> int:
    return max(2, min(30, round((documents / 4) ** 0.5)))


@dataclass
class Collection:
    vectorizer: Any = None
    nmf: Any = None
    topic_names: list[str] = field(default_factory=list)
    topic_words: list[list[str]] = field(default_factory=list)
    ids: list[str | None] = field(default_factory=list)
    matrix: Any = None  # csr, one L2-normalised row per id (None rows are dead)
    fitted_docs: int = 0
    fitted_at: float = 0.0
    format: int = FORMAT
    signature: str = ""  # of the items it was fitted on (store.tags.text_signature)

    @property
    def fitted(self) -> bool:
        return self.vectorizer is not None

    def positions(self) -> dict[str, int]:
        return {item: row for row, item in enumerate(self.ids) if item is not None}

    # --- fitting -------------------------------------------------------------------------

    def fit(self, documents: Sequence[tuple[str, str]], topics: int = 0) -> None:
        """Learn vocabulary, weights and topics from ``documents`` (id, text); index them all."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        texts = [t[:TEXT_CHARS] for _, t in documents]
        sample = texts if len(texts) <= FIT_SAMPLE else random.Random(0).sample(texts, FIT_SAMPLE)
        many = len(sample) >= 50
        self.vectorizer = TfidfVectorizer(
            token_pattern=TOKENS,
            lowercase=True,
            stop_words=_stop_words(),
            sublinear_tf=True,
            min_df=2 if many else 1,
            max_df=0.5 if many else 1.0,
            max_features=MAX_FEATURES,
            dtype=np.float32,
        )
        try:
            self.vectorizer.fit(sample)
        except ValueError:  # every word in every document (or too few): keep them all
            self.vectorizer.set_params(min_df=1, max_df=1.0)
            try:
                self.vectorizer.fit(sample)
            except ValueError:  # nothing but stop words and numbers: nothing to index
                self.vectorizer = None
                return
        self.ids, self.matrix = [], None
        self.upsert(documents)
        self.fitted_docs, self.fitted_at = len(documents), time.time()
        self._fit_topics(topics or auto_topics(len(documents)))

    def _fit_topics(self, count: int) -> None:
        from sklearn.decomposition import NMF

        self.nmf, self.topic_names, self.topic_words = None, [], []
        live = self._live_matrix()
        if live is None or live.shape[0] < MIN_TOPIC_DOCS:
            return
        count = min(count, live.shape[0] // 2, live.shape[1])
        if count < 2:
            return
        self.nmf = NMF(n_components=count, init="nndsvda", random_state=0, max_iter=300)
        self.nmf.fit(live)
        words = self.vectorizer.get_feature_names_out()
        used: set[str] = set()
        for component in self.nmf.components_:
            top = [str(words[i]) for i in np.argsort(component)[::-1][:8] if component[i] > 0]
            self.topic_words.append(top)
            name = "-".join(top[:3]) or f"topic-{len(self.topic_names) + 1}"
            while name in used:
                name += "+"
            used.add(name)
            self.topic_names.append(name)

    # --- items ---------------------------------------------------------------------------

    def vectors(self, texts: Sequence[str]) -> Any:
        return self.vectorizer.transform([t[:TEXT_CHARS] for t in texts])

    def upsert(self, documents: Sequence[tuple[str, str]]) -> None:
        """Add or replace the rows of these items (an item with no words is removed)."""
        from scipy import sparse

        if not self.fitted or not documents:
            return
        self.remove([i for i, _ in documents])
        rows = self.vectors([t for _, t in documents])
        keep = np.flatnonzero(rows.getnnz(axis=1) > 0)
        if not len(keep):
            return
        rows = rows[keep]
        self.matrix = rows if self.matrix is None else sparse.vstack([self.matrix, rows], format="csr")
        self.ids.extend(documents[i][0] for i in keep)

    def remove(self, ids: Iterable[str]) -> None:
        gone = set(ids)
        if gone:
            self.ids = [None if i in gone else i for i in self.ids]

    def _live_matrix(self) -> Any:
        if self.matrix is None:
            return None
        live = [row for row, item in enumerate(self.ids) if item is not None]
        return self.matrix[live]

    def compact(self) -> None:
        """Drop dead rows (replaced or removed items) once they are a fifth of the matrix."""
        dead = sum(1 for i in self.ids if i is None)
        if self.matrix is not None and dead and dead * 5 >= len(self.ids):
            live = [row for row, item in enumerate(self.ids) if item is not None]
            self.matrix = self.matrix[live]
            self.ids = [self.ids[row] for row in live]

    def neighbours(self, ids: Sequence[str], k: int, threshold: float) -> dict[str, list[tuple[str, float, list[str]]]]:
        """For each indexed id: up to ``k`` (other id, cosine, words they share most) at or above ``threshold``."""
        position = self.positions()
        mine = [i for i in ids if i in position]
        if not mine or self.matrix is None:
            return {}
        rows = self.matrix[[position[i] for i in mine]]
        scores = (rows @ self.matrix.T).toarray()
        dead = [row for row, item in enumerate(self.ids) if item is None]
        scores[:, dead] = 0.0
        words = self.vectorizer.get_feature_names_out()
        found: dict[str, list[tuple[str, float, list[str]]]] = {}
        for n, item in enumerate(mine):
            scores[n, position[item]] = 0.0
            row = scores[n]
            # the k best without sorting the whole collection
            best = np.argpartition(-row, k)[:k] if k < len(row) else np.arange(len(row))
            best = best[np.argsort(-row[best], kind="stable")]
            hits = []
            for other in best:
                if scores[n, other] < threshold:
                    break
                shared = rows[n].multiply(self.matrix[other])
                top = shared.indices[np.argsort(shared.data)[::-1][:4]]
                hits.append((str(self.ids[other]), float(scores[n, other]), [str(words[t]) for t in top]))
            found[item] = hits
        return found

    def containing(
        self, queries: dict[str, str], min_words: int, k: int
    ) -> dict[str, list[tuple[str, float, list[str]]]]:
        """For each query (key -> short text, like an event's summary): up to ``k`` indexed items
        holding at least ``min_words`` of its words (all of them when it has fewer), as
        (id, share of the query's words found, the words), most words first."""
        if not self.fitted or self.matrix is None or not queries:
            return {}
        keys = list(queries)
        asked = (self.vectorizer.transform([queries[key] for key in keys]) > 0).astype(np.float32).tocsr()
        present = (self.matrix > 0).astype(np.float32)
        shared = (present @ asked.T).tocsc()  # items x queries: how many of the query's words each item has
        words = self.vectorizer.get_feature_names_out()
        analyse = self.vectorizer.build_analyzer()
        found: dict[str, list[tuple[str, float, list[str]]]] = {}
        for column, key in enumerate(keys):
            wanted = asked[column].indices
            if not len(wanted):
                continue
            # counted over all the query's words, not only the indexed ones: "Atlas budget review" with
            # only "atlas" indexed must not link everything that mentions Atlas
            said = len(set(analyse(queries[key])))
            need = min(min_words, said)
            if len(wanted) < need:
                continue
            start, end = shared.indptr[column], shared.indptr[column + 1]
            rows, counts = shared.indices[start:end], shared.data[start:end]
            hits = [(int(r), int(c)) for r, c in zip(rows, counts, strict=True) if c >= need and self.ids[r]]
            hits.sort(key=lambda hit: (-hit[1], str(self.ids[hit[0]])))
            found[key] = [
                (
                    str(self.ids[row]),
                    round(count / max(said, len(wanted)), 4),
                    [str(words[w]) for w in wanted if self.matrix[row, w] > 0],
                )
                for row, count in hits[:k]
            ]
        return found

    def topics(self, ids: Sequence[str]) -> dict[str, list[tuple[str, float, list[str]]]]:
        """For each indexed id: its topics as (name, share of the item, top words), largest first."""
        if self.nmf is None:
            return {}
        position = self.positions()
        mine = [i for i in ids if i in position]
        if not mine:
            return {}
        weights = self.nmf.transform(self.matrix[[position[i] for i in mine]])
        found = {}
        for item, row in zip(mine, weights, strict=True):
            total = float(row.sum())
            if total <= 0:
                continue
            order = np.argsort(row)[::-1][:3]
            found[item] = [(self.topic_names[t], float(row[t]) / total, self.topic_words[t]) for t in order]
        return found

    # --- persistence ---------------------------------------------------------------------

    def save(self, path: Path) -> None:
        self.compact()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two processes never write one file
        with tmp.open("wb") as out:
            pickle.dump(self, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        _remember(path, self)


# The collection last saved or loaded in this process, by path, with the file's stat then:
# the tag and relate steps of one job share it instead of unpickling it twice (1 s at 10,000 items).
_kept: dict[Path, tuple[tuple[int, int], Collection]] = {}


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def _remember(path: Path, collection: Collection) -> None:
    _kept.clear()
    _kept[path] = (_stamp(path), collection)


def load(path: Path) -> Collection:
    """The saved collection, or an empty one (to be fitted) when there is none or it cannot be read."""
    try:
        kept = _kept.get(path)
        if kept is not None and kept[0] == _stamp(path):
            return kept[1]
        with path.open("rb") as source:
            found = pickle.load(source)
        if isinstance(found, Collection) and found.format == FORMAT:
            _remember(path, found)
            return found
        log.info("collection index %s is of an older format: refitted", path)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a damaged or foreign pickle is rebuilt from the graph, never fatal
        log.warning("collection index %s unreadable (%s): refitted", path, exc)
    return Collection()


def _stop_words() -> list[str]:
    """English and the other languages spaCy knows the stop words of, for the common ones.

    Each list is read from its own file: importing ``spacy.lang.fr`` to reach its stop
    words would build the French tokenizer's exceptions first (4 s here).
    """
    words: set[str] = set()
    for lang in ("en", "de", "fr", "es"):
        words |= _spacy_stop_words(lang)
    # the vectorizer's tokens are lowercased words; stop words with apostrophes never match anyway
    return sorted(w for w in words if w.isalpha())


def _spacy_stop_words(lang: str) -> set[str]:
    """The words of ``STOP_WORDS = set(\"\"\"...\"\"\".split())`` in spaCy's file for ``lang``, read, not run."""
    spec = importlib.util.find_spec("spacy")
    if spec is None or not spec.submodule_search_locations:
        return set()
    path = Path(next(iter(spec.submodule_search_locations))) / "lang" / lang / "stop_words.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return set()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "STOP_WORDS" for t in node.targets):
            return {
                w
                for n in ast.walk(node.value)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
                for w in n.value.split()
            }
    return set()
