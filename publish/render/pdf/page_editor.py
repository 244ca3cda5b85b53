"""The page editor: what a book designer does to a page once it is made, done while the part is laid out.

WeasyPrint lays out pages one after another. After each, PageEditor looks at
it and at the page before (weasyprint_patches.pages_made_again), and where the
page before ends short of its foot it changes the box tree and has the two
pages made again — what comes before them stays as it was, so a decision
costs two pages of layout, not a layout of the part.

Figures. WeasyPrint keeps a figure whole (`break-inside: avoid`) and, when it
does not fit, moves it to the next page: the page before ends in white, or a
sidebar ends in an empty tinted area above its photo. So, when a figure opens
a page and the page before ended that much short:

- a figure of the running text goes down past the text that follows it, as
  far as that text fills the gap (whole blocks, never past the end of its
  section: it then comes just after the paragraph that runs over the page
  break, at or near the top of the page);
- a figure inside a sidebar or box is sized to the room left when it keeps
  most of its size (MIN_SHRUNK), else moved up the box to the last place
  where it fits whole, the box's text flowing on past it; a photo never
  leaves its box.

Space and lines. A page that still ends a line and a half or more short — a
quote, a box or a line with its note that did not fit — is filled as a
setter fills it. First with space: the room is shared out above the page's
headings, boxes, quotes and figures (at most MAX_SPACE_LINES each). That
changes no line and moves nothing to another page, so it is done once every
page is made (`finish`), on the laid-out pages: what is below each of them
is moved down, and no page is made again for it (a page ending in a box
that goes on overleaf is the exception: the box's frame reaches the foot,
so its space goes into the box tree and the page is made again, the box's
lines flowing on). Where that is not enough
(few such places, a tall gap), some paragraphs are set one character
narrower a line first (letter-spacing of a fraction of an em, spread by
justification), each gaining a line, chosen among those whose last line is
nearly full so that the change is smallest: tried while the part is laid
out, each try costing the page made again; or, when the page holds a photo
whole (a box closing with its photo, the next heading needing more room than
is left), that photo is made larger by what the page lacks, up to its
container's width. The lines are Chinese text on a
grid of whole characters (40 a line), so a paragraph of n lines whose last
line holds m characters gains a line when n + m exceeds the characters a
line holds.

Each figure is placed, and each page filled, at most MAX_TRIES times. The web
edition and the EPUB keep the content's order and spacing. What was decided
is kept with the part's layout (`decisions["figures"]`, `decisions["lines"]`).
"""
from __future__ import annotations

PX = 0.75  # PDF points per CSS pixel
LINE_PX = 10.5 * 1.85 / PX  # one line of body text (styles/tokens.css: --text-size × --text-leading)
GAP_LINES = 2  # white taller than this at a page's foot, or in a box, is a gap to close
MIN_SHRUNK = 0.8  # a boxed photo sized to the room keeps at least this share of its width …
MIN_SHRUNK_IF_STUCK = 0.5  # … or this much when no place up its box fits it
CAPTION_GROWTH = 1.3  # a narrower caption may take up to this much more height
MAX_TRIES = 3
HEADINGS = ("h2", "h3", "h4", "h5", "h6")
FILL_FROM_LINES = 1.5  # a page this many lines short of its foot is filled (a box's bottom spacing not counted) …
SPACE_FROM_LINES = 1.2  # … and this many, when space alone does it (which costs no layout) …
FRAMED_FROM_LINES = 1.0  # … and this many when the page ends in a box going on overleaf (its tint runs to the foot)
MAX_SPACING = 0.05  # em of letter-spacing, either way, at most: one character in twenty
MAX_SPACE_LINES = 2  # lines of space added above one heading, box or figure, at most
MAX_WAYS = 3  # ways of setting a page's paragraphs narrower, or its photo wider, tried at most (each costs the page made again)
MAX_WAYS_IN_TREE = 4  # … and of filling a page ending in a box that goes on overleaf
FLEXIBLE = ("h2", "h3", "h4", "aside", "figure", "blockquote")  # … and boxes, tables (by class)


