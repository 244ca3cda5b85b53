"""Page images to look at: contact sheets of every PDF (`make proof`), and before/after sheets of what an edit changed.

Each contact sheet shows up to 24 pages side by side (spreads as they will be
bound: page 1 alone on the right, then left–right pairs), at a size where
layout, colour and rhythm can be judged at a glance; single pages are kept at
60 dpi for a closer look.

After an edit, `changed_sheets` puts each changed page as it was beside the
page as it is (the previous build's PDF, kept by the build, and the new one),
with what `publish.changes` found marked: a red box on a line with new or
edited text, a red bar where text was taken out, an orange box on a changed
running head or folio, and a light blue bar beside every line that only moved.
The proofreader reads the red, glances down the blue.

    python -m publish.proof --changed OLD/print.pdf output/<id>/print.pdf [--output FOLDER]
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PAGES_PER_SHEET = 24
COLUMNS = 8
THUMB_DPI = 30
PAGE_DPI = 60


def contact_sheets(pdf: Path, folder: Path) -> list[Path]:
    """Every page of `pdf` as a thumbnail on sheets of facing pages, and each page alone at PAGE_DPI.

    The folder's earlier pages and sheets go first: a book that got shorter must not keep its old last pages.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for stale in [*folder.glob("*-page-*.png"), *folder.glob("*-sheet-*.png")]:
        stale.unlink()
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


# -- before and after ------------------------------------------------------------------------------------------------
SIDE_DPI = 40  # a whole A4 page 331 px wide: lines readable as lines, marks easy to find
PAIRS_PER_ROW = 3
ROWS_PER_SHEET = 4
SHEET_GAP = 24  # px between pairs and around them
PAIR_GAP = 6  # px between a page as it was and as it is
LEGEND_HEIGHT = 30  # px: the legend line at the top of a sheet
CAPTION_HEIGHT = 24  # px: the folio and what changed, under a pair
BACKGROUND = (90, 90, 90)
# Marks, strongest first: the proofreader reads the red, glances at the blue, checks the orange.
MARK_COLOURS = {
    "text": ((220, 30, 30, 70), (200, 0, 0, 255)),  # fill, outline: a line with new or edited text
    "removed": ((220, 30, 30, 255), None),  # a bar where text was taken out
    "furniture": ((255, 150, 0, 60), (230, 120, 0, 255)),  # a running head or folio that changed
    "moved": ((60, 130, 230, 200), None),  # a bar beside a line that only moved (reflowed)
}
KIND_CAPTIONS = {"text": "text changed", "reflowed": "reflowed", "furniture": "furniture only",
                 "added": "added", "removed": "removed"}
LEGEND = ("left: before, right: after    red box: new or edited text    red bar: text taken out    "
          "blue bar: line moved (reflowed)    orange: running head or folio")


def changed_sheets(before_pdf: Path, after_pdf: Path, report, folder: Path,
                   kinds=("text", "furniture", "reflowed", "added", "removed")) -> list[Path]:
    """Sheets of the changed pages, each page as it was beside the page as it is, the changes marked.

    `report` is the `publish.changes.ChangeReport` of `after_pdf` against
    `before_pdf` (the previous build's PDF, kept by the build). Returns the
    PNG files written, `<after stem>-changed-1.png` …; none when no page of
    those kinds changed.
    """
    pages = [p for p in report.pages if p.kind in kinds]
    if report.first_build or not pages:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temp:
        old = _PageImages(Path(before_pdf), Path(temp) / "before", [p.shown_before for p in pages])
        new = _PageImages(Path(after_pdf), Path(temp) / "after", [p.index for p in pages])
        size = new.size or old.size
        width, height = size
        font = ImageFont.load_default(size=14)
        sheets = []
        per_sheet = PAIRS_PER_ROW * ROWS_PER_SHEET
        for number, start in enumerate(range(0, len(pages), per_sheet), start=1):
            chunk = pages[start:start + per_sheet]
            rows = (len(chunk) + PAIRS_PER_ROW - 1) // PAIRS_PER_ROW
            sheet = Image.new("RGB", (PAIRS_PER_ROW * (2 * width + PAIR_GAP) + (PAIRS_PER_ROW + 1) * SHEET_GAP,
                                      LEGEND_HEIGHT + rows * (height + CAPTION_HEIGHT + SHEET_GAP)), BACKGROUND)
            draw = ImageDraw.Draw(sheet)
            draw.text((SHEET_GAP, 8), LEGEND, fill=(255, 255, 255), font=font)
            for position, page in enumerate(chunk):
                x, y = pair_origin(position, size)
                sheet.paste(old.marked(page.shown_before, page.marks_before, size), (x, y))
                sheet.paste(new.marked(page.index, page.marks_after, size), (x + width + PAIR_GAP, y))
                label = f"{page.folio}  {KIND_CAPTIONS.get(page.kind, page.kind)}"
                if page.was:
                    label += f": renumbered, was {page.was}"
                draw.text((x, y + height + 4), label, fill=(255, 255, 255), font=font)
            path = folder / f"{Path(after_pdf).stem}-changed-{number}.png"
            sheet.save(path)
            sheets.append(path)
        return sheets


