"""A document-type classifier learned from the types the user confirmed.

The rules in ``km_plugins.doctype`` know no user's own paperwork; this model
does, once there are a few confirmed examples: TF-IDF over word uni- and
bigrams, then a logistic regression. It is small enough to retrain on every run
whose examples changed (``signature`` says when), and it is saved with the
scikit-learn version that made it, because a pickle from another version may
load and then misbehave.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MIN_EXAMPLES = 5
MIN_LABELS = 2
TEXT_LIMIT = 20_000
MAX_FEATURES = 20_000
FORMAT = 1


def _cut(text: str) -> str:
    return text[:TEXT_LIMIT]


def signature_of(examples: Sequence[tuple[str, str]]) -> str:
    """sha1 of the sorted (label, sha1(text)) pairs: equal exactly when a retrain would learn the same thing.

    Texts are hashed as the model sees them (cut to ``TEXT_LIMIT``), so an edit
    past the cut does not force a retrain. The order of the examples does not
    matter; a duplicate does, as it does in training.
    """
    pairs = sorted((label, hashlib.sha1(_cut(text).encode("utf-8", "replace")).hexdigest()) for text, label in examples)
    digest = hashlib.sha1()
    for label, text_hash in pairs:
        digest.update(f"{label}\t{text_hash}\n".encode())
    return digest.hexdigest()


class TypeModel:
    """TF-IDF + logistic regression over (text, label) examples; build it with ``train`` or ``load``."""

    def __init__(self, pipeline: Any, examples: int, labels: tuple[str, ...], signature: str) -> None:
        self._pipeline = pipeline
        self.examples = examples
        self.labels = labels
        self.signature = signature

    @classmethod
    def train(cls, examples: Sequence[tuple[str, str]]) -> TypeModel | None:
        """Learn from (text, label) pairs; None while there are too few examples or labels to learn from."""
        labels = tuple(sorted({label for _, label in examples}))
        if len(examples) < MIN_EXAMPLES or len(labels) < MIN_LABELS:
            return None
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline

        pipeline = Pipeline(
            [
                ("tfidf", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=MAX_FEATURES)),
                # A weak penalty (large C): with a handful of examples per label the default
                # C=1 spreads the probability so thin that no prediction is ever confident.
                ("clf", LogisticRegression(C=10.0, max_iter=1000, class_weight="balanced")),
            ]
        )
        pipeline.fit([_cut(text) for text, _ in examples], [label for _, label in examples])
        return cls(pipeline, len(examples), labels, signature_of(examples))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """For each text, the most likely label and its probability."""
        if not texts:
            return []
        probabilities = self._pipeline.predict_proba([_cut(text) for text in texts])
        classes = self._pipeline.classes_
        return [(str(classes[row.argmax()]), float(row.max())) for row in probabilities]

    def save(self, path: Path) -> None:
        """Write the model atomically: a reader sees the old file or the new one, never half of one."""
        import sklearn

        # The fitted pipeline is pickled on its own, inside a plain envelope, so that
        # ``load`` can read the version before it unpickles any scikit-learn object.
        envelope = {
            "format": FORMAT,
            "sklearn": sklearn.__version__,
            "examples": self.examples,
            "labels": self.labels,
            "signature": self.signature,
            "pipeline": pickle.dumps(self._pipeline, protocol=pickle.HIGHEST_PROTOCOL),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(envelope, handle, protocol=pickle.HIGHEST_PROTOCOL)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @classmethod
    def load(cls, path: Path) -> TypeModel | None:
        """The saved model, or None when it is absent, unreadable or made by another scikit-learn.

        None means "train again", which is always possible from the confirmed
        types, so a damaged file is not worth an error. The file is a pickle: it
        must live in km's own data folder, never come from elsewhere.
        """
        import sklearn

        try:
            with open(path, "rb") as handle:
                envelope = pickle.load(handle)
            if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
                return None
            if envelope.get("sklearn") != sklearn.__version__:
                return None
            pipeline = pickle.loads(envelope["pipeline"])
            return cls(pipeline, int(envelope["examples"]), tuple(envelope["labels"]), str(envelope["signature"]))
        except Exception:  # absent, truncated, garbage, a class gone from sklearn: all mean "no model"
            return None