class PageEditor:
    """Called after each page is made (see the module's text); returns the page to make again from."""

    def __init__(self):
        from weasyprint.formatting_structure import boxes
        self.boxes = boxes
        self.tree: dict[int, tuple] = {}  # id(element) → (box, parent box) in the box tree
        self.original: dict[int, tuple] = {}  # id(box) → (box, its style as built): what was restyled since
        self.reordered: dict[int, tuple] = {}  # id(box) → (a box whose children were reordered, their order as built)
        self.tries: dict[str, int] = {}
        self.trials: dict[int, _Trial] = {}  # page index → how it is being filled
        self.scraps: dict[str, str] = {}  # box id → what was done
        self.rounds: dict[int, int] = {}  # page index → times a filling of it was begun
        # What was done, for the part's record: (figures | lines | boxes, element, what), in the order it
        # was decided, and the space shared out on each page once every page was made (`finish`).
        self.writes: list[tuple[str, str, str]] = []
        self.spaces: dict[int, list[tuple[str, str]]] = {}

    @property
    def decisions(self) -> dict:
        return decisions_of(self.writes, self.spaces)

    def state_ahead(self, elements, horizon: int, page: int) -> tuple | None:
        """What the pages from `page` on depend on in this editor's state: the figures tried and boxes kept
        whole, and the restyled boxes, among the elements from `horizon` on (`elements` gives an element's
        place in the document), and how each page from `page` on is being filled. None while a filling is
        being tried: its page is not settled."""
        if any(trial.awaiting for trial in self.trials.values()):
            return None

        def ahead(name: str) -> bool:
            place = elements.of_name(name)
            return place is None or place >= horizon  # an element known by its tag only: counted
        restyled = sorted((elements.of(box.element), _restyling(box.style)) for box, style in self.original.values()
                          if box.style is not style and elements.of(box.element) >= horizon)
        reordered = sorted((elements.of(box.element), [elements.of(child.element) for child in box.children
                                                       if _own(child)])
                           for box, _ in self.reordered.values() if elements.of(box.element) >= horizon)
        return (sorted((name, tries) for name, tries in self.tries.items() if ahead(name)),
                sorted(name for name in self.scraps if ahead(name)), restyled, reordered,
                sorted((index - page, trial.done) for index, trial in self.trials.items() if index >= page),
                sorted((index - page, rounds) for index, rounds in self.rounds.items() if index >= page))

    def saved_state(self, elements, page: int) -> dict | None:
        """This editor's state as the pagination leaves `page`, for a later pagination of the same content to
        begin at it (`restore`): every box it restyled or reordered (by its element's place in the document,
        `elements`), the figures tried, the boxes kept whole, how the pages from `page` on are being filled,
        the writes so far. None while a filling is being tried."""
        if any(trial.awaiting for trial in self.trials.values()):
            return None
        return {"restyled": sorted([elements.of(box.element), _style_values(box.style)]
                                   for box, style in self.original.values() if box.style is not style),
                "reordered": sorted([elements.of(box.element), _order(box.children, built)]
                                    for box, built in self.reordered.values()),
                "tries": dict(sorted(self.tries.items())), "scraps": dict(sorted(self.scraps.items())),
                "trials": sorted(index - page for index in self.trials if index >= page),
                "rounds": sorted([index - page, rounds] for index, rounds in self.rounds.items() if index >= page)}

    def restore(self, root_box, saved: dict, elements, writes: list, page: int) -> None:
        """The state `saved_state` kept as the pagination left `page`, on a box tree built from the same
        content (its restyled and reordered boxes found by their places); `writes`, the writes made until
        then."""
        self._index_tree(root_box)
        by_place = {elements.of(box.element): box for box, _ in self.original.values()}
        for place, values in saved["restyled"]:
            _restore_style(by_place[place], values)
        for place, order in saved["reordered"]:
            parent = by_place[place]
            built = parent.children
            self.reordered[id(parent)] = (parent, built)
            parent.children = tuple(built[index] for index in order)
        self.tries = dict(saved["tries"])
        self.scraps = dict(saved["scraps"])
        self.trials = {page + index: _Trial.settled() for index in saved["trials"]}
        self.rounds = {page + int(index): rounds for index, rounds in saved["rounds"]}
        self.writes = [tuple(write) for write in writes]

    def __call__(self, index: int, pages: list, root_box) -> int | tuple[int, int] | None:
        if not self.tree:
            self._index_tree(root_box)
        trial = self.trials.get(index)
        if trial is not None and trial.awaiting:  # this page was just made again with a way of filling it
            view = _PageView(pages[index], self.boxes)
            again = self._go_on(trial, index, view)
            if again is not None:
                return again
        if index == 0:
            return None
        page = _PageView(pages[index], self.boxes)
        before = _PageView(pages[index - 1], self.boxes)
        if self._place_figures(page, before) or self._keep_box_ends_whole(page):
            self._refill(index - 1)
            return index - 1
        return self._fill(index - 1, before, page)

    def _refill(self, index: int) -> None:
        """The page before changed after it was filled: what its filling did stays, and it may be filled
        again (once more at most) from how it now ends."""
        trial = self.trials.get(index)
        if trial is not None and trial.done and self.rounds.get(index, 1) < 2:
            self.rounds[index] = self.rounds.get(index, 1) + 1
            del self.trials[index]

    # -- boxes ----------------------------------------------------------------------------------
    def _keep_box_ends_whole(self, page) -> bool:
        """A sidebar or box that goes on at the top of this page with fewer than three lines of text (a
        short last paragraph and the source note): its first paragraph here may not be parted from the
        one before it, so the break comes earlier and brings lines of that one over."""
        for element, lines, first in page.box_scraps():
            if id(first) not in self.tree or element.get("id") in self.scraps:
                continue
            tree_box, _ = self.tree[id(first)]
            style = tree_box.style.copy()
            style["break_before"] = "avoid"
            tree_box.style = style
            name = element.get("id") or element.tag
            self.scraps[name] = f"{lines} lines overleaf: kept with the lines before"
            self.writes.append(("boxes", name, self.scraps[name]))
            return True
        return False

    # -- figures ------------------------------------------------------------------------------
    def _place_figures(self, page, before) -> bool:
        """A figure that opens the page, where the page before ends short: moved or sized (see above)."""
        for element, box in page.figures_starting_here():
            figure_id = element.get("id")
            if self.tries.get(figure_id, 0) >= MAX_TRIES or id(element) not in self.tree:
                continue
            tree_box, parent = self.tree[id(element)]
            siblings = [c for c in parent.children if _own(c) and not _is_title(c.element)]
            position = next(i for i, c in enumerate(siblings) if c is tree_box)
            previous = siblings[position - 1].element if position else None
            if previous is None or not before.holds(previous) or page.holds(previous):
                continue  # it follows its sibling on this page, or begins its container
            gap = before.gap()
            if gap <= GAP_LINES * LINE_PX:
                continue
            if _is_box(parent.element):
                done = self._fit_in_box(page, before, siblings, position, gap, box, parent)
            else:  # past the text after it; if its section has none, sized to the room
                done = self._fill_gap(page, siblings, position, gap) or \
                    self._size_to_room(page, siblings, position, gap, box, parent, MIN_SHRUNK)
            if done is None:
                continue
            self.tries[figure_id] = self.tries.get(figure_id, 0) + 1
            self.writes.append(("figures", figure_id, done))
            return True
        return False

    # -- filling a page that ends short -------------------------------------------------------
    def _fill(self, index: int, before, page) -> tuple[int, int] | None:
        """Where the space `finish` will share out on the page is not enough: start trying the ways of
        setting paragraphs narrower (see _Trial), the first now; each is made again and measured as soon
        as the page is (`_go_on`)."""
        if index in self.trials:
            return None
        framed = before.frame_at_foot(page)  # a line short inside a box whose tint runs to the foot shows
        enough = (FRAMED_FROM_LINES if framed else FILL_FROM_LINES) * LINE_PX
        if not _fillable(before, page, enough / LINE_PX):
            return None
        short = _short_after_space(before, page)
        if short < enough:
            return None  # the space alone fills it, once every page is made
        options = self._fillings(before, page, short, space_in_tree=framed)
        if not options:
            return None
        trial = self.trials[index] = _Trial(options, short, page, enough)
        trial.apply(0)
        return index, index  # only this page changes: the next is made again only if it begins elsewhere

    def _go_on(self, trial, index: int, view) -> tuple[int, int] | None:
        """The page made again with one way of filling it ends `short` of its foot once its space is shared
        out: keep it if that fills the page, else try the next; when all were tried, keep the one that came
        closest (or none)."""
        gap = _short_after_space(view, trial.next_page)
        trial.measured(gap)
        if gap < trial.enough:
            return self._keep(trial)
        if trial.next < len(trial.options):
            trial.undo()
            trial.apply(trial.next)
            return index, index
        best = trial.best()
        if best == trial.current:
            return self._keep(trial)
        trial.undo()
        if best is not None:
            trial.apply(best)
        trial.awaiting = False
        trial.done = True
        self._record(trial)
        return index, index

    def _keep(self, trial) -> None:
        trial.done, trial.awaiting = True, False
        self._record(trial)
        return None

    def _record(self, trial) -> None:
        if trial.current is not None:
            for _, name, kind, amount in trial.options[trial.current]:
                self.writes.append(("lines", name, {"spacing": f"letter-spacing {amount:+.3f}em",
                                                    "width": f"width {amount}%",
                                                    "space": f"{amount * PX:.1f}pt more space above"}[kind]))

    def _fillings(self, before, page, short, space_in_tree: bool) -> list[list[tuple]]:
        """The ways to try, gentlest first, at most MAX_WAYS, each a list of changes (box in the tree, its
        id, kind, amount): as many paragraphs set one character narrower a line (each gains a line) as
        lines are missing once the space is shared out, those whose change is smallest; then one more.
        (Set a character wider a line, a paragraph would lose one, but its lines no longer end flush with
        the others: tried, and left out.)

        A page ending in a box that goes on overleaf has its frame at the foot: nothing on it can be moved
        down. Its space is then added in the box tree and the page made again, the box's lines flowing
        on (`space_in_tree`): shared out above its places, with paragraphs narrower for what is left,
        or above all but the last place."""
        lines = max(1, int(short // LINE_PX))
        loose = []
        for element, box in before.paragraphs_within(page):
            fits = _spacing_for(box, self.boxes)
            if fits.get(-1) is not None and id(element) in self.tree:
                loose.append((fits[-1], element))
        loose.sort(key=lambda c: c[0])

        def spacing(chosen):
            return [(self.tree[id(e)][0], e.get("id"), "spacing", amount) for amount, e in chosen]
        options = []
        flexible = [e for e in before.spaces_within() if id(e) in self.tree] if space_in_tree else []
        if flexible:
            def spread(elements):
                cap = (MAX_SPACE_LINES + (1 if len(elements) == 1 else 0)) * LINE_PX
                each = min(cap, (short - LINE_PX / 3) / len(elements))
                return [(self.tree[id(e)][0], e.get("id") or e.tag, "space", each) for e in elements], \
                    each * len(elements)
            shared, added = spread(flexible)
            options.append(shared)
            if loose and added < short - LINE_PX:
                options.append(shared + spacing(loose[:max(1, int((short - added) // LINE_PX))]))
            if len(flexible) > 1:
                options.append(spread(flexible[:-1])[0])
            return (options + [spacing(loose[:lines])] if loose else options)[:MAX_WAYS_IN_TREE]
        counts = sorted({min(count, len(loose)) for count in (lines, lines + 1)} - {0})
        options = [spacing(loose[:count]) for count in counts]
        grown = self._grown_figure(before, page, short)
        if grown:  # the gentlest first: text set narrower, then a photo made larger, then more text narrower
            options.insert(1, grown)
        return options[:MAX_WAYS]

    def _grown_figure(self, before, page, short) -> list[tuple]:
        """A photo whole on the page made wider (and so taller) by what the page lacks, but a third of a
        line, up to its container's width: a page that nothing else fills — a box with its photo, then
        a heading that needs more room than is left — ends at its foot as a designer would size it."""
        for element, box in before.figures_starting_here():
            if page.holds(element) or id(element) not in self.tree:
                continue
            tree_box, parent = self.tree[id(element)]
            image = _image_height(box, self.boxes)
            width = before.width_percent(element, parent.element)
            if not image or width >= 100:
                continue
            percent = min(100, int(width * (image + short - LINE_PX / 3) / image))
            if percent >= width + 5:
                return [(tree_box, element.get("id"), "width", percent)]
        return []

    # -- space, once every page is made --------------------------------------------------------
    def finish(self, pages) -> None:
        """Each page that still ends short of its foot gets the room shared out above its headings,
        boxes, quotes and figures: what is below each is moved down on the laid-out page. No line
        changes and nothing moves to another page, so no page is made again (pages_made_again calls this
        before WeasyPrint reads the pages' anchors and links)."""
        for index in range(len(pages) - 1):
            if pages[index] is None:  # made by an earlier pagination this one began after
                continue
            before, page = _PageView(pages[index], self.boxes), _PageView(pages[index + 1], self.boxes)
            if not _fillable(before, page, SPACE_FROM_LINES):
                continue
            for box, each in _space_shares(before, page):
                _push_down(pages[index], box, each)
                self.spaces.setdefault(index, []).append((_name(box), f"{each * PX:.1f}pt more space above"))

    # -- the decisions ----------------------------------------------------------------------
    def _fill_gap(self, page, siblings, position, gap) -> str | None:
        """The figure moved past the siblings after it that fill `gap` (a heading never ends the run)."""
        filled = 0.0
        for index in range(position + 1, len(siblings)):
            if not page.holds(siblings[index].element):
                return None  # the text after it on this page does not fill the gap
            filled += page.height(siblings[index].element)
            if filled >= gap - LINE_PX and siblings[index].element_tag not in HEADINGS:
                self._move(siblings[position], siblings[index])
                return f"after {_name(siblings[index])}"
        return None

    def _fit_in_box(self, page, before, siblings, position, gap, box, parent) -> str | None:
        """The photo sized to the room left in its box, or moved up the box to where it fits whole."""
        figure = siblings[position]
        height = box.margin_height()
        done = self._size_to_room(page, siblings, position, gap, box, parent, MIN_SHRUNK)
        if done is not None:
            return done
        bottom = before.text_bottom() - _bottom_spacing(parent)  # a box broken across pages keeps its spacing
        titles = [c for c in parent.children if c.element is not None and _is_title(c.element)]
        # up the box from the sibling before the one it follows now, then after the title; the places
        # on the page before, and first those that leave three lines of text after it there
        places = []
        for above in [siblings[i] for i in range(position - 2, -1, -1)] + titles[-1:]:
            if not before.holds(above.element) or before.bottom(above.element) is None:
                break
            places.append((above, before.bottom(above.element)))
        for room_after in (3 * LINE_PX, 0):
            for above, top in places:  # the last place up the box where the figure fits whole
                if top + height <= bottom - room_after:
                    self._move(figure, above)
                    return f"moved up after {_name(above)}"
        return self._size_to_room(page, siblings, position, gap, box, parent, MIN_SHRUNK_IF_STUCK)

    def _size_to_room(self, page, siblings, position, gap, box, parent, least: float) -> str | None:
        """The photo made narrower (and so lower) to fit the room left, if it keeps `least` of its width.
        A source note after it comes with it (it may not be parted from the box's end)."""
        figure = siblings[position]
        image = _image_height(box, self.boxes)
        if not image:
            return None
        following = sum(page.height(s.element) for s in siblings[position + 1:]
                        if page.holds(s.element) and "source-note" in (s.element.get("class") or ""))
        share = (gap - following - (box.margin_height() - image) * CAPTION_GROWTH) / image
        if share < least:
            return None
        return self._resize(figure, int(page.width_percent(figure.element, parent.element) * min(share, 1.0)))

    # -- changing the box tree ---------------------------------------------------------------
    def _move(self, figure, anchor) -> None:
        """The figure's box put right after `anchor`, a sibling of it in the box tree."""
        _, parent = self.tree[id(figure.element)]
        children = [c for c in parent.children if c is not figure]
        children.insert(children.index(anchor) + 1, figure)
        self.reordered.setdefault(id(parent), (parent, parent.children))
        parent.children = tuple(children)

    def _resize(self, figure, percent: int) -> str:
        _set_width(figure, percent)
        return f"width {percent}%"

    def _index_tree(self, root_box) -> None:
        stack = [root_box]
        while stack:
            box = stack.pop()
            for child in getattr(box, "children", ()):
                element = getattr(child, "element", None)
                if isinstance(child, self.boxes.BlockLevelBox) and _own(child):
                    self.tree[id(element)] = (child, box)
                    self.original[id(child)] = (child, child.style)
                stack.append(child)


def _order(children, built) -> list[int]:
    """Where each of `children` was among the children as built."""
    place = {id(child): index for index, child in enumerate(built)}
    return [place[id(child)] for child in children]


def decisions_of(writes, spaces: dict[int, list]) -> dict:
    """The part's record of what the editor did, from its writes in order and the space of each page."""
    made: dict[str, dict[str, str]] = {"figures": {}, "lines": {}, "boxes": {}}
    for record, name, what in writes:
        made[record][name] = what
    for index in sorted(spaces):
        for name, what in spaces[index]:
            made["lines"][name] = what
    return {record: dict(sorted(done.items())) for record, done in made.items()}


def _style_values(style) -> list:
    """What the editor may change in a box's style, as values that `_restore_style` sets again."""
    return [_value(style[name]) for name in RESTYLED]


def _value(value):
    return [value.value, value.unit] if hasattr(value, "unit") else value


def _restore_style(box, values: list) -> None:
    """The box restyled as `_style_values` read it; its letter-spacing set on its inline boxes too, as
    `_set_letter_spacing` does."""
    from weasyprint.css.properties import Dimension
    wanted = {name: Dimension(*value) if isinstance(value, list) else value for name, value in zip(RESTYLED, values)}
    spacing = wanted.pop("letter_spacing")
    if spacing != box.style["letter_spacing"]:
        _letter_spaced(box, spacing)
    style = box.style.copy()
    style.update(wanted)
    box.style = style


RESTYLED = ("letter_spacing", "margin_top", "width", "break_before")
"""What the editor may change in a box's style (`_set_letter_spacing`, `_add_space`, `_set_width`,
`_keep_box_ends_whole`)."""


def _restyling(style) -> str:
    """A box's restyled properties (RESTYLED), as text to compare."""
    return repr(tuple(style[name] for name in RESTYLED))


def _fillable(before, page, from_lines: float) -> bool:
    """The page `before` ends `from_lines` short or more and may be filled: it does not open a chapter nor
    end one (the next page does not begin with a forced break)."""
    return before.gap() >= from_lines * LINE_PX and not before.opens_chapter() and \
        not page.after_forced_break()


def _space_shares(view, next_view) -> list[tuple]:
    """(box, pixels) for each place on the page that takes more space above it, the page's room shared out:
    at most MAX_SPACE_LINES each (a line more when there is one place only), the last third of a line
    left so that nothing reaches the notes or the margin."""
    gap = view.gap()
    places = [view.first[id(element)] for element in view.spaces_within()]
    if not places or gap < SPACE_FROM_LINES * LINE_PX or view.frame_at_foot(next_view):
        return []
    cap = (MAX_SPACE_LINES + (1 if len(places) == 1 else 0)) * LINE_PX
    each = min(cap, (gap - LINE_PX / 3) / len(places))
    return [(box, each) for box in places]


def _short_after_space(view, next_view) -> float:
    """How far the page would end short of its foot once `finish` shared out its space."""
    return view.gap() - sum(each for _, each in _space_shares(view, next_view))


def _push_down(page_box, target, pixels: float) -> None:
    """More space above `target` on a laid-out page: it and everything after it in the page's flow moves
    down, and the boxes holding it grow by as much (the notes and the margin boxes stay)."""
    path = _path_to(page_box, target)
    for parent, child in zip(path[1:], path[2:]):  # below the page: its notes and margin boxes stay
        following = False
        for sibling in parent.children:
            if following:
                sibling.translate(0, pixels)
            following = following or sibling is child
        parent.height += pixels
    target.translate(0, pixels)


def _path_to(page_box, target) -> list:
    """The boxes from the page down to `target`, both included."""
    stack = [(page_box, [page_box])]
    while stack:
        box, path = stack.pop()
        if box is target:
            return path
        stack.extend((child, path + [child]) for child in getattr(box, "children", ()))
    raise ValueError("the box is not on this page")


class _PageView:
    """Where the elements of one laid-out page sit."""

    def __init__(self, page_box, boxes):
        self.page = page_box
        self.boxes = boxes
        self.fragments: dict[int, object] = {}  # id(element) → its (last) block box on this page
        self.first: dict[int, object] = {}
        for box in page_box.descendants():
            element = getattr(box, "element", None)
            if not isinstance(box, boxes.BlockLevelBox) or not _own(box):
                continue
            self.first.setdefault(id(element), box)
            self.fragments[id(element)] = box
        self._elements = {id(getattr(b, "element", None)): b.element for b in self.first.values()}

    def opens_chapter(self) -> bool:
        """A chapter opener's page: it ends where it ends."""
        return any("opener" in (box.element.get("class") or "").split() for box in self.first.values())

    def paragraphs_within(self, next_page):
        """The paragraphs with an id that begin and end on this page (no fragment before or after it)."""
        for box in self.first.values():
            element = box.element
            if element.tag != "p" or not element.get("id") or next_page.holds(element):
                continue
            if self.fragments[id(element)] is box and not box.remove_decoration_sides:
                yield element, box

    def spaces_within(self):
        """The headings, boxes, quotes, tables and figures that begin on this page below its top (the space
        above them may grow) and are not inside one another."""
        lines = [box.position_y for box in self.page.descendants() if isinstance(box, self.boxes.LineBox)]
        top = min(lines, default=self.page.content_box_y()) + 1  # the page's first line: nothing above it
        found = []
        boxes = [box for box in self.first.values() if _is_box(box.element)]
        for box in self.first.values():
            element = box.element
            classes = (element.get("class") or "").split()
            if element.tag not in FLEXIBLE and not {"box", "table-block"} & set(classes):
                continue
            if box.position_y <= top or box.remove_decoration_sides or "sidebar__title" in classes:
                continue
            if any(outer.position_y <= box.position_y and outer.position_y + outer.margin_height() >=
                   box.position_y + box.margin_height() and outer is not box for outer in found + boxes):
                continue  # inside a box already growing, or inside a tinted box (space there reads as a hole)
            found.append(box)
        return [box.element for box in found]

    def frame_at_foot(self, next_page) -> bool:
        """A sidebar or box goes on overleaf: WeasyPrint draws its first part down to the page's foot
        (`box-decoration-break: clone`, css-break-3 box splitting), so nothing above it can be moved
        down on this page."""
        return any(box.style["box_decoration_break"] == "clone" and next_page.holds(box.element)
                   for box in self.fragments.values())

    def box_scraps(self):
        """(box element, lines, its first paragraph here) for each sidebar or box that goes on at the top
        of this page with fewer than three lines of text besides its source note and attribution."""
        for box in self.first.values():
            element = box.element
            if not _is_box(element) or box.position_y > self.page.content_box_y() + LINE_PX:
                continue
            paragraphs = [b for b in box.descendants() if isinstance(b, self.boxes.BlockBox) and _own(b)
                          and b.element.tag == "p" and not {"source-note", "attribution"} &
                          set((b.element.get("class") or "").split())]
            if not paragraphs or any(_is_title(p.element) for p in paragraphs):
                continue  # the box begins here
            lines = sum(1 for p in paragraphs for b in p.descendants() if isinstance(b, self.boxes.LineBox))
            if lines < 3 and not any(b.element.tag == "figure" for b in box.descendants()
                                     if isinstance(b, self.boxes.BlockBox) and _own(b)):
                yield element, lines, paragraphs[0].element

    def after_forced_break(self) -> bool:
        """The page begins with a box that must begin a page (a new part, a title page)."""
        for box in self.page.descendants():
            if isinstance(box, self.boxes.LineBox) or not getattr(box, "children", None):
                return False
            if isinstance(box, self.boxes.BlockLevelBox) and \
                    box.style["break_before"] in ("page", "left", "right", "recto", "verso"):
                return True
        return False

    def figures_starting_here(self):
        """Each figure whose box begins on this page (a figure is never split: it begins here or not)."""
        for key, box in self.first.items():
            element = box.element
            if element.tag == "figure" and element.get("id"):
                yield element, box

    def holds(self, element) -> bool:
        return id(element) in self.fragments

    def height(self, element) -> float:
        box = self.fragments.get(id(element))
        return box.margin_height() if box is not None else 0.0

    def bottom(self, element) -> float | None:
        box = self.fragments.get(id(element))
        return None if box is None else box.position_y + box.margin_height()

    def width_percent(self, element, parent) -> int:
        box, container = self.fragments.get(id(element)), self.fragments.get(id(parent))
        if box is None or container is None or not container.width:
            return 100
        return round(100 * box.border_width() / container.width)

    def text_bottom(self) -> float:
        """The lowest the text may reach: the top of the page's notes, or of its bottom margin."""
        area = next((b for b in self.page.children if isinstance(b, self.boxes.FootnoteAreaBox)), None)
        if area is not None and area.children:
            return area.position_y
        return self.page.content_box_y() + self.page.height

    def gap(self) -> float:
        """The room left at the page's foot: from its lowest line or picture to the top of its notes (or of
        its bottom margin), less the bottom spacing of the sidebars and boxes that line is in (which take
        it whether they end here or go on)."""
        lowest, spacing = self.page.content_box_y(), 0.0
        stack = [(child, ()) for child in self.page.children
                 if not isinstance(child, (self.boxes.FootnoteAreaBox, self.boxes.MarginBox))]
        while stack:
            box, outer = stack.pop()
            if isinstance(box, (self.boxes.LineBox, self.boxes.ReplacedBox)) or \
                    (isinstance(box, self.boxes.BlockBox) and not box.children):
                bottom = box.position_y + box.margin_height()
                if bottom > lowest:
                    lowest = bottom
                    # below it: the boxes it ends (to their margin's edge), and those going on overleaf,
                    # which keep their bottom spacing on this page
                    closed = [o.position_y + o.margin_height() for o in outer
                              if o.style["box_decoration_break"] != "clone" and "bottom" not in o.remove_decoration_sides]
                    spacing = max([0.0] + [edge - bottom for edge in closed if edge - bottom < 3 * LINE_PX]) + \
                        sum(_bottom_spacing(o) for o in outer if o.style["box_decoration_break"] == "clone")
                continue
            inner = outer + (box,) if isinstance(box, self.boxes.BlockBox) else outer
            stack.extend((child, inner) for child in getattr(box, "children", ()))
        return self.text_bottom() - lowest - spacing

    def content_bottom(self) -> float:
        """Where the page's running text ends: its lowest line or picture outside the notes."""
        lowest = self.page.content_box_y()
        for child in self.page.children:
            if isinstance(child, (self.boxes.FootnoteAreaBox, self.boxes.MarginBox)):
                continue
            for box in child.descendants():
                if isinstance(box, (self.boxes.LineBox, self.boxes.ReplacedBox)) or \
                        (isinstance(box, self.boxes.BlockBox) and not box.children):
                    lowest = max(lowest, box.position_y + box.margin_height())
        return lowest


def _bottom_spacing(box) -> float:
    """The room a box broken across pages keeps below its content on the first page: WeasyPrint places its
    content above its bottom padding, border and margin (`box-decoration-break: clone`)."""
    style = box.style
    margin = style["margin_bottom"]
    padding = style["padding_bottom"]
    return (getattr(margin, "value", 0) if getattr(margin, "unit", "px") == "px" else 0) + \
        (getattr(padding, "value", 0) if getattr(padding, "unit", "px") == "px" else 0) + style["border_bottom_width"]


def _image_height(box, boxes) -> float:
    """The photo's (or its placeholder frame's) height inside a laid-out figure box."""
    for child in box.descendants():
        if isinstance(child, boxes.ReplacedBox):
            return child.margin_height()
        element = getattr(child, "element", None)
        if isinstance(child, boxes.BlockBox) and _own(child) \
                and "figure__frame" in (element.get("class") or ""):
            return child.margin_height()
    return 0.0


def _own(box) -> bool:
    """The box is its element's own, not one WeasyPrint made inside it (an anonymous block around the
    inline content of a figure, a pseudo-element's box)."""
    from weasyprint.css import AnonymousStyle
    element = getattr(box, "element", None)
    return element is not None and box.element_tag == element.tag and not isinstance(box.style, AnonymousStyle)


def _is_title(element) -> bool:
    classes = (element.get("class") or "").split()
    return "sidebar__title" in classes or "box__title" in classes


def _is_box(element) -> bool:
    classes = (element.get("class") or "").split()
    return element.tag == "aside" or "box" in classes


def _name(box) -> str:
    element = box.element
    return element.get("id") or element.tag


def _spacing_for(box, boxes) -> dict[int, float]:
    """For a laid-out paragraph: the letter-spacing (em) that sets it one character narrower a line (-1),
    so that it gains a line, where that change happens and would not show (MAX_SPACING)."""
    lines = [child for child in box.descendants() if isinstance(child, boxes.LineBox)]
    size = box.style["font_size"]
    if len(lines) < 2 or not size or not box.width:
        return {}
    per_line = int(box.width // size + 1e-6)  # whole characters a line holds
    last = sum(child.margin_width() for child in lines[-1].children) / size  # characters on the last line
    if last + len(lines) < per_line + 0.5:  # too few characters pushed down to make a line
        return {}
    spacing = (box.width / (per_line - 0.5) - size) / size
    return {-1: spacing} if 0 < spacing <= MAX_SPACING else {}


class _Trial:
    """The ways of filling one page, tried in turn: each a list of (paragraph box, id, letter-spacing)."""

    def __init__(self, options: list, gap: float, next_page, enough: float):
        self.options = options
        self.enough = enough  # a page ending less than this short of its foot is filled
        self.next_page = next_page  # the page after, as it was when the trial began: what goes on overleaf
        self.gaps: list[float | None] = [None] * len(options)
        self.original_gap = gap
        self.current: int | None = None
        self.next = 0
        self.done = False
        self.awaiting = False  # an option was applied and its page is being made again
        self._undo: list[tuple] = []

    @classmethod
    def settled(cls) -> "_Trial":
        """A filling tried before a pagination began from a kept state: done, what it did in the tree."""
        trial = cls([], 0.0, None, 0.0)
        trial.done = True
        return trial

    def apply(self, number: int) -> None:
        self.current, self.next, self.awaiting = number, max(self.next, number + 1), True
        change = {"spacing": _set_letter_spacing, "space": _add_space, "width": _set_width}
        for box, _, kind, amount in self.options[number]:
            self._undo.append((box, change[kind](box, amount)))

    def undo(self) -> None:
        for _, styles in reversed(self._undo):
            for target, style in styles:
                target.style = style
        self._undo, self.current = [], None

    def measured(self, gap: float) -> None:
        if self.current is not None:
            self.gaps[self.current] = gap

    def best(self) -> int | None:
        """The option that left the smallest gap, if smaller than with none."""
        tried = [(gap, number) for number, gap in enumerate(self.gaps) if gap is not None]
        if not tried or min(tried)[0] >= self.original_gap - LINE_PX / 2:
            return None
        return min(tried)[1]


def _set_width(box, percent: int) -> list[tuple]:
    """A figure of the tree set to `percent` of its container's width. Returns its style before."""
    from weasyprint.css.properties import Dimension
    before = [(box, box.style)]
    style = box.style.copy()
    style["width"] = Dimension(percent, "%")
    box.style = style
    return before


def _add_space(box, pixels: float) -> list[tuple]:
    """More space above a box of the tree (its top margin). Returns its style before, to put back."""
    from weasyprint.css.properties import Dimension
    before = [(box, box.style)]
    style = box.style.copy()
    margin = style["margin_top"]
    current = margin.value if getattr(margin, "unit", None) == "px" else 0
    style["margin_top"] = Dimension(current + pixels, "px")
    box.style = style
    return before


def _set_letter_spacing(box, spacing_em: float) -> list[tuple]:
    """Letter-spacing on a paragraph of the box tree and on the inline boxes in it (their styles were
    computed with the paragraph's; a note's text, set apart in the notes, is left alone). Returns each
    box's style before, to put back."""
    return _letter_spaced(box, spacing_em * box.style["font_size"])


def _letter_spaced(box, pixels: float) -> list[tuple]:
    before = []
    stack = [box]
    while stack:
        current = stack.pop()
        if current is not box and current.style["float"] == "footnote":
            continue
        before.append((current, current.style))
        style = current.style.copy()
        style["letter_spacing"] = pixels
        current.style = style
        stack.extend(getattr(current, "children", ()))
    return before


__all__ = ["PageEditor"]
