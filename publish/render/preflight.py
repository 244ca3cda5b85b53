"""Preflight: print.pdf read back the way a printer's prepress checks it.

No PDF/X validator is packaged for Debian (veraPDF checks PDF/A and PDF/UA,
not PDF/X), so the checks are the project's own, point by point, on the bytes
that go to the printer — never on what the code meant to write:

- the file: PDF version ≤ 1.6, the PDF/X-4 output intent and its CMYK profile,
  XMP (pdfxid:GTS_PDFXVersion, pdf:Trapped, dates, title, document and version
  ids) and /Info agreeing with it; no encryption, scripts or embedded files;
- every page: TrimBox and BleedBox inside the MediaBox, one trim size, the bleed,
  marks in registration colour and outside the bleed, no annotations;
- every colour drawn (content streams, forms, patterns, shadings, images,
  transparency groups): none in DeviceRGB; the total ink of each; small text in
  one ink (four-colour black on small text is the classic failure);
- every font embedded; every image's colour space and its effective resolution
  at its placed size (from the CTM it is drawn with).

`preflight()` returns a PreflightReport; `.text()` is what the build writes to
output/<id>/preflight.txt, `.summary()` its one line in the build output, and
`.failed(strict)` says whether the build must stop (errors; with `strict`, any
warning too).
"""
from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

import pikepdf
from PIL import Image, ImageCms

from .images import RESOLUTION_HINT, PreparedPhoto, resolution_problem
from .pdf_content import IDENTITY, Matrix, ObjectDigests, apply, matrix_of, multiply, scale_of
from ..errors import shown
from .press import MM, PressColours, PressSettings, parse_pdf_date

SMALL_TEXT = 12.0  # pt: below this, text in more than one ink shows misregistration
TINY_TEXT = 9.0  # pt: below this, even two inks blur
RICH_BLACK = 0.5  # K at or above this with any C, M or Y is "four-colour black"
MIN_BLEED = 3 * MM  # what offset printers ask for
TOLERANCE = 0.01  # pt


@dataclass(frozen=True)
class PreflightProblem:
    severity: str  # "error" or "warning"
    page: int | None  # 1-based; None for the whole file
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"page {self.page}" if self.page else "file"
        text = f"{where}: {self.severity}: {self.message}"
        return text + (f"\n    fix: {self.hint}" if self.hint else "")


@dataclass
class FontReport:
    name: str
    subtype: str
    embedded: bool
    subset: bool
    pages: set[int] = field(default_factory=set)


@dataclass
class ImageReport:
    page: int
    source: str  # the photo's file name, or "" for an image no photo explains
    width: int  # pixels as drawn (upright)
    height: int
    placed_mm: tuple[float, float]
    ppi: float
    colour_space: str
    max_ink: float | None  # 0–4; None where not measurable


