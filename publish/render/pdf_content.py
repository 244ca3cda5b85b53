"""Every place a PDF draws, for the code that rewrites or reads its colours.

The press conversion (press.py) must rewrite every content stream and the
preflight (preflight.py) must read every one: page contents, form XObjects
(nested ones too), tiling patterns, the groups of soft masks, annotation
appearances and Type 3 glyphs. A writer may share one form among many pages
(WeasyPrint lists all of a document's forms in every page's resources), so
each stream is visited once, with the first page that reaches it.

Matrices are PDF's six numbers `[a b c d e f]`, composed as PDF composes them
(a point is a row vector: `p' = p × M`).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Iterator

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def multiply(m1: Matrix, m2: Matrix) -> Matrix:
    """m1 then m2: the matrix of `m1 cm` drawn inside a CTM of m2."""
    a, b, c, d, e, f = m1
    A, B, C, D, E, F = m2
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return x * a + y * c + e, x * b + y * d + f


def scale_of(m: Matrix) -> float:
    """How much a length grows under m (the mean of the two axes; they are equal without skew)."""
    a, b, c, d, _, _ = m
    return math.sqrt(abs(a * d - b * c))


def matrix_of(array) -> Matrix:
    values = tuple(float(v) for v in array)
    return values if len(values) == 6 else IDENTITY  # type: ignore[return-value]


@dataclass
class ContentStream:
    """A stream of drawing operators, the resources its names refer to, and the page it is first drawn on."""
    page: int  # 0-based
    owner: pikepdf.Object  # the page dictionary, or the stream (form, pattern, glyph) itself
    resources: pikepdf.Dictionary
    kind: str  # "page", "form", "pattern", "glyph", "appearance"

    def instructions(self) -> list:
        if self.kind == "page":
            return list(pikepdf.parse_content_stream(pikepdf.Page(self.owner)))
        return list(pikepdf.parse_content_stream(self.owner))


def _key(obj) -> tuple[int, int] | int:
    return obj.objgen if obj.is_indirect else id(obj)


def content_streams(pdf: pikepdf.Pdf) -> Iterator[ContentStream]:
    """Every content stream of the document, each once, pages first."""
    seen: set = set()
    for index, page in enumerate(pdf.pages):
        resources = page.obj.get("/Resources", pikepdf.Dictionary())
        yield ContentStream(index, page.obj, resources, "page")
        yield from _from_resources(resources, index, seen)
        for annot in page.obj.get("/Annots", []):
            for appearance in _appearances(annot):
                if _key(appearance) not in seen:
                    seen.add(_key(appearance))
                    res = appearance.get("/Resources", pikepdf.Dictionary())
                    yield ContentStream(index, appearance, res, "appearance")
                    yield from _from_resources(res, index, seen)


def resource_dictionaries(pdf: pikepdf.Pdf) -> Iterator[tuple[int, pikepdf.Dictionary]]:
    """Every resource dictionary in use, each once, with the first page that uses it."""
    seen: set = set()
    for stream in content_streams(pdf):
        if _key(stream.resources) not in seen:
            seen.add(_key(stream.resources))
            yield stream.page, stream.resources


def _from_resources(resources, page: int, seen: set) -> Iterator[ContentStream]:
    for _, xobject in _items(resources.get("/XObject")):
        if xobject.get("/Subtype") == "/Form" and _key(xobject) not in seen:
            seen.add(_key(xobject))
            res = xobject.get("/Resources", resources)
            yield ContentStream(page, xobject, res, "form")
            yield from _from_resources(res, page, seen)
    for _, pattern in _items(resources.get("/Pattern")):
        if pattern.get("/PatternType") == 1 and _key(pattern) not in seen:
            seen.add(_key(pattern))
            res = pattern.get("/Resources", pikepdf.Dictionary())
            yield ContentStream(page, pattern, res, "pattern")
            yield from _from_resources(res, page, seen)
    for _, state in _items(resources.get("/ExtGState")):
        mask = state.get("/SMask")
        if isinstance(mask, pikepdf.Dictionary) and "/G" in mask and _key(mask.G) not in seen:
            seen.add(_key(mask.G))
            res = mask.G.get("/Resources", pikepdf.Dictionary())
            yield ContentStream(page, mask.G, res, "form")
            yield from _from_resources(res, page, seen)
    for _, font in _items(resources.get("/Font")):
        if font.get("/Subtype") == "/Type3" and _key(font) not in seen:
            seen.add(_key(font))
            res = font.get("/Resources", resources)
            for _, glyph in _items(font.get("/CharProcs")):
                yield ContentStream(page, glyph, res, "glyph")
            yield from _from_resources(res, page, seen)


def _appearances(annot) -> Iterator[pikepdf.Object]:
    ap = annot.get("/AP")
    if not isinstance(ap, pikepdf.Dictionary):
        return
    for _, entry in ap.items():
        if isinstance(entry, pikepdf.Stream):
            yield entry
        elif isinstance(entry, pikepdf.Dictionary):
            yield from (v for _, v in entry.items() if isinstance(v, pikepdf.Stream))


def _items(dictionary):
    if isinstance(dictionary, pikepdf.Dictionary):
        return list(dictionary.items())
    return []


class ObjectDigests:
    """A digest of a PDF object with everything it reaches: its streams' bytes as stored, its dictionaries
    and arrays, each indirect object digested once. Two objects with the same digest draw the same,
    whichever file or place they are in (a page's digest does not depend on its number).

    An object that reaches itself again (a form whose resources hold the form) has no digest: what it
    reaches could only be named by its number in this file."""

    def __init__(self):
        self._indirect: dict[tuple[int, int], bytes | None] = {}  # None: being digested, or in a cycle

    def of_keys(self, dictionary: pikepdf.Dictionary, keys: tuple[str, ...]) -> str | None:
        """The digest of the entries `keys` of `dictionary` (a page: what its drawing reads, not /Parent);
        None where they reach a cycle."""
        hasher = hashlib.sha256()
        try:
            for key in keys:
                if key in dictionary:
                    hasher.update(key.encode() + self.of(dictionary[key]))
        except _Cycle:
            return None
        return hasher.hexdigest()

    def of(self, value) -> bytes:
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            if value.objgen in self._indirect:
                found = self._indirect[value.objgen]
                if found is None:
                    raise _Cycle()
                return found
            self._indirect[value.objgen] = None
            found = self._indirect[value.objgen] = self._direct(value)
            return found
        return self._direct(value)

    def _direct(self, value) -> bytes:
        hasher = hashlib.sha256()
        if isinstance(value, (pikepdf.Stream, pikepdf.Dictionary)):
            hasher.update(b"stream" if isinstance(value, pikepdf.Stream) else b"dictionary")
            for key in sorted(value.keys()):
                if key != "/Length":
                    hasher.update(key.encode() + self.of(value[key]))
            if isinstance(value, pikepdf.Stream):
                hasher.update(value.read_raw_bytes())
        elif isinstance(value, pikepdf.Array):
            hasher.update(b"array")
            if any(isinstance(item, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) for item in value):
                for item in value:
                    hasher.update(self.of(item))
            else:  # numbers, names, strings: as PDF writes them
                hasher.update(value.unparse())
        else:
            hasher.update(repr(value).encode())
        return hasher.digest()


class _Cycle(Exception):
    pass
