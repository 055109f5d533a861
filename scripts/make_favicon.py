"""Draw the site icon: static/favicon.svg and static/favicon.ico (16, 32 and 48 px).

A white page with two lines on the brand's red, the colours of static/css/app.css. Run from the
repository root after changing the drawing: `.venv/bin/python scripts/make_favicon.py`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND, PAGE, STAR = "#a3161b", "#ffffff", "#f2c200"
STATIC = Path(__file__).resolve().parent.parent / "static"
SIZE = 64  # the drawing's grid; every shape below is in these units

SVG = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">
<rect width="64" height="64" rx="12" fill="{BRAND}"/>
<path d="M18 10h20l10 10v34H18z" fill="{PAGE}"/>
<path d="M38 10v10h10z" fill="#e8b4b6"/>
<rect x="24" y="30" width="18" height="4" fill="{BRAND}"/>
<rect x="24" y="40" width="18" height="4" fill="{BRAND}"/>
<circle cx="48" cy="50" r="9" fill="{STAR}"/>
</svg>
"""


def draw(size: int) -> Image.Image:
    """The icon at `size` pixels, drawn on the 64-unit grid of the SVG."""
    big = SIZE * 4  # drawn large, then reduced: smooth edges at 16 px
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
        return tuple(v * 4 for v in (x0, y0, x1, y1))

    pen.rounded_rectangle(box(0, 0, 64, 64), radius=48, fill=BRAND)
    pen.polygon(
        [(v * 4, w * 4) for v, w in ((18, 10), (38, 10), (48, 20), (48, 54), (18, 54))], fill=PAGE
    )
    pen.polygon([(38 * 4, 10 * 4), (38 * 4, 20 * 4), (48 * 4, 20 * 4)], fill="#e8b4b6")
    pen.rectangle(box(24, 30, 42, 34), fill=BRAND)
    pen.rectangle(box(24, 40, 42, 44), fill=BRAND)
    pen.ellipse(box(39, 41, 57, 59), fill=STAR)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    (STATIC / "favicon.svg").write_text(SVG, encoding="utf-8")
    draw(48).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])


if __name__ == "__main__":
    main()