@dataclass
class PreflightReport:
    pdf_version: str = ""
    pdfx_version: str = ""
    pages: int = 0
    trim_mm: tuple[float, float] | None = None
    bleed_mm: float | None = None
    media_mm: tuple[float, float] | None = None
    marks: str = "none"
    output_condition: str = ""
    output_profile: str = ""
    fonts: list[FontReport] = field(default_factory=list)
    images: list[ImageReport] = field(default_factory=list)
    colours: dict[str, set[int]] = field(default_factory=dict)  # "DeviceCMYK 0 0 0 1" → pages
    max_ink: float | None = None
    ink_limit: float | None = None
    bound: bool = False
    problems: list[PreflightProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[PreflightProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[PreflightProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    def failed(self, strict: bool = False) -> bool:
        return bool(self.errors or (strict and self.warnings))

    def summary(self) -> str:
        verdict = f"{len(self.errors)} error{'s' * (len(self.errors) != 1)}, " \
                  f"{len(self.warnings)} warning{'s' * (len(self.warnings) != 1)}"
        return (f"preflight: {self.pdfx_version or 'not PDF/X'}, {self.output_condition or 'no output intent'}, "
                f"{self.pages} pages, {self._ink_text()} max ink: {verdict}")

    def text(self) -> str:
        lines = ["Preflight of print.pdf", ""]
        add = lines.append
        add(f"Standard       {self.pdfx_version or '—'} (PDF {self.pdf_version})")
        add(f"Output intent  {self.output_condition or '—'}")
        add(f"Profile        {self.output_profile or '—'}")
        if self.trim_mm:
            add(f"Trim           {self.trim_mm[0]:.1f} × {self.trim_mm[1]:.1f} mm")
        add(f"Bleed          {self.bleed_mm:.1f} mm" if self.bleed_mm is not None else "Bleed          —")
        if self.media_mm:
            add(f"Sheet (media)  {self.media_mm[0]:.1f} × {self.media_mm[1]:.1f} mm")
        add(f"Marks          {self.marks}")
        four = "a multiple of 4" if self.pages % 4 == 0 else \
            f"not a multiple of 4 ({-self.pages % 4} blank pages make it one)"
        add(f"Pages          {self.pages}, {four}")
        limit = f" (limit {self.ink_limit * 100:.0f} %)" if self.ink_limit else ""
        add(f"Total ink      {self._ink_text()} at most{limit}")
        add("")
        add(f"Fonts ({len(self.fonts)})")
        for font in sorted(self.fonts, key=lambda f: f.name):
            state = ("embedded" if font.embedded else "NOT EMBEDDED") + (", subset" if font.subset else "")
            add(f"  {font.name}  {font.subtype}, {state}; pages {_ranges(font.pages)}")
        add("")
        add(f"Images ({len(self.images)})")
        for image in self.images:
            ink = f", ink {image.max_ink * 100:.0f} %" if image.max_ink is not None else ""
            add(f"  page {image.page}: {image.source or 'unknown image'}  {image.width} × {image.height} px at "
                f"{image.placed_mm[0]:.1f} × {image.placed_mm[1]:.1f} mm = {image.ppi:.0f} ppi, "
                f"{image.colour_space}{ink}")
        add("")
        add(f"Colours ({len(self.colours)})")
        for colour, pages in sorted(self.colours.items()):
            add(f"  {colour}  pages {_ranges(pages)}")
        add("")
        add(f"Problems: {len(self.errors)} errors, {len(self.warnings)} warnings")
        # One line for the same problem on many pages (a stray colour in a running head is on all of them).
        grouped: dict[tuple, list] = {}
        for problem in self.problems:
            grouped.setdefault((problem.severity != "error", problem.message, problem.hint), []).append(problem.page)
        for (is_warning, message, hint), pages in sorted(grouped.items(),
                                                         key=lambda g: (g[0][0], min(p or 0 for p in g[1]))):
            numbers = [p for p in pages if p]
            where = f"page{'s' * (len(numbers) > 1)} {_ranges(numbers)}" if numbers else "file"
            add(f"  {where}: {'warning' if is_warning else 'error'}: {message}"
                + (f"\n      fix: {hint}" if hint else ""))
        return "\n".join(lines) + "\n"

    def _ink_text(self) -> str:
        return f"{self.max_ink * 100:.0f} %" if self.max_ink is not None else "unmeasured"


def preflight(print_pdf: bytes, settings: PressSettings | None = None, photos: Iterable[PreparedPhoto] = (),
              strict: bool = False, bound: bool = False, kept=None) -> PreflightReport:
    """Check `print_pdf` as a PDF/X-4 press file.

    `settings` gives the colour table (to name the token of each colour and of a stray
    sRGB one) and the ink limit; `photos` name the images (by their print form's
    digest); `strict` makes photos under PRINT_PPI_MIN errors; `bound` (a bound book)
    makes a page count that is not a multiple of 4 a warning. `kept` (the build's
    cache, cache.Kept): what was found drawn on a page is kept under a digest of
    everything its drawing reads, and a page whose bytes are the same is not run again.
    """
    report = PreflightReport(bound=bound, ink_limit=settings.ink_limit if settings else None)
    problems = _Problems(report)
    try:
        pdf = pikepdf.open(io.BytesIO(print_pdf))
    except pikepdf.PdfError as error:
        problems.error(None, f"not a readable PDF: {error}", "write it again")
        return report
    with pdf:
        report.pdf_version = pdf.pdf_version
        report.pages = len(pdf.pages)
        _check_file(pdf, report, problems)
        _check_output_intent(pdf, report, problems)
        _check_metadata(pdf, report, problems)
        _check_pages(pdf, report, problems)
        sources = {}
        notes = {}
        if settings is not None:
            for photo in photos:
                image = photo.print_image(settings.profile.data)
                sources[image.sha256] = photo.photo.path.name
                notes[image.sha256] = image.notes
        _Drawing(pdf, report, problems, settings.colours if settings else None, sources, notes, strict, kept).run()
        _check_everything_else(pdf, problems)
    if bound and report.pages % 4:
        problems.warning(None, f"{report.pages} pages: a bound book needs a multiple of 4",
                         f"add {-report.pages % 4} blank pages (or cut pages)")
    return report


class _Problems:
    def __init__(self, report: PreflightReport):
        self.report = report
        self._seen: set = set()

    def error(self, page, message, hint=""):
        self.add("error", page, message, hint)

    def warning(self, page, message, hint=""):
        self.add("warning", page, message, hint)

    def add(self, severity, page, message, hint=""):
        key = (severity, page, message)
        if key not in self._seen:
            self._seen.add(key)
            self.report.problems.append(PreflightProblem(severity, page, message, hint))


# -- the file ------------------------------------------------------------------------------------

def _check_file(pdf: pikepdf.Pdf, report: PreflightReport, problems: _Problems) -> None:
    if tuple(int(x) for x in pdf.pdf_version.split(".")) > (1, 6):
        problems.error(None, f"PDF version {pdf.pdf_version}: PDF/X-4 allows at most 1.6",
                       "save it as PDF 1.6")
    if pdf.is_encrypted:
        problems.error(None, "the file is encrypted", "write it without a password or permissions")
    names = pdf.Root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        if "/JavaScript" in names:
            problems.error(None, "the file holds scripts (/Names /JavaScript)", "remove them")
        if "/EmbeddedFiles" in names:
            problems.error(None, "the file holds attachments (/EmbeddedFiles)", "remove them")
    for key, what in (("/AcroForm", "form fields"), ("/OpenAction", "an action on opening")):
        if key in pdf.Root:
            problems.error(None, f"the file has {what} ({key})", "remove it")


def _check_output_intent(pdf: pikepdf.Pdf, report: PreflightReport, problems: _Problems) -> None:
    intents = [i for i in pdf.Root.get("/OutputIntents", []) if i.get("/S") == "/GTS_PDFX"]
    if not intents:
        problems.error(None, "no PDF/X output intent (/OutputIntents with /S /GTS_PDFX)",
                       "name the press condition and embed its CMYK profile")
        return
    if len(intents) > 1:
        problems.error(None, f"{len(intents)} PDF/X output intents; PDF/X allows one", "keep one")
    intent = intents[0]
    identifier = str(intent.get("/OutputConditionIdentifier", ""))
    condition = str(intent.get("/OutputCondition", "")) or str(intent.get("/Info", ""))
    report.output_condition = f"{identifier} — {condition}" if condition and condition != identifier else identifier
    if not identifier:
        problems.error(None, "the output intent has no OutputConditionIdentifier",
                       "give the registered name (e.g. FOGRA39) or Custom")
    profile = intent.get("/DestOutputProfile")
    if profile is None:
        problems.error(None, "the output intent embeds no ICC profile (DestOutputProfile)",
                       "embed the press condition's CMYK profile")
        return
    data = profile.read_bytes()
    try:
        description = ImageCms.ImageCmsProfile(io.BytesIO(data)).profile.profile_description or "?"
    except (OSError, ImageCms.PyCMSError):
        problems.error(None, "the output intent's ICC profile cannot be read", "embed a valid profile")
        return
    report.output_profile = f"{description.strip()} ({len(data) // 1024} KB, {data[16:20].decode('latin1')}, " \
                            f"ICC {data[8]}.{data[9] >> 4})"
    if data[16:20] != b"CMYK" or int(profile.get("/N", 0)) != 4:
        problems.error(None, f"the output profile is {data[16:20].decode('latin1').strip()}, not CMYK",
                       "embed the press's CMYK output profile")
    if data[12:16] != b"prtr":
        problems.error(None, "the output profile is not an output (printer) profile", "embed the press profile")


XMP_FIELDS = {
    "pdfxid:GTS_PDFXVersion": "the PDF/X version",
    "pdf:Trapped": "whether the file is trapped",
    "xmp:CreateDate": "the creation date",
    "xmp:ModifyDate": "the modification date",
    "xmp:MetadataDate": "the metadata date",
    "xmpMM:DocumentID": "the document id",
    "xmpMM:VersionID": "the version id",
    "xmpMM:RenditionClass": "the rendition class",
    "dc:title": "the title",
}


def _check_metadata(pdf: pikepdf.Pdf, report: PreflightReport, problems: _Problems) -> None:
    metadata = pdf.Root.get("/Metadata")
    xmp = metadata.read_bytes().decode("utf-8", "replace") if metadata is not None else ""
    if not xmp:
        problems.error(None, "no XMP metadata", "write XMP with the PDF/X-4 identification")
    values = {name: _xmp_value(xmp, name) for name in XMP_FIELDS}
    for name, what in XMP_FIELDS.items():
        if xmp and not values[name]:
            problems.error(None, f"the XMP metadata lacks {name} ({what})", "write it; PDF/X-4 requires it")
    report.pdfx_version = values["pdfxid:GTS_PDFXVersion"] or ""
    if values["pdfxid:GTS_PDFXVersion"] and values["pdfxid:GTS_PDFXVersion"] != "PDF/X-4":
        problems.error(None, f"XMP says {values['pdfxid:GTS_PDFXVersion']}, not PDF/X-4", "identify it as PDF/X-4")
    if values["pdf:Trapped"] and values["pdf:Trapped"] not in ("True", "False"):
        problems.error(None, f"pdf:Trapped is {values['pdf:Trapped']}; PDF/X needs True or False",
                       "say False (the RIP traps) or True")
    info = pdf.docinfo
    trapped = str(info.get("/Trapped", ""))
    if trapped not in ("/True", "/False"):
        problems.error(None, f"/Info /Trapped is {trapped or 'missing'}; PDF/X needs /True or /False", "set it")
    elif values["pdf:Trapped"] and trapped[1:] != values["pdf:Trapped"]:
        problems.error(None, "/Info /Trapped and the XMP's pdf:Trapped differ", "make them agree")
    if not str(info.get("/Title", "")):
        problems.error(None, "/Info has no /Title", "give the document its title")
    if str(info.get("/GTS_PDFXVersion", "PDF/X-4")) != "PDF/X-4":
        problems.error(None, f"/Info /GTS_PDFXVersion is {info.get('/GTS_PDFXVersion')}", "say PDF/X-4")
    for key in ("/CreationDate", "/ModDate"):
        if key not in info:
            problems.error(None, f"/Info has no {key}", "give both dates, the same as the XMP's")
    if xmp:
        _check_info_agrees(info, xmp, values, problems)


INFO_IN_XMP = (("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Subject", "dc:description"),
               ("/Keywords", "pdf:Keywords"), ("/Producer", "pdf:Producer"), ("/Creator", "xmp:CreatorTool"))


def _check_info_agrees(info, xmp: str, values: dict, problems: _Problems) -> None:
    """/Info and the XMP must say the same (PDF/X-4 takes the XMP; a prepress check compares them)."""
    for key, name in INFO_IN_XMP:
        said = str(info.get(key, ""))
        written = _xmp_value(xmp, name)
        if said and said != written:
            problems.error(None, f"/Info {key} and the XMP's {name} differ ({shown(said)} / {shown(written)})",
                           "write the same value in both")
    for key, name in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        said = parse_pdf_date(info.get(key))
        try:
            written = datetime.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            problems.error(None, f"the XMP's {name} is not a date: {values[name]}", "write an ISO 8601 date")
            continue
        if said is not None and written is not None and said != written:
            problems.error(None, f"/Info {key} and the XMP's {name} differ ({said:%Y-%m-%d %H:%M} / "
                                 f"{written:%Y-%m-%d %H:%M})", "write the same moment in both")


def _xmp_value(xmp: str, name: str) -> str:
    """A property's text, written as an element (with or without rdf:Alt/Seq) or as an attribute."""
    element = re.search(rf"<{name}\b[^>]*>(.*?)</{name}>", xmp, re.S)
    if element:
        return re.sub(r"<[^>]+>", "", element.group(1)).strip()
    attribute = re.search(rf'\b{name}="([^"]*)"', xmp)
    return attribute.group(1).strip() if attribute else ""


# -- the pages -----------------------------------------------------------------------------------

def _box(page, key) -> list[float] | None:
    value = page.obj.get(key)
    return [float(v) for v in value] if value is not None else None


def _inside(inner, outer) -> bool:
    return (inner[0] >= outer[0] - TOLERANCE and inner[1] >= outer[1] - TOLERANCE
            and inner[2] <= outer[2] + TOLERANCE and inner[3] <= outer[3] + TOLERANCE)


def _check_pages(pdf: pikepdf.Pdf, report: PreflightReport, problems: _Problems) -> None:
    trims = set()
    bleeds = []
    for index, page in enumerate(pdf.pages):
        number = index + 1
        media, trim, bleed = _box(page, "/MediaBox"), _box(page, "/TrimBox"), _box(page, "/BleedBox")
        annots = page.obj.get("/Annots")
        if annots is not None and len(annots):
            kinds = sorted({str(a.get("/Subtype", "?"))[1:] for a in annots})
            problems.error(number, f"{len(annots)} annotation{'s' * (len(annots) != 1)} ({', '.join(kinds)})",
                           "remove them: a press file carries none (PDF/X forbids them inside the bleed)")
        if trim is None:
            problems.error(number, "no TrimBox", "give every page its trimmed size")
            continue
        if bleed is None:
            problems.warning(number, "no BleedBox", "give every page its bleed (trim + 3 mm)")
            bleed = trim
        if not _inside(trim, bleed):
            problems.error(number, "the TrimBox is not inside the BleedBox", "make the BleedBox trim + bleed")
        if media is not None and not _inside(bleed, media):
            problems.error(number, "the BleedBox is not inside the MediaBox", "enlarge the MediaBox")
        trims.add((round((trim[2] - trim[0]) / MM, 1), round((trim[3] - trim[1]) / MM, 1)))
        bleeds.append(min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3]))
        if index == 0 and media is not None:
            report.media_mm = ((media[2] - media[0]) / MM, (media[3] - media[1]) / MM)
    if trims:
        report.trim_mm = sorted(trims)[0]
    if len(trims) > 1:
        problems.warning(None, f"pages of {len(trims)} trim sizes: " +
                         ", ".join(f"{w} × {h} mm" for w, h in sorted(trims)), "give every page one trim size")
    if bleeds:
        report.bleed_mm = min(bleeds) / MM
        if min(bleeds) < MIN_BLEED - TOLERANCE:
            small = [i + 1 for i, b in enumerate(bleeds) if b < MIN_BLEED - TOLERANCE]
            problems.warning(small[0], f"bleed {min(bleeds) / MM:.1f} mm (pages {_ranges(small)}), under 3 mm",
                             "set bleed: 3mm in publication.yaml")


# -- what is drawn ---------------------------------------------------------------------------------

@dataclass
class _State:
    ctm: Matrix = IDENTITY
    fill_space: object = "/DeviceGray"
    stroke_space: object = "/DeviceGray"
    fill: tuple = (0.0,)
    stroke: tuple = (0.0,)
    line_width: float = 1.0
    font: object = None
    font_size: float = 0.0
    render_mode: int = 0

    def copy(self) -> "_State":
        return _State(**self.__dict__)


class _PageFindings:
    """What one page's drawing found, in the order it was found, without the page's number: the same
    bytes drawn on another page, or in the next build, find the same."""

    def __init__(self, events: list | None = None, colours: list | None = None, marks: list | None = None,
                 max_ink: float | None = None):
        self.events = events or []  # ("problem", severity, message, hint), ("font", …FontReport), ("image", …)
        self.colours = dict.fromkeys(colours or ())  # labels, as an ordered set
        self.marks = marks or []  # (bbox, line width)
        self.max_ink = max_ink

    def error(self, message: str, hint: str = "") -> None:
        self.add("error", message, hint)

    def warning(self, message: str, hint: str = "") -> None:
        self.add("warning", message, hint)

    def add(self, severity: str, message: str, hint: str = "") -> None:
        self.events.append(("problem", severity, message, hint))

    def ink(self, value: float) -> None:
        self.max_ink = value if self.max_ink is None else max(self.max_ink, value)

    def to_list(self) -> list:
        return [self.events, list(self.colours), self.marks, self.max_ink]

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_list()).encode("utf-8")

    @classmethod
    def from_list(cls, value: list) -> "_PageFindings":
        events, colours, marks, max_ink = value
        return cls([tuple(e) for e in events], colours, [(tuple(b), w) for b, w in marks], max_ink)

    @classmethod
    def from_bytes(cls, data: bytes) -> "_PageFindings | None":
        try:
            return cls.from_list(json.loads(data))
        except (ValueError, TypeError):
            return None


