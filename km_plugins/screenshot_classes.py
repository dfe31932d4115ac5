"""Classifies a screenshot as infographic, quote, chart, code, conversation, document or other.

Explainable scoring rules over three kinds of evidence: the OCR text (tokens, numbers, times,
quotation marks), the layout of tesseract's word boxes (indentation, alignment, text size) and the
pixels (colour blocks, flatness, chart axes). Each label collects points from the rules that fire;
the label with most points wins and `why` names the rules behind it with their measured values.
"""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from km_plugins.screenshot_features import (
    ImageFeatures,
    LayoutFeatures,
    TextFeatures,
    image_features,
    layout_features,
    text_features,
)

LABELS = ("infographic", "quote", "chart", "code", "conversation", "document", "other")


@dataclass(frozen=True)
class Classification:
    label: str  # one of LABELS
    confidence: float  # 0..1
    why: str  # one human sentence naming the evidence and its values


Evidence = list[tuple[float, str]]
MIN_SCORE = 0.2  # below this no label is clear, which is what "other" means


def classify(text: str, image: Image.Image, words: list[dict] | None = None) -> Classification:
    t = text_features(text or "")
    lay = layout_features(words, image.size)
    img = image_features(image)
    scores: dict[str, Evidence] = {
        "infographic": _infographic(t, lay, img),
        "quote": _quote(t, lay, img),
        "chart": _chart(t, lay, img),
        "code": _code(t, lay, img),
        "conversation": _conversation(t, lay, img),
        "document": _document(t, lay, img),
        "other": _other(t, lay, img),
    }
    # Rounded so that float noise cannot break a tie the wrong way.
    totals = {label: round(sum(points for points, _ in ev), 3) for label, ev in scores.items()}
    # Ties go to the earlier, more specific label in LABELS order; "other" is last on purpose.
    ranked = sorted(LABELS, key=lambda label: -totals[label])
    best, second = ranked[0], ranked[1]
    if totals[best] < MIN_SCORE:
        confidence = round(1.0 - max(0.0, totals[best]) / MIN_SCORE * 0.5, 2)
        why = f"other: no label has enough evidence (best {best} {totals[best]:.2f}: {_reasons(scores[best])})"
        return Classification(label="other", confidence=confidence, why=why)
    top = min(1.0, totals[best])
    margin = totals[best] - max(0.0, totals[second])
    confidence = round(top * min(1.0, 0.5 + margin), 2)
    # the score beside the runner-up's, so a reader can compare them (confidence also weighs the margin)
    why = f"{best}: score {totals[best]:.2f} from {_reasons(scores[best])} (runner-up {second} {totals[second]:.2f})"
    return Classification(label=best, confidence=confidence, why=why)


def _reasons(evidence: Evidence) -> str:
    reasons = [phrase for points, phrase in sorted(evidence, key=lambda e: -e[0]) if points > 0][:4]
    return "; ".join(reasons) or "no rule fired"


def _code(t: TextFeatures, lay: LayoutFeatures, img: ImageFeatures) -> Evidence:
    ev: Evidence = []
    if t.code_hits >= 3:
        ev.append((0.45 * min(1.0, t.code_hits / 15), f"{t.code_hits} code tokens or operators"))
    if t.code_tokens:
        ev.append((0.15 * min(1.0, len(t.code_tokens) / 4), "keywords " + ", ".join(t.code_tokens[:5])))
    if t.lines >= 4 and t.code_lines / t.lines >= 0.2:
        share = t.code_lines / t.lines
        ev.append((0.25 * min(1.0, share / 0.45), f"{t.code_lines} of {t.lines} lines end in : ; {{ , or open with }}"))
    if t.symbol_density >= 0.04:
        ev.append((0.1, f"symbol density {t.symbol_density:.2f}"))
    if lay.indented_rows >= 3 and lay.levels >= 3:
        ev.append((0.15, f"{lay.indented_rows} rows indented on {lay.levels} regular levels"))
    if lay.width_cv < 0.12:
        ev.append((0.05, f"even character widths (spread {lay.width_cv:.2f}, monospace-like)"))
    if t.stopword_ratio > 0.25 and t.words >= 20:
        ev.append((-0.3, f"prose-like stopword share {t.stopword_ratio:.2f}"))
    if t.times >= 3:
        ev.append((-0.2, f"{t.times} clock times"))
    return ev


def _document(t: TextFeatures, lay: LayoutFeatures, img: ImageFeatures) -> Evidence:
    ev: Evidence = []
    if t.words >= 80:
        ev.append((0.35 * min(1.0, t.words / 200), f"{t.words} words"))
    if t.words_per_line >= 7:
        ev.append((0.25 * min(1.0, t.words_per_line / 10), f"{t.words_per_line:.1f} words per line"))
    if t.long_lines >= 5:
        ev.append((0.15, f"{t.long_lines} lines of 8+ words"))
    if t.stopword_ratio >= 0.25 and t.words >= 30:
        ev.append((0.2, f"stopword share {t.stopword_ratio:.2f} (prose)"))
    if t.sentences >= 4:
        ev.append((0.1, f"{t.sentences} sentence endings"))
    if img.saturated < 0.1 and not img.dark and t.words >= 30:
        ev.append((0.05, f"dark on light with little colour ({img.saturated:.0%} saturated)"))
    if t.code_hits > 0.1 * max(t.words, 1):
        ev.append((-0.3, f"{t.code_hits} code tokens"))
    return ev


