"""print.pdf: the book made a press file (render/press.py), checked by the preflight (render/preflight.py).

The book PDF is the one layout both PDFs share; this stage finishes it for the
printer set in publication.yaml (`marks`, `press_profile`, `press_condition`,
`ink_limit`, `print_version`), with the photos' originals swapped in, and
reads the result back for the preflight report (preflight.txt beside it).
`strict` (publication.yaml, or `--strict`) makes every warning of the
preflight fail the build: nothing with a placeholder or a soft photo reaches
a printer.
"""
from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass
from pathlib import Path

from ... import model as m


@dataclass(frozen=True)
class PressSpec:
    """What print.pdf is made from besides the book and its photos (the print unit's key holds it)."""
    profile: str  # the ICC profile's path
    profile_digest: str
    condition: str  # a registered condition name; "" for the built profile's FOGRA39 or a custom one
    marks: str
    document_id: str
    version: int
    ink_limit: int  # percent, 0: the condition's own
    bound: bool


def press_spec(pub: m.Publication) -> PressSpec:
    from ..press import load_press_profile, press_profile_path
    path = pub.press.profile or press_profile_path()
    profile = load_press_profile(path)  # a missing profile is said now, before anything is laid out
    return PressSpec(str(path), hashlib.sha256(profile.data).hexdigest(), pub.press.condition, pub.press.marks,
                     pub.meta.identifier, pub.press.version, pub.press.ink_limit, pub.press.bound)


def settings(spec: PressSpec):
    from ..press import FOGRA39, OutputCondition, load_press_profile, press_profile_path, press_settings
    custom = Path(spec.profile) != press_profile_path()
    condition = None
    if spec.condition:
        profile = load_press_profile(Path(spec.profile))
        condition = OutputCondition(spec.condition, profile.description, "http://www.color.org", profile.description)
    elif not custom:
        condition = FOGRA39
    return press_settings(Path(spec.profile) if custom else None, condition, spec.marks,
                          document_id=spec.document_id, version_id=str(spec.version),
                          ink_limit=spec.ink_limit / 100 if spec.ink_limit else None)


def press_edition(book: bytes, spec: PressSpec, photos: tuple, photo_cache: str, strict: bool,
                  kept=None) -> bytes:
    """print.pdf (the book as a PDF/X-4 press file, the original photos in place of the screen copies) and
    its preflight, read back from the bytes made: `PressEdition.to_bytes()`. Each content stream's
    conversion and what the preflight found on each page are kept (`kept`): after an edit, only the
    streams and pages whose bytes changed are converted and read again."""
    from ..images import prepare_photos
    from ..preflight import preflight
    from ..press import make_print_pdf
    press = settings(spec)
    prepared = prepare_photos([path for path, _ in photos], Path(photo_cache), cmyk_profile=press.profile.data)
    pdf = make_print_pdf(book, press, prepared, kept=kept)
    report = preflight(pdf, press, prepared, strict=strict, bound=spec.bound, kept=kept)
    return PressEdition(pdf, {"text": report.text(), "summary": report.summary(), "failed": report.failed(strict),
                              "problems": [str(p) for p in report.problems]}).to_bytes()


@dataclass
class PressEdition:
    pdf: bytes
    preflight: dict  # text, summary, failed, problems

    def to_bytes(self) -> bytes:
        head = json.dumps(self.preflight, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return struct.pack(">Q", len(head)) + head + self.pdf

    @classmethod
    def from_bytes(cls, data: bytes) -> "PressEdition":
        try:
            (size,) = struct.unpack(">Q", data[:8])
            preflight = json.loads(data[8:8 + size].decode("utf-8"))
            pdf = data[8 + size:]
            if not pdf.startswith(b"%PDF-") or not isinstance(preflight, dict):
                raise ValueError("no press file")
            return cls(pdf, preflight)
        except (struct.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a stored press file ({exc.__class__.__name__})") from None