DRAWN_SIDE_BY_SIDE = 24
"""Pages to read from this many on: half of them in a second process (a book's first preflight)."""
PAGE_DRAWING = ("/Contents", "/Resources", "/Group")
"""What of a page its drawing reads (with what these reach): a page's findings are kept under their digest."""


class _Drawing:
    """Runs every page's content (into forms, patterns, glyphs) with its graphics state,
    and records each colour, image, font and mark as it is painted."""

    def __init__(self, pdf, report: PreflightReport, problems: _Problems, colours: PressColours | None,
                 sources: dict, notes: dict, strict: bool, kept=None):
        self.pdf, self.report, self.problems = pdf, report, problems
        self.colours, self.sources, self.notes, self.strict = colours, sources, notes, strict
        self.kept = kept
        self.fonts: dict = {}  # FontReport's fields → the report
        self.font_facts: dict = {}  # a font object → its FontReport's fields
        self.marks: list[tuple[int, tuple[float, float, float, float], float]] = []  # page, bbox, width
        self.image_ink: dict = {}
        self.max_ink: float | None = None

    def run(self) -> None:
        closure = ObjectDigests()
        # What else a page's findings depend on: the colour table (its hints), the photos' names, strictness.
        context = repr((self.colours.identity() if self.colours else None, sorted(self.sources.items()), sorted((k, list(v)) for k, v in self.notes.items()),
                        self.strict))
        pages = list(self.pdf.pages)
        keys: list[str | None] = [None] * len(pages)
        found: list[_PageFindings | None] = [None] * len(pages)
        for index, page in enumerate(pages):
            drawing = closure.of_keys(page.obj, PAGE_DRAWING) if self.kept is not None else None
            if drawing is not None:
                keys[index] = self.kept.key("preflight page", context, drawing)
                stored = self.kept.get(keys[index])
                found[index] = _PageFindings.from_bytes(stored) if stored is not None else None
        to_draw = [index for index, findings in enumerate(found) if findings is None]
        for index, findings in zip(to_draw, self._draw_pages([pages[i] for i in to_draw])):
            found[index] = findings
            if keys[index] is not None:
                self.kept.put(keys[index], findings.to_bytes())
        for index, findings in enumerate(found):
            self.page = index + 1
            self._record(findings)
        self.report.fonts = list(self.fonts.values())
        self.report.max_ink = self.max_ink
        self._report_marks()
        if self.max_ink is not None and self.report.ink_limit and self.max_ink > self.report.ink_limit + 0.005:
            pages = sorted({p for c, ps in self.report.colours.items() if _ink_of(c) > self.report.ink_limit
                            for p in ps} | {i.page for i in self.report.images
                                            if (i.max_ink or 0) > self.report.ink_limit})
            self.problems.error(pages[0] if pages else None,
                                f"total ink {self.max_ink * 100:.0f} %, over the press's "
                                f"{self.report.ink_limit * 100:.0f} % (pages {_ranges(pages)})",
                                "lower the ink of that colour or separate the photo with the press profile")

    def _draw_pages(self, pages: list) -> list[_PageFindings]:
        """Each page's findings; many pages are read half here, half in a forked process beside it
        (drawing records nothing but its findings, so the halves need not meet until they are recorded)."""
        from ..cache import ForkedChild, processes_allowed
        if len(pages) < DRAWN_SIDE_BY_SIDE or processes_allowed() < 2:
            return [self._draw(page) for page in pages]
        middle = len(pages) // 2
        second = ForkedChild("reading half of print.pdf's pages", lambda: json.dumps(
            [self._draw(page).to_list() for page in pages[middle:]]).encode("utf-8"))
        try:
            first = [self._draw(page) for page in pages[:middle]]
        except BaseException:
            second.cancel()
            raise
        return first + [_PageFindings.from_list(data) for data in json.loads(second.result())]

    def _draw(self, page) -> _PageFindings:
        self.found = _PageFindings()
        group = page.obj.get("/Group")
        if isinstance(group, pikepdf.Dictionary):
            self._group(group, "the page's transparency group")
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        self._run(list(pikepdf.parse_content_stream(page)), resources, _State(), 0)
        return self.found

    def _record(self, found: _PageFindings) -> None:
        """A page's findings into the report, with its number."""
        for event in found.events:
            if event[0] == "problem":
                self.problems.add(event[1], self.page, event[2], event[3])
            elif event[0] == "font":
                facts = tuple(event[1:])
                report = self.fonts.get(facts)
                if report is None:
                    report = self.fonts[facts] = FontReport(*facts)
                    if not report.embedded:
                        self.problems.error(self.page, f"font {report.name} is not embedded", "embed every font")
                report.pages.add(self.page)
            elif event[0] == "image":
                source, width, height, placed, ppi, space, ink = event[1:]
                self.report.images.append(ImageReport(self.page, source, width, height, tuple(placed), ppi,
                                                      space, ink))
        for label in found.colours:
            self.report.colours.setdefault(label, set()).add(self.page)
        self.marks += [(self.page, tuple(box), width) for box, width in found.marks]
        if found.max_ink is not None:
            self.max_ink = found.max_ink if self.max_ink is None else max(self.max_ink, found.max_ink)

    # The interpreter -------------------------------------------------------------------------------
    def _run(self, instructions, resources, state: _State, depth: int) -> None:
        if depth > 12:
            return
        stack: list[_State] = []
        path: list[tuple[float, float]] = []
        text_matrix: Matrix = IDENTITY
        for instruction in instructions:
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                self._inline_image(instruction, resources)
                continue
            op = str(instruction.operator)
            args = instruction.operands
            if op == "q":
                stack.append(state.copy())
            elif op == "Q":
                if stack:
                    state = stack.pop()
            elif op == "cm":
                state.ctm = multiply(matrix_of(args), state.ctm)
            elif op == "w":
                state.line_width = float(args[0])
            elif op in ("g", "G", "rg", "RG", "k", "K"):
                space = {"g": "/DeviceGray", "rg": "/DeviceRGB", "k": "/DeviceCMYK"}[op.lower()]
                values = tuple(float(v) for v in args)
                if op.islower():
                    state.fill_space, state.fill = space, values
                else:
                    state.stroke_space, state.stroke = space, values
                if op in ("rg", "RG"):
                    self._rgb_colour(values)
            elif op in ("cs", "CS"):
                space = self._colour_space(args[0], resources)
                if op == "cs":
                    state.fill_space, state.fill = space, _initial_colour(space)
                else:
                    state.stroke_space, state.stroke = space, _initial_colour(space)
            elif op in ("sc", "scn", "SC", "SCN"):
                values = tuple(float(v) for v in args if isinstance(v, (int, float)) or _is_number(v))
                if op.islower():
                    state.fill = values
                else:
                    state.stroke = values
                if args and isinstance(args[-1], pikepdf.Name):
                    self._pattern(args[-1], resources, state, depth)
            elif op in ("m", "l"):
                path.append(apply(state.ctm, float(args[0]), float(args[1])))
            elif op == "c":
                path.extend(apply(state.ctm, float(args[i]), float(args[i + 1])) for i in (0, 2, 4))
            elif op in ("v", "y"):
                path.extend(apply(state.ctm, float(args[i]), float(args[i + 1])) for i in (0, 2))
            elif op == "re":
                x, y, w, h = (float(v) for v in args)
                path.extend(apply(state.ctm, px, py) for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)))
            elif op in ("S", "s"):
                self._paint(state, path, stroke=True)
                path = []
            elif op in ("f", "F", "f*"):
                self._paint(state, path, fill=True)
                path = []
            elif op in ("B", "B*", "b", "b*"):
                self._paint(state, path, fill=True, stroke=True)
                path = []
            elif op == "n":
                path = []
            elif op == "BT":
                text_matrix = IDENTITY
            elif op == "Tf":
                state.font = resources.get("/Font", pikepdf.Dictionary()).get(str(args[0]))
                state.font_size = float(args[1])
            elif op == "Tr":
                state.render_mode = int(args[0])
            elif op == "Tm":
                text_matrix = matrix_of(args)
            elif op in ("Tj", "TJ", "'", '"'):
                self._text(state, text_matrix)
            elif op == "gs":
                self._ext_gstate(resources, args[0])
            elif op == "sh":
                shading = resources.get("/Shading", pikepdf.Dictionary()).get(str(args[0]))
                if shading is not None:
                    self._shading(shading)
            elif op == "Do":
                xobject = resources.get("/XObject", pikepdf.Dictionary()).get(str(args[0]))
                if xobject is None:
                    continue
                if xobject.get("/Subtype") == "/Image":
                    self._image(xobject, state.ctm)
                elif xobject.get("/Subtype") == "/Form":
                    group = xobject.get("/Group")
                    if isinstance(group, pikepdf.Dictionary):
                        self._group(group, "a form's transparency group")
                    inner = state.copy()
                    inner.ctm = multiply(matrix_of(xobject.get("/Matrix", list(IDENTITY))), state.ctm)
                    self._run(list(pikepdf.parse_content_stream(xobject)),
                              xobject.get("/Resources", resources), inner, depth + 1)

    # What each drawing records ---------------------------------------------------------------------
    def _colour_space(self, name, resources):
        name = str(name)
        if name in ("/DeviceGray", "/DeviceRGB", "/DeviceCMYK", "/Pattern"):
            if name == "/DeviceRGB":
                self.found.error("a colour in DeviceRGB (cs /DeviceRGB)", "use a colour token of styles/tokens.css")
            return name
        space = resources.get("/ColorSpace", pikepdf.Dictionary()).get(name)
        if space is None:
            return name
        self._check_space(space, "a colour")
        return space

    def _check_space(self, space, what: str) -> None:
        kind, base = _space_kind(space)
        if kind == "/DeviceRGB" or base == "/DeviceRGB":
            self.found.error(f"{what} in DeviceRGB" + (f" ({kind[1:]} on DeviceRGB)" if kind != "/DeviceRGB" else ""),
                             "the press file takes CMYK (or ICC-based) colour only")

    def _rgb_colour(self, values) -> None:
        hex_value = "#" + "".join(f"{max(0, min(255, round(v * 255))):02x}" for v in values)
        hint = "use a colour token of styles/tokens.css (each has a press value)"
        if self.colours is not None:
            token = self.colours.for_operands(values)
            if token is not None:
                hint = f"it is {token.token}: make_print_pdf converts it; this file was not converted"
            else:
                rgb = tuple(max(0, min(255, round(v * 255))) for v in values)
                nearest = self.colours.nearest(rgb)
                hint = (f"use a colour token (the nearest is {nearest.token}, {nearest.screen}), or add this "
                        f"colour to {self.colours.path.name} with its press value (--color-NAME-press)")
        self.found.error(f"sRGB colour {hex_value} ({' '.join(_fmt(v) for v in values)} rg) is not "
                         "a colour token: it has no press value", hint)

    def _record_colour(self, space, values) -> float | None:
        kind, _ = _space_kind(space)
        if kind == "/DeviceCMYK" and len(values) == 4:
            ink = sum(values)
            label = "DeviceCMYK " + " ".join(_fmt(v) for v in values)
        elif kind == "/DeviceGray" and len(values) == 1:
            ink = 1 - values[0]
            label = f"DeviceGray {_fmt(values[0])}"
        elif kind == "/Separation" and _separation_name(space) == "/All":
            return None  # registration: marks, outside the page
        else:
            ink = None
            label = f"{kind[1:]} " + " ".join(_fmt(v) for v in values)
        self.found.colours[label] = None
        if ink is not None:
            self.found.ink(ink)
        return ink

    def _paint(self, state: _State, path, fill=False, stroke=False) -> None:
        for used, space, values in ((fill, state.fill_space, state.fill), (stroke, state.stroke_space, state.stroke)):
            if not used:
                continue
            if _space_kind(space)[0] == "/Separation" and _separation_name(space) == "/All" and path:
                xs, ys = [p[0] for p in path], [p[1] for p in path]
                half = state.line_width * scale_of(state.ctm) / 2 if stroke else 0
                self.found.marks.append(((min(xs) - half, min(ys) - half, max(xs) + half, max(ys) + half),
                                         state.line_width * scale_of(state.ctm)))
            self._record_colour(space, values)

    def _text(self, state: _State, text_matrix: Matrix) -> None:
        if state.render_mode in (3, 7):
            return  # invisible text paints nothing
        size = state.font_size * scale_of(multiply(text_matrix, state.ctm))
        if state.font is not None:
            self._font(state.font)
        space, values = state.fill_space, state.fill
        self._record_colour(space, values)
        if _space_kind(space)[0] != "/DeviceCMYK" or len(values) != 4:
            return
        c, m, y, k = values
        inks = sum(1 for v in values if v > 0.005)
        if size < SMALL_TEXT and k >= RICH_BLACK and c + m + y > 0.005:
            self.found.error(f"{size:.1f} pt text in four-colour black ({' '.join(_fmt(v) for v in values)})",
                             "set small text in 100 % K only (--color-ink-press: device-cmyk(0 0 0 1))")
        elif size < TINY_TEXT and inks > 1:
            self.found.warning(f"{size:.1f} pt text in {inks} inks ({' '.join(_fmt(v) for v in values)}): "
                               "it will blur on press", "give text under 9 pt a one-ink colour")

    def _font(self, font) -> None:
        key = font.objgen if font.is_indirect else id(font)
        facts = self.font_facts.get(key)
        if facts is None:
            name = str(font.get("/BaseFont", "/(unnamed Type 3)"))[1:]
            subtype = str(font.get("/Subtype", "?"))[1:]
            described = font.DescendantFonts[0] if subtype == "Type0" and "/DescendantFonts" in font else font
            descriptor = described.get("/FontDescriptor")
            embedded = subtype == "Type3" or (descriptor is not None and any(
                k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")))
            if subtype == "Type0":
                subtype += "/" + str(described.get("/Subtype", "?"))[1:]
                if descriptor is not None and "/FontFile3" in descriptor:
                    subtype += " (" + str(descriptor.FontFile3.get("/Subtype", "?"))[1:] + ")"
            facts = self.font_facts[key] = (name, subtype, embedded, bool(re.match(r"[A-Z]{6}\+", name)))
        event = ("font", *facts)
        if event not in self.found.events:
            self.found.events.append(event)

    def _image(self, xobject, ctm: Matrix) -> None:
        a, b, c, d, _, _ = ctm
        width_pt, height_pt = (a * a + b * b) ** 0.5, (c * c + d * d) ** 0.5
        stored = (int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0)))
        space = xobject.get("/ColorSpace")
        if xobject.get("/ImageMask") is True:
            space = pikepdf.Name.DeviceGray  # a stencil: painted in the fill colour
        kind, base = _space_kind(space)
        digest = hashlib.sha256(xobject.read_raw_bytes()).hexdigest()
        source = self.sources.get(digest, "")
        if kind == "/DeviceRGB" or base == "/DeviceRGB":
            self.found.error(f"image {source or f'{stored[0]} × {stored[1]} px'} in DeviceRGB",
                             "give the figure's photo to make_print_pdf (it finds the screen copy by its "
                             "digest), or make the image CMYK")
        mask = xobject.get("/SMask")
        if isinstance(mask, pikepdf.Stream):
            self._check_space(mask.get("/ColorSpace"), "an image's soft mask")
        ink = self._image_ink(xobject, kind, digest)
        if ink is not None:
            self.found.ink(ink)
        if width_pt < 0.01 or height_pt < 0.01:
            return
        # Each stored axis against its own placed length: right for a photo drawn turned too.
        ppi = min(stored[0] / (width_pt / 72), stored[1] / (height_pt / 72))
        # Drawn turned a quarter (an EXIF-turned original in its form), the stored width runs
        # up the page: report the size as the page shows it.
        turned = abs(a) < abs(b)
        width_px, height_px = (stored[1], stored[0]) if turned else stored
        placed = (height_pt / MM, width_pt / MM) if turned else (width_pt / MM, height_pt / MM)
        self.found.events.append(("image", source, width_px, height_px, placed, ppi, _space_label(space), ink))
        for note in self.notes.get(digest, ()):
            self.found.warning(f"{source}: {note}", "check the photo with the printer")
        found = resolution_problem(ppi, self.strict)
        if found is not None:
            severity, message = found
            self.found.add(severity, f"{source or 'an image'} ({width_px} × {height_px} px at "
                                     f"{placed[0]:.0f} × {placed[1]:.0f} mm): {message}", RESOLUTION_HINT)

    def _image_ink(self, xobject, kind: str, digest: str) -> float | None:
        """The most ink any pixel takes, on a reduced decode (8× for JPEG, sampled otherwise)."""
        if kind not in ("/DeviceCMYK", "/DeviceGray"):
            return None
        if digest in self.image_ink:
            return self.image_ink[digest]
        ink = None
        try:
            filters = xobject.get("/Filter")
            if filters == pikepdf.Name.DCTDecode:
                image = Image.open(io.BytesIO(xobject.read_raw_bytes()))
                image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
            else:  # the samples alone (pikepdf's own decoding would apply the soft mask and give RGBA)
                mode = "CMYK" if kind == "/DeviceCMYK" else "L"
                image = Image.frombytes(mode, (int(xobject.Width), int(xobject.Height)), xobject.read_bytes())
            image = image.resize((min(image.width, 256), min(image.height, 256)), Image.Resampling.NEAREST)
            if image.mode == "CMYK":
                samples = image.tobytes()
                ink = max(sum(samples[i:i + 4]) for i in range(0, len(samples), 4)) / 255
            elif image.mode == "L":
                ink = 1 - image.getextrema()[0] / 255
        except (pikepdf.PdfError, OSError, NotImplementedError, ValueError):
            ink = None
        self.image_ink[digest] = ink
        return ink

    def _inline_image(self, inline, resources) -> None:
        image = inline.iimage
        space = image.obj.get("/ColorSpace", image.obj.get("/CS"))
        if str(space) in ("/RGB", "/DeviceRGB"):
            self.found.error("an inline image in DeviceRGB", "make it CMYK")

    def _shading(self, shading) -> None:
        self._check_space(shading.get("/ColorSpace"), "a gradient (shading)")

    def _pattern(self, name, resources, state: _State, depth: int) -> None:
        pattern = resources.get("/Pattern", pikepdf.Dictionary()).get(str(name))
        if pattern is None:
            return
        if pattern.get("/PatternType") == 2 and "/Shading" in pattern:
            self._shading(pattern.Shading)
        elif pattern.get("/PatternType") == 1:
            inner = _State(ctm=multiply(matrix_of(pattern.get("/Matrix", list(IDENTITY))), IDENTITY))
            self._run(list(pikepdf.parse_content_stream(pattern)), pattern.get("/Resources", resources),
                      inner, depth + 1)

    def _ext_gstate(self, resources, name) -> None:
        state = resources.get("/ExtGState", pikepdf.Dictionary()).get(str(name))
        if state is None:
            return
        for key in ("/TR", "/TR2"):
            if key in state and state[key] != pikepdf.Name.Default:
                self.found.error(f"a transfer function ({key}) in the graphics state",
                                 "PDF/X forbids transfer functions: remove it")
        if "/HTP" in state or "/HT" in state and isinstance(state.get("/HT"), pikepdf.Dictionary):
            self.found.warning("a halftone set in the file", "leave screening to the printer")
        mask = state.get("/SMask")
        if isinstance(mask, pikepdf.Dictionary) and isinstance(mask.get("/G"), pikepdf.Stream):
            group = mask.G.get("/Group")
            if isinstance(group, pikepdf.Dictionary):
                self._group(group, "a soft mask's group")

    def _group(self, group, what: str) -> None:
        if group.get("/S") == "/Transparency" and "/CS" in group:
            self._check_space(group.CS, f"{what} blends")

    def _report_marks(self) -> None:
        if not self.marks:
            self.report.marks = "none"
            return
        pages = {page for page, _, _ in self.marks}
        widths = sorted({round(w, 2) for _, _, w in self.marks})
        offsets = []
        for index, page in enumerate(self.pdf.pages):
            trim = _box(page, "/TrimBox")
            bleed = _box(page, "/BleedBox") or trim
            for mark_page, box, _ in self.marks:
                if mark_page != index + 1 or trim is None:
                    continue
                if _overlaps(box, bleed):
                    self.problems.error(mark_page, "a mark inside the bleed: it would print on the page",
                                        "draw marks outside the BleedBox")
                offsets.append(_distance(box, trim))
        per_page = len(self.marks) / max(1, len(pages))
        self.report.marks = (f"{per_page:.0f} per page on {len(pages)} pages, registration (/Separation /All), "
                             f"{'/'.join(f'{w:g}' for w in widths)} pt, {min(offsets) / MM:.1f} mm from the trim"
                             if offsets else "in registration, off the pages' trim")
        thick = [w for w in widths if w > 0.5]
        if thick:
            self.problems.warning(None, f"marks {thick[0]:g} pt thick", "draw crop marks 0.25–0.3 pt")


