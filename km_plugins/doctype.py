"""Built-in document-type tagger: explainable rules that name one type per item.

Every type in ``DOCUMENT_TYPES`` gathers evidence (weighted phrases in the text,
the title and the file name; the extension; the shape of the lines), the
evidence becomes a score in [0, 1], and the best type wins if it clears a
threshold. The tag's ``why`` lists the evidence and the runner-up, so a user can
see why a file was called a receipt and not an invoice.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from km_core import Content, Item, JobContext, Tag, hookimpl
from km_core.tagging import DOCUMENT_TYPES

NAME = "doctype"
TEXT_LIMIT = 30_000
DEFAULT_THRESHOLD = 0.3
OTHER_WEIGHT = 0.1
SATURATION = 3  # a phrase stops adding evidence after this many mentions
SCALE = 4.0  # raw evidence of SCALE gives a score of 0.63; of 2 * SCALE, 0.86
NAME_FACTOR = 1.5  # a phrase in the file name or title is stronger than one in the body
EXT_EVIDENCE = 4.0

CODE_EXTS = frozenset(
    ".py .pyi .js .mjs .jsx .ts .tsx .java .c .cc .cpp .h .hpp .go .rs .rb .php .sh .bash .zsh .swift .kt .cs"
    " .scala .lua .pl .r .m .sql .html .htm .css .scss .json .yaml .yml .toml .xml .ipynb .vue .dart".split()
)
SHEET_EXTS = frozenset(".csv .tsv .xlsx .xls .xlsm .ods .numbers".split())

# (phrase, weight): weights say how specific a phrase is to the type, not how common it is.
# fmt: off
PHRASES: dict[str, dict[str, float]] = {
    "invoice": {
        "invoice": 2.5, "invoice number": 2.5, "invoice no": 2, "faktura": 2.5, "rechnung": 2.5,
        "rechnungsnummer": 2.5, "facture": 2.5, "bill to": 2, "amount due": 2, "due date": 1.5,
        "payment terms": 1.5, "remit to": 1.5, "vat": 1, "tva": 1, "mwst": 1, "tax id": 1.5, "nip": 1,
        "ust-idnr": 1.5, "termin płatności": 2, "do zapłaty": 1.5, "sprzedawca": 1, "nabywca": 1, "iban": 1,
        "grand total": 0.5, "subtotal": 0.5, "estimate": 0.75, "repair order": 0.75,
    },
    "receipt": {
        "receipt": 2.5, "subtotal": 1, "sub-total": 1, "change due": 2, "cashier": 2, "transaction": 1,
        "txn": 1, "thank you for your purchase": 2, "thank you for shopping": 2, "card ending": 1.5,
        "return policy": 1, "register": 0.5, "paragon": 2.5, "kassenbon": 2.5, "quittung": 2, "reçu": 2,
        "ticket de caisse": 2.5,
    },
    "contract": {
        "agreement": 1.5, "hereinafter": 2, "party": 0.5, "parties": 1, "governing law": 2,
        "terms and conditions": 1, "witnesseth": 2.5, "in witness whereof": 2.5, "whereas": 1.5, "shall": 0.5,
        "signature": 0.5, "effective date": 1, "indemnify": 1, "termination": 0.75, "contract": 1, "umowa": 2,
        "vertrag": 2, "contrat": 2,
    },
    "cv": {
        "curriculum vitae": 3, "resume": 1.5, "résumé": 2, "work experience": 2, "professional experience": 2,
        "employment history": 2, "education": 1, "skills": 1, "references available": 2.5, "lebenslauf": 3,
        "certifications": 0.5, "languages": 0.5,
    },
    "meeting-notes": {
        "minutes": 1, "meeting minutes": 2.5, "attendees": 2, "agenda": 1.5, "action item": 2,
        "action items": 2.5, "next meeting": 2, "apologies": 1, "decisions": 1, "protokoll": 2,
    },
    "article": {
        "abstract": 2, "introduction": 1, "references": 1, "et al.": 1.5, "doi": 2, "arxiv": 2, "conclusion": 1,
        "conclusions": 1, "related work": 2, "bibliography": 1.5, "keywords": 0.5,
    },
    "manual": {
        "user guide": 2.5, "user manual": 2.5, "manual": 1.5, "handbook": 2, "installation": 1,
        "troubleshooting": 2, "chapter": 0.5, "step 1": 1.5, "warning:": 1, "caution:": 1, "getting started": 1.5,
        "quick start": 1.5, "instructions": 1, "bedienungsanleitung": 3, "instrukcja": 2, "mode d'emploi": 3,
    },
    "letter": {
        "sincerely": 2, "yours faithfully": 2.5, "kind regards": 1.5, "best regards": 1.5,
        "to whom it may concern": 3, "sehr geehrte": 2.5, "mit freundlichen grüßen": 2.5,
        "szanowni państwo": 2.5, "z poważaniem": 2.5, "cordialement": 1.5, "enclosed": 0.5,
    },
}
# Evidence that is a pattern rather than a phrase: (label, pattern, weight), matched on lower-cased text.
PATTERNS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "letter": (("salutation “Dear …”", r"^\s*dear\s+\w", 2.0),),
    "article": (("citation marks [n]", r"\[\d{1,3}\]", 1.0),),
    "code": (("shebang", r"\A#!/", 3.0),),
}
# Short forms seen only in file names ("INV-001.pdf", "cv_2024.docx").
NAME_WORDS: dict[str, tuple[str, ...]] = {
    "invoice": ("inv", "fv", "bill"), "receipt": ("rcpt",), "contract": ("nda", "sow"), "cv": ("cv",),
    "meeting-notes": ("mom",), "manual": ("guide",), "article": ("paper",),
}
# fmt: on


def count_phrase(text: str, phrase: str) -> int:
    """Whole-phrase occurrences of a lower-case ``phrase`` in lower-cased ``text``.

    ``str.find`` plus a look at the neighbouring characters is many times faster
    than a regex with look-arounds, which Python cannot search for by its prefix.
    """
    if not phrase:
        return 0
    count, start = 0, text.find(phrase)
    while start >= 0:
        end = start + len(phrase)
        if not (start and _is_word(text[start - 1])) and not (end < len(text) and _is_word(text[end])):
            count += 1
            start = text.find(phrase, end)
        else:
            start = text.find(phrase, start + 1)
    return count


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


_PHRASE_RULES: list[tuple[str, str, float]] = [
    (kind, phrase, weight) for kind, pairs in PHRASES.items() for phrase, weight in pairs.items()
]
_PATTERN_RULES: list[tuple[str, str, re.Pattern[str], float]] = [
    (kind, label, re.compile(pattern, re.MULTILINE), weight)
    for kind, triples in PATTERNS.items()
    for label, pattern, weight in triples
]
_CODE_LINE = re.compile(
    r"^\s*(?:def |class |import |from \S+ import |return\b|if .*:$|elif |else:|for .*:$|while |try:|except\b|"
    r"function\b|const |let |var |public |private |protected |static |#include|package |func |fn |use |@\w+)"
    r"|[;{}]\s*$|^\s*[}\])]+[;,]?\s*$|^\s*[A-Za-z_][\w.\[\]'\"]*\s*[-+*/|&]?=\s*\S|->|=>"
)
_NUMBER = re.compile(r"^[-+(]?[$€£¥]?\s?\d[\d\s.,]*%?\)?$")
_TABLE_RULE = re.compile(r"^[\s|:+-]+$")


@hookimpl
def km_tag(item: Item, content: Content, ctx: JobContext) -> list[Tag] | None:
    if item.kind == "screenshot":
        return None  # the OCR step already gave screenshots their class
    threshold = float(ctx.setting(NAME, "threshold", DEFAULT_THRESHOLD))
    evidence = gather_evidence(item, content)
    # Rounded once, so the weight and the score printed in ``why`` are the same number.
    scores = {kind: round(score(sum(points for _, points in found)), 2) for kind, found in evidence.items()}
    ranked = sorted(scores, key=lambda kind: (-scores[kind], DOCUMENT_TYPES.index(kind)))
    best, runner_up = ranked[0], ranked[1]
    if scores[best] < threshold:
        if scores[best]:
            detail = f"best {best} {scores[best]:.2f} ({_explain(evidence[best])})"
        else:
            detail = "no evidence" if content.text.strip() else f"no evidence, no text ({content.status})"
        why = f"rules: no type reached {threshold:.2f} — {detail}"
        return [Tag(name="other", kind="type", weight=OTHER_WEIGHT, source=NAME, primary=True, why=why)]
    why = f"rules: {best} {scores[best]:.2f} ({_explain(evidence[best])})"
    if scores[runner_up] > 0:
        why += f" — runner-up {runner_up} {scores[runner_up]:.2f}"
    return [Tag(name=best, kind="type", weight=scores[best], source=NAME, primary=True, why=why)]


def score(raw: float) -> float:
    """Map summed evidence to [0, 1): more evidence always helps, but less and less."""
    return 1.0 - math.exp(-raw / SCALE)


def gather_evidence(item: Item, content: Content) -> dict[str, list[tuple[str, float]]]:
    """Per type, the (label, points) pieces of evidence found; types without any get an empty list."""
    evidence: dict[str, list[tuple[str, float]]] = {kind: [] for kind in DOCUMENT_TYPES if kind != "other"}
    text = content.text[:TEXT_LIMIT]
    lowered = text.lower()
    counted = [(kind, label, count_phrase(lowered, label), weight) for kind, label, weight in _PHRASE_RULES]
    counted += [(kind, label, len(pattern.findall(lowered)), weight) for kind, label, pattern, weight in _PATTERN_RULES]
    for kind, label, count, weight in counted:
        if count:
            shown = f"{label} ×{count}" if count > 1 else label
            evidence[kind].append((shown, weight * min(count, SATURATION)))
    ext = (item.ext or "").lower()
    if ext in CODE_EXTS:
        evidence["code"].append((f"extension {ext}", EXT_EVIDENCE))
    elif ext in SHEET_EXTS:
        evidence["spreadsheet"].append((f"extension {ext}", EXT_EVIDENCE))
    code_share = _code_share(text)
    if code_share >= 0.3:
        evidence["code"].append((f"{code_share:.0%} code-like lines", 6 * code_share))
    table = _table_shape(text)
    if table:
        rows, columns, share, numeric = table
        # Two-cell rows are as often prose ("Paris, France") as data, so they count for half.
        points = (2 * share + 4 * numeric) * (0.5 if columns < 3 else 1.0)
        label = f"{rows} lines of {columns} columns, {numeric:.0%} numeric cells"
        evidence["spreadsheet"].append((label, points))
    for where, value in (("file name", item.name), ("title", content.title)):
        words = " ".join(re.split(r"[\W_]+", value.lower()))
        if not words.strip():
            continue
        shown = value if len(value) <= 24 else value[:22] + "…"
        for kind, hits in _name_hits(words).items():
            evidence[kind].append((f'{where} "{shown}" ({", ".join(hits)})', NAME_FACTOR * max(hits.values())))
    return evidence


def _name_hits(words: str) -> dict[str, dict[str, float]]:
    hits: dict[str, dict[str, float]] = {}
    for kind, phrase, weight in _PHRASE_RULES:
        if count_phrase(words, phrase):
            hits.setdefault(kind, {})[phrase] = weight
    tokens = set(words.split())
    for kind, short_forms in NAME_WORDS.items():
        for word in tokens.intersection(short_forms):
            hits.setdefault(kind, {})[word] = 2.0
    return hits


def _explain(found: Iterable[tuple[str, float]]) -> str:
    strongest = sorted(found, key=lambda piece: -piece[1])[:6]
    return ", ".join(label for label, _ in strongest)


def _code_share(text: str) -> float:
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 3:
        return 0.0
    return sum(1 for line in lines if _CODE_LINE.search(line)) / len(lines)


def _table_shape(text: str) -> tuple[int, int, float, float] | None:
    """(rows, columns, share of lines, share of numeric cells) of the commonest delimiter layout, if it dominates."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 3:
        return None
    best: tuple[int, int, float, float] | None = None
    for delimiter in (",", ";", "\t", "|"):
        # Markdown tables may or may not have outer pipes; they are borders, not delimiters.
        rows_of = [line.strip("|").strip() if delimiter == "|" else line for line in lines]
        counts = Counter(line.count(delimiter) for line in rows_of)
        inner, rows = max(((c, n) for c, n in counts.items() if c > 0), key=lambda pair: pair[1], default=(0, 0))
        share = rows / len(lines)
        if rows < 3 or share < 0.5:
            continue
        cells = [
            cell.strip()
            for line in rows_of
            if line.count(delimiter) == inner and not _TABLE_RULE.match(line)
            for cell in line.split(delimiter)
        ]
        numeric = sum(1 for cell in cells if _NUMBER.match(cell)) / max(len(cells), 1)
        if best is None or share + numeric > best[2] + best[3]:
            best = (rows, inner + 1, share, numeric)
    return best
