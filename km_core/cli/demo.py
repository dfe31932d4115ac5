"""``km demo``: a small generated home, the daily job run on it, and what to try next.

Everything lives under the folder the user names: the files in ``home/`` and
km's own config, graph, state and logs in ``km/`` (through ``KM_HOME``), so
the demo never touches the user's real setup.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from km_core.cli.output import say

TEXTS = {
    "Documents/meeting-notes-2025-10-08.md": (
        "# Project Atlas kickoff\n\nAttendees: Sarah Johnson (Acme Corp), Michael Chen.\n\n"
        "We agreed to ship the knowledge graph prototype by November. Sarah owns the OCR pipeline; "
        "Michael owns the Kùzu schema. Next meeting in Berlin on 2025-10-15.\n"
    ),
    "Documents/reading-list.txt": (
        "Books to read this winter:\n- Thinking, Fast and Slow by Daniel Kahneman\n"
        "- The Structure of Scientific Revolutions by Thomas Kuhn\n- Gödel, Escher, Bach\n"
    ),
    "Downloads/recipe-latin1.txt": "Crème brûlée for four: cream, sugar, vanilla, eggs. Café au lait after.\n",
    "Desktop/todo.md": "# Today\n\n- renew passport\n- send invoice INV-2025-117 to Globex\n- call the dentist\n",
}

PNG_TEXTS = {
    "Desktop/Screenshot 2025-10-08 at 10.15.32.png": [
        "def fibonacci(n):",
        "    a, b = 0, 1",
        "    for _ in range(n):",
        "        a, b = b, a + b",
        "    return a",
    ],
    "Desktop/Screenshot 2025-10-09 at 18.02.11.png": [
        '"The best way to predict',
        'the future is to invent it."',
        "- Alan Kay",
    ],
    "Downloads/Screenshot from 2025-10-10 09-00-00.png": ["Quarterly revenue", "Q1 120", "Q2 135", "Q3 150"],
}

ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//km demo//EN
BEGIN:VEVENT
UID:atlas-kickoff@km-demo
DTSTAMP:20251001T090000Z
DTSTART:20251008T090000Z
DTEND:20251008T100000Z
SUMMARY:Project Atlas kickoff
LOCATION:Berlin
END:VEVENT
END:VCALENDAR
"""


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def write_pdf(path: Path, title: str, lines: list[str]) -> None:
    """A small valid PDF with a real text layer and an Info dictionary, written by hand."""
    stream = "BT /F1 12 Tf 72 720 Td 16 TL " + " ".join(f"({_pdf_escape(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Title ({_pdf_escape(title)}) /Author (km demo) /CreationDate (D:20251008101500Z) >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 6 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(out))


def write_png(path: Path, lines: list[str], size: tuple[int, int] = (1440, 900)) -> None:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.load_default(size=40)
    except TypeError:  # Pillow < 10.1 has no scalable default font
        font = ImageFont.load_default()
    for index, line in enumerate(lines):
        draw.text((80, 80 + index * 60), line, fill="black", font=font)
    image.save(path)


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Invoice INV-2025-117"
    document.core_properties.author = "Globex Corporation"
    document.add_heading("Invoice INV-2025-117", level=1)
    document.add_paragraph("Billed to: Acme Corp, 42 Harbour Street, Boston.")
    table = document.add_table(rows=3, cols=2)
    for row, (item, price) in enumerate(
        [("Item", "Price"), ("Consulting, October", "4,200.00"), ("Travel to Berlin", "640.00")]
    ):
        table.cell(row, 0).text = item
        table.cell(row, 1).text = price
    document.sections[0].header.paragraphs[0].text = "Globex Corporation — Accounts"
    document.save(str(path))


def build_home(home: Path) -> list[Path]:
    for sub in ("Documents", "Desktop", "Downloads"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for rel, text in TEXTS.items():
        target = home / rel
        target.write_bytes(text.encode("latin-1" if "latin1" in rel else "utf-8"))
        written.append(target)
    pdf = home / "Documents" / "receipt-techmart-2024-11-23.pdf"
    write_pdf(
        pdf,
        "TechMart receipt",
        [
            "TECHMART ELECTRONICS",
            "San Francisco, CA",
            "11/23/2024 14:32",
            "Cashier: Emily Rodriguez",
            "USB-C cable 19.99",
            "Total 21.63",
        ],
    )
    docx_file = home / "Documents" / "invoice-INV-2025-117.docx"
    write_docx(docx_file)
    ics = home / "Documents" / "atlas.ics"
    ics.write_text(ICS, encoding="utf-8")
    written += [pdf, docx_file, ics]
    for rel, lines in PNG_TEXTS.items():
        target = home / rel
        write_png(target, lines)
        written.append(target)
    return written


def _organize_toml(home: Path) -> str:
    """Rules that tidy the demo's receipts, invoices and screenshots into a library."""
    library = home / "Documents" / "Library"
    return f"""
[organize]
library = "{library}"
settle_minutes = 0

[[organize.rules]]
name = "money"
type = ["invoice", "receipt"]
destination = "Finance/{{type}}"

[[organize.rules]]
name = "screenshots"
extension = "png"
destination = "Screenshots/{{year}}-{{month}}"
"""


def run_demo(folder: Path) -> int:
    from km_core import config as config_mod
    from km_core.plugins import reset
    from km_core.run import RunOptions
    from km_core.runner import run_job

    home = folder / "home"
    state = folder / "km"
    os.environ["KM_HOME"] = str(state)
    reset()
    files = build_home(home)
    say(f"demo home with {len(files)} files: {home}")
    dirs = config_mod.folders()
    dirs.ensure()
    roots = [str(home / sub) for sub in ("Documents", "Desktop", "Downloads")]
    overrides = {
        "locations.roots": roots,
        "ignore.settle_seconds": 0,
        # the demo's own Desktop and Downloads, never yours
        "rogue.desktop": [str(home / "Desktop")],
        "rogue.downloads": [str(home / "Downloads")],
        "rogue.outside": [str(home)],
    }
    text = config_mod.default_text(overrides)
    dirs.config_file.write_text(text + _organize_toml(home), encoding="utf-8")
    from km_core.cli.demo_weekly import build_weekly, show_weekly

    dirs.plugins_file.write_text(build_weekly(home), encoding="utf-8")
    reset()
    summary = run_job(config_mod.load(dirs), "daily", RunOptions(manual=True))
    from km_core.cli.progress import print_summary

    print_summary(summary)
    weekly = run_job(config_mod.load(dirs), "weekly", RunOptions(manual=True))
    from km_core.store import open_graph

    with open_graph(config_mod.load(dirs), read_only=True) as graph:
        rows = graph.rows("MATCH (f:File) RETURN f.name, f.kind, f.doc_type, f.status, f.words ORDER BY f.name")
        tagged = graph.rows(
            "MATCH (f:File)-[e:TAGGED]->(t:Tag) WHERE NOT e.`primary` RETURN f.name, t.name ORDER BY e.weight DESC"
        )
        related = graph.rows("MATCH (:File)-[r:RELATED]->(:File) RETURN r.kind, count(*) ORDER BY r.kind")
    from km_core.cli.output import table

    tags: dict[str, list[str]] = {}
    for name, tag in tagged:
        tags.setdefault(name, []).append(tag)
    rows = [[*row, ", ".join(tags.get(row[0], [])[:4])] for row in rows]
    table(["file", "kind", "type", "status", "words", "some tags"], rows, title="What landed in the graph")
    say("relationships: " + (", ".join(f"{count} {kind}" for kind, count in related) or "none"))
    for move in summary.plan:
        say(f"organised: {Path(move['old_path']).relative_to(home)} -> {Path(move['new_path']).relative_to(home)}")
    show_weekly(config_mod.load(dirs))
    km = Path(sys.executable).with_name("km")
    km_cmd = str(km) if km.exists() else "km"
    say("\nTry next (the demo keeps its own config and graph, so set KM_HOME):")
    for command in (
        "status",
        "search invoice",
        f"show '{files[0]}'",
        "query 'MATCH (f:File)-[:MENTIONS]->(e:Entity) RETURN e.label, e.name, count(f)'",
        "query 'MATCH (f:File) RETURN f.kind, count(*)'",
        "review rogue",
        "undo --last --dry-run",
        "job daily",
        "job weekly",
        "search atlas",
        "analytics",
    ):
        say(f"  KM_HOME={state} {km_cmd} {command}")
    return 0 if summary.status in ("ok", "warning") and weekly.status in ("ok", "warning") else 1