def _check_everything_else(pdf: pikepdf.Pdf, problems: _Problems) -> None:
    """DeviceRGB named anywhere a colour space can be, drawn or not (a RIP may still meet it).

    What is drawn was reported with its page already; this finds the rest."""
    if any("DeviceRGB" in p.message or "sRGB" in p.message for p in problems.report.problems):
        return
    for obj in pdf.objects:
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            continue
        for key in ("/ColorSpace", "/CS"):
            space = obj.get(key)
            if space is None:
                continue
            named = [v for _, v in space.items()] if isinstance(space, pikepdf.Dictionary) else [space]
            if any("/DeviceRGB" in _space_kind(s) for s in named):
                problems.error(None, f"an object {obj.objgen[0]} naming DeviceRGB ({key}), not drawn on any page",
                               "the press file takes CMYK (or ICC-based) colour only: remove it")


# -- small pieces ------------------------------------------------------------------------------

def _space_kind(space) -> tuple[str, str]:
    """(family, base family): "/DeviceRGB", ""; "/Indexed", "/DeviceRGB"; "/ICCBased", "/RGB" …"""
    if space is None:
        return "", ""
    if isinstance(space, str):
        return space, ""
    if isinstance(space, pikepdf.Name):
        return str(space), ""
    if isinstance(space, pikepdf.Array) and len(space):
        family = str(space[0])
        if family == "/Indexed" and len(space) > 1:
            return family, _space_kind(space[1])[0]
        if family in ("/Separation", "/DeviceN") and len(space) > 2:
            return family, _space_kind(space[2])[0]
        if family == "/ICCBased" and len(space) > 1:
            n = int(space[1].get("/N", 0))
            return family, {1: "/Gray", 3: "/RGB", 4: "/CMYK"}.get(n, "")
        return family, ""
    return str(space), ""


