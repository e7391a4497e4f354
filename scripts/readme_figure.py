#!/usr/bin/env python3
"""Renders the README's demo figure: content, style and result side by side.
Usage: readme_figure.py CONTENT STYLE RESULT OUT.png (needs Debian's python3-pil)."""
import sys

from PIL import Image

HEIGHT = 192


def scaled(path):
    image = Image.open(path).convert("RGB")
    width = round(image.width * HEIGHT / image.height)
    return image.resize((width, HEIGHT), Image.NEAREST if image.height < HEIGHT else Image.BOX)


def main():
    panels = [scaled(path) for path in sys.argv[1:4]]
    gap = 8
    figure = Image.new("RGB", (sum(p.width for p in panels) + gap * (len(panels) - 1), HEIGHT), "white")
    x = 0
    for panel in panels:
        figure.paste(panel, (x, 0))
        x += panel.width + gap
    figure.save(sys.argv[4])


if __name__ == "__main__":
    main()
