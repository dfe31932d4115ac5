"""Measurable evidence for the screenshot classifier: OCR text cues, word-box layout and image cues.

Everything here is a plain number or count so that each classification can name the values it used.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from PIL import Image

CODE_TOKENS = frozenset(
    "def class import return function const var let fn #include #define public private static void int "
    "struct func package elif lambda async await self this null None nil true false True False println "
    "printf console typedef interface export impl pub mut usize string char bool while".split()
)
CODE_OPERATORS = ("=>", "->", "::", "==", "!=", "&&", "||", ":=", "+=", "-=", "();", "){", ") {", "[]")
STOPWORDS = frozenset(
    "the a an and or of to in on at for with by from is are was were be been it its that this as not but "
    "they their them he she his her we our you your has have had will would can could may which who when".split()
)
CHAT_WORDS = frozenset(
    "yesterday today monday tuesday wednesday thursday friday saturday sunday am pm sent delivered seen "
    "typing online message".split()
)
_WORD = re.compile(r"[A-Za-z_#][\w#']*")
_CODE_TOKEN = re.compile(r"#?[A-Za-z_]\w*")
_NUMBER = re.compile(r"^[(\[]?[$€£]?[+-]?\d[\d,.:/]*(?:%|[kKmMbBx]|st|nd|rd|th|h|ms)?[)\]]?$")
_TIME = re.compile(r"(?<![\d:])(?:[01]?\d|2[0-3])[:.][0-5]\d(?![\d:])(?:\s?[AaPp]\.?[Mm]\b)?")
_IDENT = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+[A-Z]\w*\b|\w+\.\w+\(")
_QUOTE_MARKS = "\"“”„«»‘’'"
_ATTRIBUTION = re.compile(r"^\s*(?:[—–\-~―]+\s*|by\s+)[A-Z][\w.'’,]*(?:\s+[A-Z.][\w.'’,]*){0,3}\s*$")


@dataclass(frozen=True)
class TextFeatures:
    lines: int
    words: int
    words_per_line: float
    numbers: int
    number_ratio: float
    code_tokens: tuple[str, ...]
    code_hits: int
    code_lines: int
    symbol_density: float
    quote_marks: int
    attribution: str
    times: int
    chat_words: int
    stopword_ratio: float
    long_lines: int
    sentences: int


def text_features(text: str) -> TextFeatures:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    tokens = text.split()
    words = [t for t in tokens if _WORD.fullmatch(t.strip(".,;:!?()\"'“”"))]
    numbers = sum(1 for t in tokens if _NUMBER.match(t.strip(",;")))
    found = [t for t in _CODE_TOKEN.findall(text) if t in CODE_TOKENS]
    code_hits = len(found) + sum(text.count(op) for op in CODE_OPERATORS) + len(_IDENT.findall(text))
    # A line "looks like code" by how it ends or opens, which prose and captions rarely do.
    code_lines = sum(1 for line in lines if line[-1] in ":;{}(,[" or line[0] in "}#)]" or " = " in line)
    non_space = sum(len(t) for t in tokens) or 1
    symbols = sum(text.count(ch) for ch in "{}()[];=<>*&|")
    attribution = next((line for line in lines if _ATTRIBUTION.match(line) and len(line) < 40), "")
    lowered = [w.strip(".,;:!?()\"'“”").lower() for w in tokens]
    return TextFeatures(
        lines=len(lines),
        words=len(words),
        words_per_line=len(tokens) / len(lines) if lines else 0.0,
        numbers=numbers,
        number_ratio=numbers / len(tokens) if tokens else 0.0,
        code_tokens=tuple(sorted(set(found))),
        code_hits=code_hits,
        code_lines=code_lines,
        symbol_density=symbols / non_space,
        quote_marks=sum(1 for line in lines for ch in (line[0], line[-1]) if ch in _QUOTE_MARKS),
        attribution=attribution,
        times=len(_TIME.findall(text)),
        chat_words=sum(1 for w in lowered if w in CHAT_WORDS),
        stopword_ratio=sum(1 for w in lowered if w in STOPWORDS) / len(lowered) if lowered else 0.0,
        long_lines=sum(1 for line in lines if sum(1 for t in line.split() if _WORD.fullmatch(t.strip(".,;:!?"))) >= 8),
        sentences=len(re.findall(r"[a-z]{2}[.!?](?:\s|$)", text)),
    )


@dataclass(frozen=True)
class LayoutFeatures:
    available: bool
    words: int = 0
    rows: int = 0
    text_height: float = 0.0  # median word height as a fraction of image height
    width_cv: float = 1.0  # spread of per-character width: low for monospace text
    levels: int = 0  # left-edge positions shared by two or more rows
    indented_rows: int = 0  # rows starting at a level right of the leftmost, on a regular step
    right_rows: int = 0  # rows whose only text hugs the right side (outgoing chat bubbles)
    left_rows: int = 0  # rows whose only text sits on the left side
    side_switches: int = 0
    centred_rows: int = 0  # centred rows of differing widths (not a centred column of justified text)
    multi_segment_rows: int = 0  # rows with three or more separate spans (axis ticks, tiles)


Box = tuple[float, float, float, float, str]  # x0, y0, x1, y1, text


def _rows(boxes: list[Box]) -> list[list[Box]]:
    """Groups word boxes into rows by vertical centre."""
    rows: list[list[Box]] = []
    for box in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        centre, height = (box[1] + box[3]) / 2, box[3] - box[1]
        if rows:
            last = rows[-1]
            last_centre = statistics.fmean((b[1] + b[3]) / 2 for b in last)
            if abs(centre - last_centre) < 0.5 * max(height, last[0][3] - last[0][1]):
                last.append(box)
                continue
        rows.append([box])
    return [sorted(r) for r in rows]


def _segments(row: list[Box]) -> list[list[Box]]:
    """Splits a row where the gap is far wider than a word space: separate columns, bubbles or ticks."""
    segments = [[row[0]]]
    for box in row[1:]:
        prev = segments[-1][-1]
        if box[0] - prev[2] > 2.5 * max(box[3] - box[1], prev[3] - prev[1]):
            segments.append([box])
        else:
            segments[-1].append(box)
    return segments


def layout_features(words: list[dict] | None, size: tuple[int, int]) -> LayoutFeatures:
    if words is None:
        return LayoutFeatures(available=False)
    width, height = size
    boxes: list[Box] = []
    for w in words:
        text = str(w.get("text", "")).strip()
        try:
            x, y, bw, bh, conf = (float(w[k]) for k in ("left", "top", "width", "height", "conf"))
        except (KeyError, TypeError, ValueError):
            continue
        if text and conf > 30 and bh > 0:
            boxes.append((x, y, x + bw, y + bh, text))
    if not boxes or width < 2 or height < 2:
        return LayoutFeatures(available=True)
    rows = _rows(boxes)
    heights = [b[3] - b[1] for b in boxes]
    per_char = [(b[2] - b[0]) / len(b[4]) for b in boxes if len(b[4]) >= 4 and b[4].isalpha()]
    width_cv = statistics.pstdev(per_char) / statistics.fmean(per_char) if len(per_char) >= 5 else 1.0
    char_w = statistics.median(per_char) if per_char else statistics.median(heights) * 0.6

    # Left edges skip leading line numbers so an editor gutter does not hide the indentation.
    starts = []
    for row in rows:
        first = next((b for b in row if not b[4].isdigit()), None)
        if first is not None:
            starts.append(first[0])
    levels = _levels(starts, tolerance=0.6 * char_w)
    indented = 0
    if len(levels) >= 2:
        base, step = levels[0][0], min(b[0] - a[0] for a, b in pairwise(levels))
        for x, count in levels[1:]:
            multiple = (x - base) / step
            if abs(multiple - round(multiple)) < 0.25 and step < 12 * char_w:
                indented += count

    right = left = switches = centred = multi = 0
    previous = ""
    for row in rows:
        segs = _segments(row)
        multi += len(segs) >= 3
        x0, x1 = row[0][0] / width, max(b[2] for b in row) / width
        side = "right" if x0 > 0.5 and x1 > 0.75 else "left" if x1 < 0.6 else ""
        if side == "right":
            right += 1
        elif side == "left":
            left += 1
        if side and previous and side != previous:
            switches += 1
        previous = side or previous
        shared_edge = any(abs(row[0][0] - x) <= 2 * char_w for x, count in levels if count >= 3)
        centred += len(segs) == 1 and abs((x0 + x1) / 2 - 0.5) < 0.03 and x1 - x0 < 0.9 and not shared_edge
    return LayoutFeatures(
        available=True,
        words=len(boxes),
        rows=len(rows),
        text_height=statistics.median(heights) / height,
        width_cv=width_cv,
        levels=len(levels),
        indented_rows=indented,
        right_rows=right,
        left_rows=left,
        side_switches=switches,
        centred_rows=centred,
        multi_segment_rows=multi,
    )


def _levels(starts: list[float], tolerance: float) -> list[tuple[float, int]]:
    """Clusters left edges; returns (position, rows) for clusters used by at least two rows."""
    clusters: list[list[float]] = []
    for x in sorted(starts):
        if clusters and x - clusters[-1][-1] <= tolerance:
            clusters[-1].append(x)
        else:
            clusters.append([x])
    return [(statistics.fmean(c), len(c)) for c in clusters if len(c) >= 2]


@dataclass(frozen=True)
class ImageFeatures:
    saturated: float  # share of pixels with strong colour
    hues: int  # distinct strong hues each covering at least 2% of the image
    palette: float  # share of pixels in the 8 commonest colours: high for flat fills, low for gradients/photos
    dark: bool  # the dominant (background) colour is dark
    smooth: float  # share of pixels nearly equal to their right neighbour (flat fills, clean renders)
    h_lines: int  # long thin horizontal lines
    v_lines: int
    axis_corner: bool  # a vertical and a horizontal line meeting bottom-left, like chart axes
    grid_lines: int  # faint full-width lines at a regular spacing, like chart gridlines
    text_rows: int  # pixel rows crossing 30+ sharp light/dark steps: lines of text, read by OCR or not


def image_features(image: Image.Image) -> ImageFeatures:
    # Analysed at most 720 pixels wide: enough for 1-2 px axes at 1440, and fast at 2880.
    factor = max(1, math.ceil(image.width / 720))
    small = image if image.mode in ("RGB", "L") else image.convert("RGB")
    if factor > 1:
        small = small.reduce(factor)
    small = small.convert("RGB")
    w, h = small.size
    channels = [np.asarray(band, dtype=np.int16) for band in small.split()]
    hsv = [np.asarray(band) for band in small.convert("HSV").split()]
    strong = (hsv[1] > 100) & (hsv[2] > 70)
    saturated = float(strong.mean())
    hue_counts = np.bincount(hsv[0][strong] // 16, minlength=16)
    hues = int((hue_counts > 0.02 * h * w).sum())

    quant = (channels[0] >> 4) * 256 + (channels[1] >> 4) * 16 + (channels[2] >> 4)
    counts = np.bincount(quant.ravel(), minlength=4096)
    mode = int(counts.argmax())
    palette = float(np.sort(counts)[-8:].sum() / quant.size)
    dark = ((mode >> 8) + ((mode >> 4) & 15) + (mode & 15)) * 16 / 3 < 100
    step = sum(np.abs(np.diff(c, axis=1)) for c in channels)
    luma = np.asarray(small.convert("L"), dtype=np.int16)
    text_rows = int(((np.abs(np.diff(luma, axis=1)) > 60).sum(axis=1) >= 30).sum()) if w > 1 else 0
    smooth = float((step <= 3).mean()) if w > 1 else 1.0

    h_lines = _thin_lines(channels, min_len=0.25 * w)
    columns = [np.ascontiguousarray(c.T) for c in channels]
    v_lines = _thin_lines(columns, min_len=0.25 * h)
    grid = max(
        _regular(_thin_lines(channels, 0.5 * w, contrast=12)), _regular(_thin_lines(columns, 0.5 * h, contrast=12))
    )
    # Chart axes meet bottom-left; the tolerance allows tick marks that overhang the corner.
    corner = any(abs(vx - hx0) <= 8 and abs(hy - vy1) <= 8 for hy, hx0, _ in h_lines for vx, _, vy1 in v_lines)
    return ImageFeatures(
        saturated=saturated,
        hues=hues,
        palette=palette,
        dark=bool(dark),
        smooth=smooth,
        h_lines=len(h_lines),
        v_lines=len(v_lines),
        axis_corner=corner,
        grid_lines=grid,
        text_rows=text_rows,
    )


def _regular(lines: list[tuple[int, int, int]]) -> int:
    """How many lines there are if they are three or more at an even spacing (gridlines), else 0."""
    if len(lines) < 3:
        return 0
    gaps = np.diff([row for row, _, _ in lines])
    return len(lines) if gaps.min() > 4 and gaps.max() - gaps.min() <= 0.1 * gaps.mean() + 2 else 0


def _thin_lines(channels: list[np.ndarray], min_len: float, contrast: int = 40) -> list[tuple[int, int, int]]:
    """Rows holding a long thin stroke: pixels darker or brighter than both pixels 2 px above and below.

    Being outside the range of both neighbours keeps an axis drawn under bars of another colour, while
    the blended edge of a filled block (between its two sides) is not a line. Gaps up to 4 px, where
    tick marks cross, are bridged. Returns (row, start, end) for each line.
    """
    rows, cols = channels[0].shape
    if rows < 5 or cols < 9:
        return []
    thin = np.zeros((rows, cols), dtype=bool)
    for c in channels:
        above, mid, below = c[:-4], c[2:-2], c[4:]
        lo, hi = np.minimum(above, below), np.maximum(above, below)
        thin[2:-2] |= (mid < lo - contrast) | (mid > hi + contrast)
    before = np.zeros_like(thin)
    after = np.zeros_like(thin)
    for k in range(1, 5):
        before[:, k:] |= thin[:, :-k]
        after[:, :-k] |= thin[:, k:]
    thin |= before & after
    counts = np.cumsum(thin, axis=1, dtype=np.int32)
    runs = counts - np.maximum.accumulate(np.where(thin, 0, counts), axis=1)
    best = runs.max(axis=1)
    found: list[tuple[int, int, int]] = []
    for row in np.flatnonzero(best >= min_len):
        end = int(runs[row].argmax())
        if found and row - found[-1][0] <= 2:
            continue
        found.append((int(row), end - int(best[row]) + 1, end))
    return found