def _initial_colour(space) -> tuple:
    """A colour space's colour until one is set (PDF 8.6.8): black, or full tint."""
    family, _ = _space_kind(space)
    if family == "/DeviceCMYK":
        return (0.0, 0.0, 0.0, 1.0)
    if family == "/DeviceRGB":
        return (0.0, 0.0, 0.0)
    if family in ("/Separation", "/DeviceN"):
        return (1.0,) * (len(space[1]) if family == "/DeviceN" else 1)
    if family == "/Pattern":
        return ()
    return (0.0,)


def _separation_name(space) -> str:
    return str(space[1]) if isinstance(space, pikepdf.Array) and len(space) > 1 else ""


def _space_label(space) -> str:
    family, base = _space_kind(space)
    return family[1:] + (f" ({base[1:]})" if base else "")


def _overlaps(box, other) -> bool:
    return (box[0] < other[2] - TOLERANCE and box[2] > other[0] + TOLERANCE
            and box[1] < other[3] - TOLERANCE and box[3] > other[1] + TOLERANCE)


def _distance(box, trim) -> float:
    """How far a mark's nearest end lies from the trimmed page."""
    dx = max(trim[0] - box[2], box[0] - trim[2], 0)
    dy = max(trim[1] - box[3], box[1] - trim[3], 0)
    return max(dx, dy)


def _ink_of(label: str) -> float:
    parts = label.split()
    values = [float(v) for v in parts[1:]] if parts else []
    if parts and parts[0] == "DeviceCMYK":
        return sum(values)
    if parts and parts[0] == "DeviceGray" and values:
        return 1 - values[0]
    return 0.0


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _fmt(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _ranges(pages: Iterable[int]) -> str:
    """1, 2, 3, 5 → "1–3, 5"."""
    numbers = sorted(set(pages))
    out, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            out.append(f"{start}" if start == n else f"{start}–{n}")
            start = None
    return ", ".join(out) or "—"
