"""Tagging and relating: km's tag step against raw spaCy ``nlp.pipe`` (NER only), and the
relate step for new items against a large collection.

Part 1 (tag): 200 documents of about 500 words, sentences drawn from the corpus texts.
- raw: spaCy with only ``ner`` loaded, ``nlp.pipe(texts, batch_size=64)``, one process,
       model already loaded (words/s of the pipe alone);
- km:  ``km job daily --task tag`` on a home where the same documents were discovered and
       extracted: entities (spaCy), keywords (yake), type rules, topics, rules, merge, graph writes.
Part 2 (relate): a collection of N short documents, then 100 new ones; the time of the
relate step for the 100 (similar, same day/week, shared tags, cross-domain) from the job summary.

Usage: python benchmarks/bench_tagging.py [--docs 200] [--collection 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KM = str(Path(sys.executable).with_name("km"))
CORPUS = Path(os.environ.get("KM_CORPUS", HERE.parent.parent / "shared" / "corpus"))


def sentences() -> list[str]:
    texts = [p.read_text(errors="ignore") for p in (CORPUS / "text").glob("*")]
    texts += [p.read_text(errors="ignore") for p in (CORPUS / "expected").rglob("*") if p.is_file()]
    found = [s.strip() for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s.split()) > 5]
    if not found:
        sys.exit(f"no corpus text found at {CORPUS}: set KM_CORPUS")
    return found


def documents(count: int, words: int, seed: int) -> list[str]:
    pool, rng = sentences(), random.Random(seed)
    docs = []
    for _ in range(count):
        chosen: list[str] = []
        while sum(len(s.split()) for s in chosen) < words:
            chosen.append(rng.choice(pool))
        docs.append(" ".join(chosen))
    return docs


def km(home: Path, *args: str, env: dict[str, str] | None = None) -> dict:
    done = subprocess.run(
        [KM, "job", "daily", "--json", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "KM_HOME": str(home), **(env or {})},
        check=False,
    )
    return json.loads(done.stdout)


def home_for(base: Path, roots: list[Path]) -> Path:
    home = base / "home"
    (home / "config").mkdir(parents=True, exist_ok=True)
    listed = ", ".join(f'"{r}"' for r in roots)
    (home / "config" / "km.toml").write_text(f"[locations]\nroots = [{listed}]\n[ignore]\nsettle_seconds = 0\n")
    return home


def bench_tag(base: Path, count: int) -> None:
    texts = documents(count, 500, seed=1)
    words = sum(len(t.split()) for t in texts)
    from km_plugins.entities import pipeline

    nlp, _ = pipeline("en_core_web_sm")
    list(nlp.pipe(texts[:8]))  # warm
    began = time.perf_counter()
    entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))
    raw = time.perf_counter() - began
    folder = base / "docs"
    folder.mkdir(parents=True)
    for n, text in enumerate(texts):
        (folder / f"doc-{n:04d}.txt").write_text(text)
    home = home_for(base, [folder])
    km(home, "--task", "discover")
    km(home, "--task", "extract")
    began = time.perf_counter()
    summary = km(home, "--task", "tag")
    wall = time.perf_counter() - began
    step = summary["steps"]["tag"]
    print(f"tag: {count} docs, {words} words, {entities} entities (raw)")
    print(f"  raw spaCy nlp.pipe (ner only, 1 process): {raw:.2f} s, {words / raw:,.0f} words/s")
    print(f"  km tag step: {step:.2f} s, {words / step:,.0f} words/s -> {raw / step:.2f}x raw")
    print(f"  km tag job wall (process start, imports, model load): {wall:.2f} s -> {raw / wall:.2f}x raw")


def bench_relate(base: Path, collection: int) -> None:
    rng = random.Random(2)
    pool = sentences()
    old, new = base / "collection", base / "new"
    for folder, count in ((old, collection), (new, 100)):
        for n in range(count):
            path = folder / f"area-{n % 7}" / f"note-{n:05d}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(" ".join(rng.choice(pool) for _ in range(4)))
            stamp = 1_700_000_000 + rng.randrange(0, 400) * 86_400
            os.utime(path, (stamp, stamp))
    home = home_for(base, [old])
    began = time.perf_counter()
    first = km(home)
    print(f"relate: collection of {collection} built in {time.perf_counter() - began:.0f} s ({first['status']})")
    (home / "config" / "km.toml").write_text(f'[locations]\nroots = ["{old}", "{new}"]\n[ignore]\nsettle_seconds = 0\n')
    summary = km(home)
    print(
        f"  100 new items: relate step {summary['steps']['relate']:.2f} s, "
        f"{summary['counts'].get('relations', 0)} edges; tag step {summary['steps']['tag']:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--collection", type=int, default=10_000)
    parser.add_argument("--work", default=str(HERE / "_work" / "tagging"))
    parser.add_argument("--only", choices=["tag", "relate"], default="")
    args = parser.parse_args()
    import shutil

    base = Path(args.work)
    shutil.rmtree(base, ignore_errors=True)
    if args.only in ("", "tag"):
        bench_tag(base / "tag", args.docs)
    if args.only in ("", "relate"):
        bench_relate(base / "relate", args.collection)


if __name__ == "__main__":
    main()
