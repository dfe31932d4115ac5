"""PDF text extraction: km's extractor against raw pypdfium2 on the same files, in the same run.

Generates 40 ten-page PDFs with a real text layer (reportlab, a test extra),
then measures pages/s for
- raw:  pypdfium2 open, get_textpage().get_text_range() per page, close;
- km:   km's `pdf` plugin (`km_extract`), which also reads metadata, cleans the
        text and cross-checks pages pdfium may have misread.

Usage: python benchmarks/bench_pdf.py [--files 40] [--pages 10]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORDS = (
    "invoice meeting project budget report quarterly revenue customer contract schedule "
    "analysis summary review design research proposal delivery payment"
).split()


def make_pdfs(folder: Path, files: int, pages: int) -> list[Path]:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(3)
    paths = []
    for index in range(files):
        path = folder / f"doc-{index:03d}.pdf"
        paths.append(path)
        if path.exists():
            continue
        pdf = canvas.Canvas(str(path), pagesize=A4)
        pdf.setTitle(f"Document {index}")
        for _ in range(pages):
            text = pdf.beginText(50, 800)
            for _line in range(45):
                text.textLine(" ".join(rng.choice(WORDS) for _ in range(12)))
            pdf.drawText(text)
            pdf.showPage()
        pdf.save()
    return paths


def raw_pages(paths: list[Path]) -> tuple[int, float]:
    import pypdfium2 as pdfium

    began = time.perf_counter()
    pages = 0
    for path in paths:
        document = pdfium.PdfDocument(str(path))
        try:
            for page in document:
                textpage = page.get_textpage()
                textpage.get_text_range()
                textpage.close()
                page.close()
                pages += 1
        finally:
            document.close()
    return pages, time.perf_counter() - began


def km_pages(paths: list[Path]) -> tuple[int, float]:
    from km_core import Item, JobContext
    from km_plugins import pdf

    ctx = JobContext(job="bench", run_id="bench")
    began = time.perf_counter()
    pages = 0
    for path in paths:
        content = pdf.km_extract(Item(path=str(path), ext=".pdf"), ctx)
        assert content is not None and content.status == "ok", content
        pages += content.pages
    return pages, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--pages", type=int, default=10)
    args = parser.parse_args()
    paths = make_pdfs(HERE / "_work" / "pdf", args.files, args.pages)
    raw_pages(paths[:2])  # warm imports and the page cache
    km_pages(paths[:2])
    best_raw = min(raw_pages(paths)[1] for _ in range(3))
    best_km = min(km_pages(paths)[1] for _ in range(3))
    total = args.files * args.pages
    print(
        json.dumps(
            {
                "pages": total,
                "raw_pypdfium2_pages_per_s": round(total / best_raw),
                "km_pages_per_s": round(total / best_km),
                "km_vs_raw": round(best_raw / best_km, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