def _quote(t: TextFeatures, lay: LayoutFeatures, img: ImageFeatures) -> Evidence:
    ev: Evidence = []
    if t.words < 3 and 10 <= img.text_rows <= 60:
        # OCR often reads nothing from light type over a picture; a few lines of it is a quote card.
        return [(0.3, f"OCR read {t.words} words, yet {img.text_rows} pixel rows look like a few lines of text")]
    if not 3 <= t.words <= 70:
        return [(-0.2, f"{t.words} words, not a short text")] if t.words > 70 else []
    ev.append((0.15, f"short text ({t.words} words)"))
    if t.quote_marks:
        ev.append((0.25 + 0.05 * min(t.quote_marks, 2), f"{t.quote_marks} quotation marks at line ends"))
    if t.attribution:
        ev.append((0.35, f"attribution line '{t.attribution}'"))
    if lay.text_height >= 0.03:
        ev.append((0.15, f"large type ({lay.text_height:.1%} of the height)"))
    if lay.centred_rows >= 2:
        ev.append((0.1, f"{lay.centred_rows} centred lines"))
    if t.stopword_ratio >= 0.2:
        ev.append((0.05, "sentence-like wording"))
    if t.number_ratio > 0.2:
        ev.append((-0.25, f"{t.number_ratio:.0%} of tokens are numbers"))
    if t.times >= 2:
        ev.append((-0.2, f"{t.times} clock times"))
    if t.code_hits >= 4:
        ev.append((-0.2, f"{t.code_hits} code tokens"))
    return ev


def _chart(t: TextFeatures, lay: LayoutFeatures, img: ImageFeatures) -> Evidence:
    ev: Evidence = []
    if img.axis_corner:
        ev.append((0.4, f"axes: {img.h_lines} horizontal and {img.v_lines} vertical lines meeting bottom-left"))
    elif img.h_lines and img.v_lines:
        ev.append((0.2, f"{img.h_lines} long horizontal and {img.v_lines} vertical lines"))
    if img.grid_lines:
        ev.append((0.25 if img.axis_corner else 0.35, f"{img.grid_lines} evenly spaced gridlines"))
    if t.numbers >= 3 and t.number_ratio >= 0.2:
        ev.append((0.3 * min(1.0, t.number_ratio / 0.4), f"{t.numbers} numbers, {t.number_ratio:.0%} of tokens"))
    if 1 <= t.words <= 40 and ev:
        ev.append((0.1, f"few words ({t.words})"))
    if lay.multi_segment_rows >= 1:
        ev.append((0.05, f"{lay.multi_segment_rows} rows of spaced labels"))
    if t.words >= 120:
        ev.append((-0.3, f"{t.words} words"))
    return ev


def _infographic(t: TextFeatures, lay: LayoutFeatures, img: ImageFeatures) -> Evidence:
    ev: Evidence = []
    # Blocks are flat fills: a few colours cover most pixels, unlike gradients and photos.
    blocks = img.palette >= 0.6 and img.smooth >= 0.85 and img.saturated >= 0.15 and img.hues >= 2
    if t.words + t.numbers < 3 or not blocks:
        return ev
    if img.saturated >= 0.25 and img.hues >= 3:
        ev.append((0.4, f"{img.hues} distinct colour blocks covering {img.saturated:.0%}"))
    else:
        ev.append((0.2, f"{img.hues} colour blocks covering {img.saturated:.0%}"))
    ev.append((0.1, f"flat fills ({img.palette:.0%} of pixels in 8 colours)"))
    if 3 <= t.words <= 80 and t.words_per_line <= 8:
        ev.append((0.15, f"short text spans ({t.words_per_line:.1f} words per line)"))
    if t.numbers >= 1 and t.number_ratio <= 0.5:
        ev.append((0.1, f"{t.numbers} headline numbers"))
    if lay.text_height >= 0.025:
        ev.append((0.05, "large type"))
    if t.times >= 3:
        ev.append((-0.2, f"{t.times} clock times"))
    return ev


def _conversation(t: TextFeatures, lay: LayoutFeatures, img: ImageFeatures) -> Evidence:
    ev: Evidence = []
    if t.times >= 3:
        ev.append((0.45 * min(1.0, t.times / 5), f"{t.times} clock times like 10:42"))
    elif t.times:
        ev.append((0.15, f"{t.times} clock time"))
    if t.chat_words >= 2:
        ev.append((0.15, f"{t.chat_words} chat words (Yesterday, AM/PM, ...)"))
    if lay.right_rows >= 2 and lay.left_rows >= 2:
        ev.append((0.25, f"{lay.right_rows} right-aligned and {lay.left_rows} left-aligned message rows"))
    if lay.side_switches >= 2:
        ev.append((0.1, f"sides alternate {lay.side_switches} times"))
    if t.words_per_line > 9:
        ev.append((-0.2, f"{t.words_per_line:.1f} words per line"))
    if t.code_hits >= 6:
        ev.append((-0.2, f"{t.code_hits} code tokens"))
    return ev


def _other(t: TextFeatures, lay: LayoutFeatures, img: ImageFeatures) -> Evidence:
    ev: Evidence = []
    unread = img.text_rows >= 10  # text in the pixels that OCR did not read
    if t.words + t.numbers < 5:
        if unread:
            ev.append((0.25, f"OCR read {t.words} words, though {img.text_rows} pixel rows look like text"))
        else:
            ev.append((0.6, f"almost no text ({t.words} words)"))
    elif t.words < 40 and t.long_lines == 0:
        ev.append((0.35, f"little text ({t.words} words, all in short labels)"))
    if img.smooth < 0.6 and not unread:
        ev.append((0.2, f"photo-like texture ({img.smooth:.0%} smooth)"))
    return ev
