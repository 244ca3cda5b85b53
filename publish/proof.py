"""Page images to look at: contact sheets of every PDF, for `make proof`.

Each sheet shows up to 24 pages side by side (spreads as they will be bound:
page 1 alone on the right, then left–right pairs), at a size where layout,
colour and rhythm can be judged at a glance; single pages are kept at 60 dpi
for a closer look.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

PAGES_PER_SHEET = 24
COLUMNS = 8
THUMB_DPI = 30
PAGE_DPI = 60


def contact_sheets(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        subprocess.run(["pdftoppm", "-r", str(THUMB_DPI), "-png", str(pdf), f"{temp}/t"], check=True)
        subprocess.run(["pdftoppm", "-r", str(PAGE_DPI), "-png", str(pdf), str(folder / f"{pdf.stem}-page")],
                       check=True)
        thumbs = sorted(Path(temp).glob("t-*.png"))
        images = [None] + [Image.open(t).convert("RGB") for t in thumbs]  # None: the empty left of page 1
        width, height = images[1].size
        sheets = []
        for number, start in enumerate(range(0, len(images), PAGES_PER_SHEET), start=1):
            chunk = images[start:start + PAGES_PER_SHEET]
            rows = (len(chunk) + COLUMNS - 1) // COLUMNS
            gap = 12
            sheet = Image.new("RGB", (COLUMNS * width + (COLUMNS // 2) * gap, rows * (height + 18)), (90, 90, 90))
            draw = ImageDraw.Draw(sheet)
            for i, image in enumerate(chunk):
                col, row = i % COLUMNS, i // COLUMNS
                x = col * width + (col // 2) * gap
                y = row * (height + 18)
                if image is not None:
                    sheet.paste(image, (x, y))
                    draw.text((x + 4, y + height + 2), str(start + i), fill=(255, 255, 255))
            path = folder / f"{pdf.stem}-sheet-{number}.png"
            sheet.save(path)
            sheets.append(path)
        return sheets
