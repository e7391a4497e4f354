#!/usr/bin/env python3
"""Renders the README's figure of vgg19 and vgg19 normalized at the paper's ratios.
Rows: vgg19 at 1e-4 and 1e-3, normalized at 1e-4 and 1e-3 (the four paintings of Fig. 2), then
normalized on The Starry Night at 1e-8 .. 1e-5. Each argument is a sweep's output directory.
Usage: normalized_figure.py OUT.jpg VGG19_FIG2 NORMALIZED_FIG2 NORMALIZED_SCAN (python3-pil)."""
import sys

from PIL import Image, ImageDraw, ImageFont

WIDTH, LABEL_WIDTH, GAP = 160, 170, 4
STYLES = ("shipwreck", "starry_night", "the_scream", "composition_vii")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def cell(path):
    image = Image.open(path).convert("RGB")
    return image.resize((WIDTH, round(image.height * WIDTH / image.width)), Image.LANCZOS)


def main():
    out, vgg19, normalized, scan = sys.argv[1:5]
    rows = [(f"{name}, α/β {ratio}", [f"{folder}/images/{style}-r{ratio}.png" for style in STYLES])
            for name, folder in (("vgg19", vgg19), ("normalized", normalized)) for ratio in ("1e-04", "1e-03")]
    rows.append(("normalized, Starry Night\n1e-8, 1e-7, 1e-6, 1e-5",
                 [f"{scan}/images/r1e-0{k}.png" for k in (8, 7, 6, 5)]))
    cells = [[cell(path) for path in paths] for _, paths in rows]
    heights = [max(c.height for c in row) for row in cells]
    figure = Image.new("RGB", (LABEL_WIDTH + len(STYLES) * (WIDTH + GAP), sum(h + GAP for h in heights)), "white")
    draw, font = ImageDraw.Draw(figure), ImageFont.truetype(FONT, 13)
    y = 0
    for (label, _), row, height in zip(rows, cells, heights):
        draw.multiline_text((4, y + 40), label, fill="black", font=font)
        for k, image in enumerate(row):
            figure.paste(image, (LABEL_WIDTH + k * (WIDTH + GAP), y))
        y += height + GAP
    figure.save(out, quality=85)


if __name__ == "__main__":
    main()