def pair_origin(position: int, size: tuple[int, int]) -> tuple[int, int]:
    """Where the `position`-th pair of a sheet starts (its page as it was; as it is, `width + PAIR_GAP` right)."""
    width, height = size
    return (SHEET_GAP + (position % PAIRS_PER_ROW) * (2 * width + PAIR_GAP + SHEET_GAP),
            LEGEND_HEIGHT + (position // PAIRS_PER_ROW) * (height + CAPTION_HEIGHT + SHEET_GAP))


class _PageImages:
    """Some pages of a PDF as images cut at the trim (poppler's pdftoppm), and the scale to draw marks on them."""

    def __init__(self, pdf: Path, folder: Path, indexes: list[int | None]):
        import pikepdf
        folder.mkdir()
        self.images: dict[int, Path] = {}
        self.size = None
        wanted = sorted({i for i in indexes if i is not None})
        if not wanted:
            return
        with pikepdf.open(pdf) as document:
            page = document.pages[wanted[0]]
            media, trim = [float(v) for v in page.mediabox], [float(v) for v in page.trimbox]
        scale = SIDE_DPI / 72
        self.scale = scale
        self.crop = (round((trim[0] - media[0]) * scale), round((media[3] - trim[3]) * scale),
                     round((trim[2] - media[0]) * scale), round((media[3] - trim[1]) * scale))
        self.size = (self.crop[2] - self.crop[0], self.crop[3] - self.crop[1])
        for first, last in _spans(wanted):  # one pdftoppm per run of consecutive pages
            prefix = folder / f"p{first}"
            subprocess.run(["pdftoppm", "-r", str(SIDE_DPI), "-png", "-f", str(first + 1), "-l", str(last + 1),
                            str(pdf), str(prefix)], check=True)
            for image in folder.glob(f"p{first}-*.png"):
                self.images[int(image.stem.rsplit("-", 1)[1]) - 1] = image

    def marked(self, index: int | None, marks, size: tuple[int, int]) -> Image.Image:
        if index is None or index not in self.images:
            blank = Image.new("RGB", size, (150, 150, 150))
            ImageDraw.Draw(blank).text((12, 12), "no page", fill=(255, 255, 255),
                                       font=ImageFont.load_default(size=14))
            return blank
        image = Image.open(self.images[index]).convert("RGB").crop(self.crop)
        if image.size != size:
            image = image.resize(size)
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(overlay)
        s, pad = self.scale, 1.5  # pt around a line's glyphs
        for mark in marks:
            fill, outline = MARK_COLOURS[mark.kind]
            if mark.kind == "moved":  # a bar in the margin, left of the text block
                draw.rectangle(((mark.x0 - 9) * s, mark.top * s, (mark.x0 - 4) * s, mark.bottom * s), fill=fill)
            elif mark.kind == "removed":
                draw.rectangle(((mark.x0 - 7) * s, (mark.top - 0.5) * s, mark.x1 * s, (mark.bottom + 0.5) * s),
                               fill=fill)
            else:
                draw.rectangle(((mark.x0 - pad) * s, (mark.top - pad) * s, (mark.x1 + pad) * s,
                                (mark.bottom + pad) * s), fill=fill, outline=outline, width=2)
        return Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")


def _spans(indexes: list[int]) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for index in indexes:
        if spans and index == spans[-1][1] + 1:
            spans[-1][1] = index
        else:
            spans.append([index, index])
    return [(first, last) for first, last in spans]


def main(argv=None) -> int:
    """`python -m publish.proof --changed BEFORE.pdf AFTER.pdf [--output FOLDER]`: the before/after sheets."""
    import argparse
    import sys

    from .changes import PageTextError, compare, read_pages
    parser = argparse.ArgumentParser(prog="python -m publish.proof",
                                     description="Sheets of the pages that changed between two builds of a PDF.")
    parser.add_argument("--changed", nargs=2, metavar=("BEFORE", "AFTER"), type=Path, required=True,
                        help="the previous build's PDF and the new one")
    parser.add_argument("--output", type=Path, default=None, help="where to write the sheets (default: beside AFTER, "
                                                                  "in proof/)")
    args = parser.parse_args(argv)
    before, after = args.changed
    try:
        report = compare(read_pages(before), read_pages(after))
    except PageTextError as exc:
        print(f"proof: {exc}", file=sys.stderr)
        return 1
    print(report.summary(after.name))
    for sheet in changed_sheets(before, after, report, args.output or after.parent / "proof"):
        print(sheet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def changed_pages_sheets(pdf: Path, cache: Path, folder: Path) -> list[Path]:
    """`publish proof --changed`: the pages the last build changed, as they were beside as they are.

    The build keeps the screen.pdf it replaced (cache/previous-screen.pdf);
    both are read again here and compared (publish/changes.py).
    """
    from .changes import compare, read_pages
    from .pipeline import PREVIOUS_SCREEN
    previous = Path(cache) / PREVIOUS_SCREEN
    if not previous.is_file():
        return []
    report = compare(read_pages(previous), read_pages(pdf))
    return changed_sheets(previous, pdf, report, folder)
