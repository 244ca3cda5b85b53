"""Small, named fixes to WeasyPrint 70.0 for Chinese books, applied only around the engine's use.

    with weasyprint_patches.applied():
        document = weasyprint.HTML(...).render()
        pdf = document.write_pdf(...)

Each fix is one module here, replacing or wrapping one function of the
pinned version, saying which upstream issue it answers, and written so it
could be offered upstream as it is; tests/test_weasyprint_patches.py shows
each on an HTML case that fails without it. Outside `applied()` WeasyPrint is
exactly as released: nothing is changed at import, and the version is checked
(a different WeasyPrint refuses to start rather than render wrongly).

- placed_notes_stay        a note already placed is never moved off its call's page       #2502
- inter_character_justification  `text-align: justify` spreads Chinese lines             #1184
- break_all_anywhere       `word-break: break-all` breaks between any two letters         (CSS Text 3 §5.2)
- links_to_other_parts     links to an anchor in another part of a book are kept          (named destinations)
- pages_made_again         a page just made may be looked at and pages made again         #259, #1098
                           from an earlier one after the box tree changed (`page_editor`)
- fonts_subset_by_the_book a part's PDF embeds stand-ins for its faces: the book      #2120
                           subsets each face once (`fonts_subset_by_the_book`)
- libraries_found_once     WeasyPrint's libraries found in the linker's cache, without  #1125
                           running the compiler: around WeasyPrint's import, by this package

A pagination may also begin at a page from a state kept from an earlier one, and stop where the pages
that would follow are known (pages_made_again: `beginning`, `advancing`; render/pdf/relayout.py).
"""
from __future__ import annotations

from contextlib import contextmanager

from . import libraries_found_once

with libraries_found_once.in_force():  # the first import of WeasyPrint in a process (see pipeline.WARM)
    import weasyprint

from . import (break_all_anywhere, fonts_subset_by_the_book, inter_character_justification,  # noqa: E402
               links_to_other_parts, pages_made_again, placed_notes_stay)

PINNED_VERSION = "70.0"
PATCHES = (placed_notes_stay, inter_character_justification, break_all_anywhere, links_to_other_parts,
           pages_made_again, fonts_subset_by_the_book)


@contextmanager
def applied(patches=PATCHES, **settings):
    """WeasyPrint with the given fixes in place, as released again afterwards.

    `settings` reach the patches that take one (links_to_other_parts:
    `anchors_elsewhere`, the anchors of the other parts of the book; pages_made_again: `page_editor`;
    fonts_subset_by_the_book: `fonts_subset_by_the_book`, for PDFs whose fonts fonts.py merges).
    """
    if weasyprint.__version__ != PINNED_VERSION:
        raise RuntimeError(
            f"publish patches WeasyPrint {PINNED_VERSION}, but {weasyprint.__version__} is installed: "
            f"run `make` to install the pinned version, or port publish/render/weasyprint_patches/")
    undo = []
    try:
        for patch in patches:
            undo.append(patch.install(**{k: v for k, v in settings.items() if k in getattr(patch, "SETTINGS", ())}))
        yield
    finally:
        for restore in reversed(undo):
            restore()
