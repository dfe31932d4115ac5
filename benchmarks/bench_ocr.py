"""Screenshot OCR: km's OCR step against the raw tesseract CLI on the same images, in the same run.

Generates 60 screenshot-like PNGs (text of several kinds: prose, code, tables),
30 at 1440x900 and 30 at 2880x1800, then measures
- raw: `tesseract IMAGE stdout` with OMP_THREAD_LIMIT=1, one process per core;
- km:  `km job daily --task ocr` on a home holding the same images (after a
       discovery run, so only OCR is timed), which also classifies each image
       and writes the graph.

Usage: python benchmarks/bench_ocr.py [--count 60]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
KM = str(Path(sys.executable).with_name("km"))
WORDS = (
    "the project review meeting budget design server deploy invoice customer report update "
    "schedule release notes metric latency error cache query index"
).split()


def make_screens(folder: Path, count: int) -> list[Path]:
    from PIL import Image, ImageDraw, ImageFont

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(5)
    paths = []
    for index in range(count):
        scale = 1 if index % 2 == 0 else 2
        path = folder / f"Screenshot 2025-10-{index % 28 + 1:02d} at 10.{index:02d}.00.png"
        paths.append(path)
        if path.exists():
            continue
        image = Image.new("RGB", (1440 * scale, 900 * scale), "white")
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=26 * scale)
        draw.rectangle((0, 0, 1440 * scale, 60 * scale), fill=(235, 235, 240))
        for line in range(22):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12)))
            draw.text((60 * scale, (90 + line * 36) * scale), text, fill="black", font=font)
        image.save(path)
    return paths


def raw_cli(paths: list[Path]) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(["tesseract", str(path), "stdout"], capture_output=True, env=env, check=True)

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(one, paths))
    return time.perf_counter() - began


def km_ocr(folder: Path, work: Path) -> tuple[float, dict]:
    home = work / "ocr-home"
    shutil.rmtree(home, ignore_errors=True)
    (home / "config").mkdir(parents=True)
    (home / "config" / "km.toml").write_text(f'[locations]\nroots = ["{folder}"]\n[ignore]\nsettle_seconds = 0\n')
    if os.environ.get("BENCH_OCR_WORKERS"):
        (home / "config" / "plugins.toml").write_text(f"[plugin.ocr]\nworkers = {os.environ['BENCH_OCR_WORKERS']}\n")
    env = {**os.environ, "KM_HOME": str(home)}
    subprocess.run([KM, "job", "daily", "--task", "discover", "--quiet"], env=env, check=True)
    began = time.perf_counter()
    done = subprocess.run(
        [KM, "job", "daily", "--task", "ocr", "--json"], env=env, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - began
    return wall, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=60)
    args = parser.parse_args()
    work = HERE / "_work"
    folder = work / "screens"
    paths = make_screens(folder, args.count)
    raw_s = raw_cli(paths)
    km_wall, summary = km_ocr(folder, work)
    assert summary["counts"]["ocr"] == len(paths), summary["counts"]
    print(
        json.dumps(
            {
                "images": len(paths),
                "cores": os.cpu_count(),
                "raw_cli_s": round(raw_s, 2),
                "raw_images_per_s": round(len(paths) / raw_s, 2),
                "km_step_s": summary["steps"]["ocr"],
                "km_wall_s": round(km_wall, 2),
                "km_vs_raw_step": round(raw_s / summary["steps"]["ocr"], 2),
                "km_vs_raw_wall": round(raw_s / km_wall, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
