"""Generates labelled, screenshot-like PNGs for the screenshot classifier's tests.

Every image is drawn from scratch with Pillow at 1440x900 (some at 2880x1800, drawn at double scale
like a retina capture). Content, fonts, sizes, colours and layouts vary with the seed; nothing in an
image names its label.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image
from screenshot_content import (
    CHART_CATEGORIES,
    CHART_TITLES,
    CHAT_LINES,
    CHAT_NAMES,
    CODE_SNIPPETS,
    DOC_TITLES,
    INFO_FACTS,
    INFO_TITLES,
    PROSE,
    QUOTES,
    UI_FORM,
    UI_MENU,
    UI_SETTINGS,
)
from screenshot_drawing import SATURATED, Canvas, H, W, gradient, mix, photo, window_bar, wrap

KEYWORDS = set(
    "def class return import from if else for while in not with as async await fn let mut use pub const "
    "function export interface typedef struct int void package func type try except".split()
)


def draw_code(c: Canvas, rng: random.Random) -> None:
    dark = rng.random() < 0.5
    bg, fg, kw, st, gut = (
        ((30, 31, 36), (212, 212, 212), (198, 120, 221), (152, 195, 121), (90, 94, 104))
        if dark
        else ((255, 255, 255), (36, 41, 47), (207, 34, 46), (10, 48, 105), (150, 150, 160))
    )
    c.rect((0, 0, W, H), bg)
    lang = rng.choice(sorted(CODE_SNIPPETS))
    lines = CODE_SNIPPETS[lang].splitlines()
    start = rng.randrange(0, max(1, len(lines) - 14))
    top = window_bar(c, rng, dark, f"main.{lang[:2]} — editor")
    left = 20.0
    if rng.random() < 0.5:  # a file tree sidebar, as most editors show
        side = rng.choice([200, 240, 280])
        c.rect((0, top, side, H), mix(bg, (128, 128, 128), 0.15))
        for i, name in enumerate(["src", "  main.py", "  util.rs", "  app.js", "tests", "README.md"]):
            c.text((16, top + 16 + i * 24), name, c.f("sans", 13), mix(fg, bg, 0.3))
        left = side + 16
    size = rng.choice([13, 14, 15, 16, 18, 20])
    mono = c.f("mono", size)
    step = size * rng.choice([1.4, 1.5, 1.6])
    numbers = rng.random() < 0.7
    y = top + 20
    for n, raw in enumerate(lines[start:], start=start + 1):
        if y > H - step:
            break
        x = left
        if numbers:
            c.text((x + 3 * c.width("0", mono), y), str(n), mono, gut, anchor="ra")
            x += 5 * c.width("0", mono)
        for token in _tokens(raw):
            colour = kw if token in KEYWORDS else st if token[:1] in "\"'`" else fg
            c.text((x, y), token, mono, colour)
            x += c.width(token, mono)
        y += step


def _tokens(line: str) -> list[str]:
    out: list[str] = []
    word = ""
    in_str = ""
    for ch in line:
        if in_str:
            word += ch
            if ch == in_str:
                out.append(word)
                word, in_str = "", ""
        elif ch in "\"'`":
            out.append(word) if word else None
            word, in_str = ch, ch
        elif ch.isalnum() or ch == "_":
            word += ch
        else:
            out.extend([word, ch] if word else [ch])
            word = ""
    return [t for t in [*out, word] if t]


def draw_document(c: Canvas, rng: random.Random) -> None:
    style = rng.choice(["page", "browser", "word"])
    c.rect((0, 0, W, H), (255, 255, 255))
    x0, x1, y = 90.0, W - 90.0, 70.0
    if style == "browser":
        top = window_bar(c, rng, False)
        c.rect((0, top, W, top + 40), (245, 245, 247))
        c.rect((160, top + 8, W - 160, top + 32), (255, 255, 255), radius=12)
        c.text((180, top + 13), "https://example.org/articles/notes", c.f("sans", 13), (90, 90, 90))
        x0, x1, y = (W - 820) / 2, (W + 820) / 2, top + 80
    elif style == "word":
        c.rect((0, 0, W, H), (225, 227, 230))
        c.rect((W / 2 - 430, 40, W / 2 + 430, H + 10), (255, 255, 255))
        x0, x1, y = W / 2 - 370, W / 2 + 370, 90
    serif = rng.random() < 0.5
    body = c.f("serif" if serif else "sans", rng.choice([15, 16, 17, 18, 20]))
    head = c.f("serif-bold" if serif else "sans-bold", rng.choice([26, 30, 34]))
    ink = rng.choice([(0, 0, 0), (33, 33, 33), (55, 55, 60)])
    c.text((x0, y), rng.choice(DOC_TITLES), head, ink)
    y += head.size / c.s * 2
    step = body.size / c.s * rng.choice([1.45, 1.6, 1.75])
    paragraphs = rng.sample(PROSE, k=len(PROSE))
    for para in paragraphs:
        for line in wrap(c, para, body, x1 - x0):
            if y > H - 40:
                return
            c.text((x0, y), line, body, ink)
            y += step
        y += step * 0.7


def draw_quote(c: Canvas, rng: random.Random) -> None:
    quote, author = rng.choice(QUOTES)
    kind = rng.choice(["solid", "gradient", "white", "dark", "photo"])
    bg = {"solid": rng.choice(SATURATED), "white": (250, 248, 244), "dark": (24, 24, 28)}.get(kind, (0, 0, 0))
    if kind == "gradient":
        gradient(c, rng.choice(SATURATED), rng.choice(SATURATED))
    elif kind == "photo":  # text over a darkened picture, as quote cards often are
        photo(c, rng)
        c.img.paste(Image.blend(c.img, Image.new("RGB", c.img.size, (0, 0, 0)), 0.45))
    else:
        c.rect((0, 0, W, H), bg)
    ink = (40, 40, 40) if kind == "white" else (255, 255, 255)
    fnt = c.f(rng.choice(["serif", "serif-italic", "sans", "sans-bold"]), rng.choice([38, 44, 52, 60]))
    marks = rng.choice([("“", "”"), ('"', '"'), ("", "")])
    lines = wrap(c, f"{marks[0]}{quote}{marks[1]}", fnt, rng.choice([900, 1000, 1100]))
    lh = fnt.size / c.s * 1.35
    y = H / 2 - lh * len(lines) / 2 - 30
    centred = rng.random() < 0.6
    if not marks[0] and rng.random() < 0.6:  # a big decorative opening mark instead
        c.text((W / 2 if centred else 170, y - 40), "“", c.f("serif-bold", 140), mix(ink, bg, 0.4), anchor="ms")
    for line in lines:
        c.text((W / 2 if centred else 170, y), line, fnt, ink, anchor="ma" if centred else "la")
        y += lh
    attribution = rng.choice(["— {}", "- {}", "~ {}", "by {}", "{}"]).format(author)
    small = c.f("sans", rng.choice([22, 26, 30]))
    c.text((W / 2 if centred else 170, y + 40), attribution, small, ink, anchor="ma" if centred else "la")
    if rng.random() < 0.3:
        c.text((W - 40, H - 40), "@dailywisdom", c.f("sans", 16), mix(ink, bg, 0.3), anchor="rs")


def draw_chart(c: Canvas, rng: random.Random) -> None:
    dark = rng.random() < 0.2
    bg, ink, grid = (
        ((28, 30, 36), (220, 220, 220), (60, 62, 70)) if dark else ((255, 255, 255), (40, 40, 40), (225, 225, 225))
    )
    c.rect((0, 0, W, H), bg)
    c.text((W / 2, 50), rng.choice(CHART_TITLES), c.f("sans-bold", rng.choice([24, 28, 32])), ink, anchor="mt")
    cats = rng.choice(CHART_CATEGORIES)
    kind = rng.choice(["bar", "line", "line2", "hbar"])
    axes = rng.random() < 0.75  # many modern charts draw gridlines only, no axis lines
    x0, y0, x1, y1 = rng.choice([140, 180]), 130, W - rng.choice([100, 160]), H - rng.choice([110, 140])
    vmax, ticks = rng.choice([50, 100, 200, 1000, 5000]), 5
    tick_font = c.f("sans", rng.choice([14, 16, 18]))
    series = 2 if kind == "line2" else 1
    colours = rng.sample(SATURATED, k=series)
    data = [[rng.uniform(0.15, 0.95) * vmax for _ in cats] for _ in range(series)]
    if kind == "hbar":
        x0 = 220
        slot = (y1 - y0) / len(cats)
        for i in range(ticks + 1):
            x = x0 + (x1 - x0) * i / ticks
            c.line([(x, y0), (x, y1)], grid, 1)
            c.text((x, y1 + 14), f"{vmax * i // ticks:,}", tick_font, ink, anchor="mt")
        for i, (cat, v) in enumerate(zip(cats, data[0], strict=True)):
            cy = y0 + slot * (i + 0.5)
            c.text((x0 - 14, cy), cat, tick_font, ink, anchor="rm")
            c.rect((x0 + 1, cy - slot * 0.3, x0 + (x1 - x0) * v / vmax, cy + slot * 0.3), colours[0])
        if axes:
            c.line([(x0, y0), (x0, y1)], ink, 2)
            c.line([(x0, y1), (x1, y1)], ink, 2)
        return
    for i in range(ticks + 1):
        y = y1 - (y1 - y0) * i / ticks
        c.line([(x0, y), (x1, y)], grid, 1)
        if axes:
            c.line([(x0 - 8, y), (x0, y)], ink, 2)
        c.text((x0 - 14, y), f"{vmax * i // ticks:,}", tick_font, ink, anchor="rm")
    if axes:
        c.line([(x0, y0 - 10), (x0, y1)], ink, 2)
        c.line([(x0, y1), (x1, y1)], ink, 2)
    slot = (x1 - x0) / len(cats)
    for i, cat in enumerate(cats):
        cx = x0 + slot * (i + 0.5)
        if axes:
            c.line([(cx, y1), (cx, y1 + 8)], ink, 2)
        c.text((cx, y1 + 16), cat, tick_font, ink, anchor="mt")
    for values, colour in zip(data, colours, strict=True):
        pts = [(x0 + slot * (i + 0.5), y1 - (y1 - y0) * v / vmax) for i, v in enumerate(values)]
        if kind == "bar":
            for px, py in pts:
                c.rect((px - slot * 0.3, py, px + slot * 0.3, y1 - 1), colour)
        else:
            c.line(pts, colour, 3)
            for px, py in pts:
                c.ellipse((px - 5, py - 5, px + 5, py + 5), colour)
    if series > 1:
        for j, (name, colour) in enumerate(zip(["2023", "2024"], colours, strict=True)):
            c.rect((x1 - 160 + j * 80, 95, x1 - 146 + j * 80, 109), colour)
            c.text((x1 - 140 + j * 80, 102), name, tick_font, ink, anchor="lm")


def draw_infographic(c: Canvas, rng: random.Random) -> None:
    bg = rng.choice([(255, 255, 255), (246, 242, 234), (30, 35, 48)])
    c.rect((0, 0, W, H), bg)
    head = rng.choice(SATURATED)
    band = rng.random() < 0.6
    if band:
        c.rect((0, 0, W, 120), head)
    title_ink = (255, 255, 255) if band or bg[0] < 100 else (30, 30, 30)
    c.text((W / 2, 60), rng.choice(INFO_TITLES), c.f("sans-bold", rng.choice([34, 40, 46])), title_ink, anchor="mm")
    cols, rows = rng.choice([(3, 1), (2, 2), (3, 2), (4, 1), (4, 2)])
    facts = rng.sample(INFO_FACTS, k=cols * rows)
    colours = rng.sample(SATURATED, k=min(len(SATURATED), cols * rows))
    gap, top = 30, 160
    bw, bh = (W - 80 - gap * (cols - 1)) / cols, (H - top - 50 - gap * (rows - 1)) / rows
    big = c.f("sans-bold", min(90, bh * 0.35))
    cap = c.f(rng.choice(["sans", "cond"]), rng.choice([18, 20, 24]))
    for k, (number, caption) in enumerate(facts):
        x, y = 40 + (k % cols) * (bw + gap), top + (k // cols) * (bh + gap)
        colour = colours[k % len(colours)]
        c.rect((x, y, x + bw, y + bh), colour, radius=rng.choice([0, 12, 24]))
        if rng.random() < 0.5:
            c.ellipse((x + bw / 2 - 28, y + 20, x + bw / 2 + 28, y + 76), mix(colour, (255, 255, 255), 0.35))
        c.text((x + bw / 2, y + bh * 0.5), number, big, (255, 255, 255), anchor="mm")
        for j, line in enumerate(wrap(c, caption, cap, bw - 40)):
            c.text((x + bw / 2, y + bh * 0.5 + big.size / c.s * 0.7 + j * 28), line, cap, (255, 255, 255), anchor="mt")


def draw_conversation(c: Canvas, rng: random.Random) -> None:
    dark = rng.random() < 0.4
    bg, ink = ((18, 18, 20), (235, 235, 235)) if dark else ((255, 255, 255), (20, 20, 20))
    c.rect((0, 0, W, H), bg)
    top = window_bar(c, rng, dark)
    style = rng.choice(["bubbles", "bubbles", "sidebar", "list"])
    left = 0.0
    meta = c.f("sans", 13)
    if style == "sidebar":
        left = 340
        c.rect((0, top, left, H), (32, 32, 36) if dark else (244, 245, 247))
        for i, name in enumerate(rng.sample(CHAT_NAMES, k=6)):
            c.text((70, top + 28 + i * 70), name, c.f("sans-bold", 15), ink)
            c.text((70, top + 50 + i * 70), rng.choice(CHAT_LINES)[:28], meta, (140, 140, 140))
            c.text(
                (left - 20, top + 28 + i * 70), f"{rng.randint(8, 11)}:{rng.randint(0, 59):02d}", meta, (140,) * 3, "ra"
            )
            c.ellipse((14, top + 26 + i * 70, 56, top + 68 + i * 70), rng.choice(SATURATED))
    contact = rng.choice(CHAT_NAMES)
    c.rect((left, top, W, top + 60), (28, 28, 32) if dark else (248, 248, 250))
    c.text((left + 24, top + 30), contact, c.f("sans-bold", 18), ink, anchor="lm")
    body = c.f("sans", rng.choice([15, 16, 18]))
    mine = rng.choice([(0, 132, 255), (37, 211, 102), (88, 86, 214)])
    theirs = (58, 58, 62) if dark else (233, 233, 235)
    y = top + 90
    c.text(((left + W) / 2, y), rng.choice(["Yesterday", "Today", "Monday"]), meta, (140,) * 3, "mt")
    y += 36
    twelve = rng.random() < 0.5
    hour, minute = rng.randint(1, 12) if twelve else rng.randint(8, 22), rng.randint(0, 40)
    suffix = rng.choice([" AM", " PM"]) if twelve else ""
    me_first = rng.random() < 0.5
    while y < H - 140:
        minute += rng.randint(1, 7)
        if minute >= 60:
            minute -= 60
            hour = hour % 12 + 1 if twelve else (hour + 1) % 24
        stamp = f"{hour}:{minute:02d}{suffix}"
        text = rng.choice(CHAT_LINES)
        if style == "list":  # Slack-like: avatar, bold name and time, message, all on the left
            who = rng.choice(CHAT_NAMES)
            c.ellipse((left + 24, y, left + 64, y + 40), rng.choice(SATURATED))
            c.text((left + 80, y), who, c.f("sans-bold", 15), ink)
            c.text((left + 90 + c.width(who, c.f("sans-bold", 15)), y + 2), stamp, meta, (140,) * 3)
            c.text((left + 80, y + 22), text, body, ink)
            y += 64
            continue
        me = me_first != (rng.random() < 0.5)
        tw = c.width(text, body)
        bw, bh = tw + 32, body.size / c.s + 24
        bx = W - 40 - bw if me else left + 40
        c.rect((bx, y, bx + bw, y + bh), mine if me else theirs, radius=18)
        c.text((bx + 16, y + 12), text, body, (255, 255, 255) if me else ink)
        c.text((bx + bw if me else bx, y + bh + 4), stamp, meta, (140,) * 3, "ra" if me else "la")
        y += bh + 34
    c.rect((left + 20, H - 70, W - 20, H - 24), theirs, radius=22)
    c.text((left + 44, H - 47), "Type a message", body, (140,) * 3, "lm")


def draw_other(c: Canvas, rng: random.Random) -> None:
    kind = rng.choice(["photo", "landscape", "shapes", "chrome", "settings", "form"])
    if kind in ("settings", "form"):
        draw_ui_panel(c, rng, kind)
    elif kind in ("photo", "landscape"):
        photo(c, rng)
        if kind == "landscape":
            ground = rng.choice([(60, 110, 50), (120, 100, 60), (40, 70, 90)])
            ridge = [(x * c.s, (560 + 80 * rng.random()) * c.s) for x in range(0, W + 1, 160)]
            c.draw.polygon([(0, H * c.s), *ridge, (W * c.s, H * c.s)], fill=ground)
        if rng.random() < 0.4:  # a photographer's credit is about all the text a photo carries
            c.text((W - 30, H - 30), rng.choice(["© J. Smith", "IMG_2041", "Lake Bled, 2019"]), c.f("sans", 18),
                   (255, 255, 255), "rs")  # fmt: skip
    elif kind == "shapes":
        c.rect((0, 0, W, H), rng.choice([(250, 250, 250), (20, 20, 24), (236, 240, 241)]))
        for _ in range(rng.randint(5, 12)):
            x, y, r = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(30, 160)
            shape = rng.choice(["ellipse", "rect"])
            if shape == "ellipse":
                c.ellipse((x - r, y - r, x + r, y + r), rng.choice(SATURATED))
            else:
                c.rect((x - r, y - r * 0.6, x + r, y + r * 0.6), rng.choice(SATURATED), radius=rng.choice([0, 20]))
    else:
        dark = rng.random() < 0.5
        c.rect((0, 0, W, H), (40, 40, 44) if dark else (250, 250, 250))
        top = window_bar(c, rng, dark, rng.choice(["", "Untitled", "Preview"]))
        c.rect((0, top, W, top + 44), (52, 52, 58) if dark else (238, 238, 240))
        x = 20.0
        for label in UI_MENU[: rng.randint(0, 4)]:
            c.text((x, top + 22), label, c.f("sans", 14), (200,) * 3 if dark else (60,) * 3, "lm")
            x += 60
        for i in range(rng.randint(3, 8)):
            c.rect((W - 60 - i * 44, top + 10, W - 36 - i * 44, top + 34), (120,) * 3, radius=5)
        if rng.random() < 0.5:
            c.rect((0, top + 44, 220, H), (46, 46, 52) if dark else (243, 243, 245))


def draw_ui_panel(c: Canvas, rng: random.Random, kind: str) -> None:
    dark = rng.random() < 0.4
    bg, card, ink = ((24, 24, 28), (44, 44, 50), (230, 230, 230)) if dark else ((242, 242, 247), (255,) * 3, (28,) * 3)
    c.rect((0, 0, W, H), bg)
    window_bar(c, rng, dark, rng.choice(["Settings", "Preferences", ""]))
    accent = rng.choice(SATURATED)
    label = c.f("sans", rng.choice([15, 17, 19]))
    if kind == "settings":
        c.text((W / 2 - 330, 80), rng.choice(["General", "Settings", "Privacy"]), c.f("sans-bold", 28), ink)
        c.rect((W / 2 - 340, 130, W / 2 + 340, 130 + 56 * 7), card, radius=14)
        for i, name in enumerate(rng.sample(UI_SETTINGS, k=7)):
            y = 130 + 56 * i + 28
            c.text((W / 2 - 310, y), name, label, ink, "lm")
            on = rng.random() < 0.6
            c.rect((W / 2 + 250, y - 14, W / 2 + 304, y + 14), accent if on else (150,) * 3, radius=14)
            c.ellipse((W / 2 + (278 if on else 252), y - 12, W / 2 + (302 if on else 276), y + 12), (255,) * 3)
        return
    c.rect((W / 2 - 220, 170, W / 2 + 220, 690), card, radius=16)
    c.ellipse((W / 2 - 32, 200, W / 2 + 32, 264), accent)
    c.text((W / 2, 300), rng.choice(["Sign in", "Welcome back", "Log in"]), c.f("sans-bold", 26), ink, "mt")
    for i, name in enumerate(UI_FORM[:2]):
        c.text((W / 2 - 180, 370 + i * 90), name, label, ink)
        c.rect((W / 2 - 180, 396 + i * 90, W / 2 + 180, 436 + i * 90), bg, radius=8)
    c.rect((W / 2 - 180, 560, W / 2 + 180, 606), accent, radius=10)
    c.text((W / 2, 583), "Continue", label, (255,) * 3, "mm")
    c.text((W / 2, 640), UI_FORM[3], c.f("sans", 14), accent, "mt")


RENDERERS = {
    "infographic": draw_infographic,
    "quote": draw_quote,
    "chart": draw_chart,
    "code": draw_code,
    "conversation": draw_conversation,
    "document": draw_document,
    "other": draw_other,
}


def make_labelled_set(folder: Path, per_class: int = 6, seed: int = 0) -> list[tuple[Path, str]]:
    """Renders `per_class` PNGs for each label into `folder`; returns (path, label) pairs."""
    folder.mkdir(parents=True, exist_ok=True)
    out: list[tuple[Path, str]] = []
    for c_index, (label, render) in enumerate(RENDERERS.items()):
        for i in range(per_class):
            rng = random.Random(f"{seed}:{label}:{i}")
            scale = 2 if (i + c_index + seed) % 6 == 5 else 1
            canvas = Canvas(scale, (255, 255, 255))
            render(canvas, rng)
            # File names carry no label, so nothing downstream can read it off the path.
            path = folder / f"shot-{seed}-{c_index * per_class + i:03d}.png"
            canvas.img.save(path)
            out.append((path, label))
    return out
