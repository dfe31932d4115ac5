"""Drawing helpers for the screenshot factory: fonts, a scaled canvas, gradients, window chrome, photos."""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "sans": "DejaVuSans.ttf",
    "sans-bold": "DejaVuSans-Bold.ttf",
    "serif": "DejaVuSerif.ttf",
    "serif-bold": "DejaVuSerif-Bold.ttf",
    "serif-italic": "DejaVuSerif-Italic.ttf",
    "mono": "DejaVuSansMono.ttf",
    "cond": "DejaVuSansCondensed.ttf",
}
W, H = 1440, 900
RGB = tuple[int, int, int]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
SATURATED: list[RGB] = [
    (231, 76, 60), (46, 134, 222), (39, 174, 96), (243, 156, 18), (142, 68, 173),
    (22, 160, 133), (232, 67, 147), (52, 73, 94), (211, 84, 0), (41, 128, 185),
]  # fmt: skip


@lru_cache(maxsize=128)
def font(name: str, size: int) -> Font:
    path = FONT_DIR / FONT_FILES[name]
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


class Canvas:
    """A 1440x900 coordinate space drawn at `scale`, so 2x captures are crisp rather than upscaled."""

    def __init__(self, scale: int, bg: RGB) -> None:
        self.s = scale
        self.img = Image.new("RGB", (W * scale, H * scale), bg)
        self.draw = ImageDraw.Draw(self.img)

    def f(self, name: str, size: float) -> Font:
        return font(name, round(size * self.s))

    def rect(self, box: tuple[float, float, float, float], fill: RGB | None, radius: float = 0, **kw: object) -> None:
        x0, y0, x1, y1 = (v * self.s for v in box)
        self.draw.rounded_rectangle((x0, y0, x1, y1), radius=radius * self.s, fill=fill, **kw)  # type: ignore[arg-type]

    def ellipse(self, box: tuple[float, float, float, float], fill: RGB) -> None:
        self.draw.ellipse([v * self.s for v in box], fill=fill)

    def line(self, pts: list[tuple[float, float]], fill: RGB, width: float = 1) -> None:
        self.draw.line([(x * self.s, y * self.s) for x, y in pts], fill=fill, width=max(1, round(width * self.s)))

    def text(self, xy: tuple[float, float], text: str, fnt: Font, fill: RGB, anchor: str = "la") -> None:
        self.draw.text((xy[0] * self.s, xy[1] * self.s), text, font=fnt, fill=fill, anchor=anchor)

    def width(self, text: str, fnt: Font) -> float:
        return self.draw.textlength(text, font=fnt) / self.s


def wrap(c: Canvas, text: str, fnt: Font, max_w: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and c.width(trial, fnt) > max_w:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


def mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def gradient(c: Canvas, top: RGB, bottom: RGB) -> None:
    for y in range(H):
        c.rect((0, y, W, y + 1), mix(top, bottom, y / H))


def window_bar(c: Canvas, rng: random.Random, dark: bool, title: str = "") -> float:
    """Draws an OS title bar; returns its height."""
    h = rng.choice([28, 34, 40])
    c.rect((0, 0, W, h), (48, 48, 52) if dark else (232, 232, 234))
    for i, col in enumerate([(255, 95, 86), (255, 189, 46), (39, 201, 63)]):
        c.ellipse((14 + i * 22, h / 2 - 6, 26 + i * 22, h / 2 + 6), col)
    if title:
        c.text((W / 2, h / 2), title, c.f("sans", 13), (200, 200, 200) if dark else (70, 70, 70), anchor="mm")
    return h


def photo(c: Canvas, rng: random.Random) -> None:
    """A photo-like backdrop: a colour gradient, soft blurred blobs and sensor noise."""
    gradient(c, rng.choice(SATURATED), mix(rng.choice(SATURATED), (255, 255, 255), 0.4))
    layer = Image.new("RGB", c.img.size, (0, 0, 0))
    mask = Image.new("L", c.img.size, 0)
    d, md = ImageDraw.Draw(layer), ImageDraw.Draw(mask)
    for _ in range(rng.randint(6, 14)):
        x, y, r = rng.uniform(0, W) * c.s, rng.uniform(0, H) * c.s, rng.uniform(60, 260) * c.s
        d.ellipse((x - r, y - r, x + r, y + r), fill=rng.choice(SATURATED))
        md.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(90, 220))
    c.img.paste(layer, (0, 0), mask.filter(ImageFilter.GaussianBlur(30 * c.s)))
    noise = Image.effect_noise(c.img.size, rng.choice([12, 24, 40])).convert("RGB")
    c.img.paste(Image.blend(c.img, noise, 0.12))
    c.draw = ImageDraw.Draw(c.img)
