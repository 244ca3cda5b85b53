"""The colour table of the two worlds: styles/tokens.css gives each colour token its screen
sRGB value and its CMYK press ink, and press.py reads the pairs from there."""
from __future__ import annotations

import io
import math

import pytest
from PIL import Image, ImageCms

from publish.errors import ContentError
from publish.paths import STYLES
from publish.render.press import read_press_colours

from .press_support import press_profile, tokens_from_css

PAGED = STYLES / "paged.css"


def test_every_colour_token_has_a_press_ink_read_as_written():
    expected = tokens_from_css()
    table = read_press_colours()
    assert {c.token: (c.screen, c.cmyk) for c in table} == expected
    assert all(c.reason for c in table), "every press ink says why"


def test_text_and_folios_print_in_black_alone():
    tokens = tokens_from_css()
    assert tokens["--color-ink"][1] == (0, 0, 0, 1), "body text: 100 % K"
    assert tokens["--color-muted"][1][:3] == (0, 0, 0), "running heads, captions, notes: K only"
    table = read_press_colours()
    assert table.aliases["--color-folio"] == "--color-ink"
    folio_rules = [line for line in PAGED.read_text().splitlines() if ".furniture__folio {" in line and "color:" in line]
    assert folio_rules and all("var(--color-folio)" in line for line in folio_rules)


def test_press_inks_stay_near_their_screen_colours():
    """Measured with the press profile (LittleCMS, not the code under test): ΔE76 under 10
    for every token, and the inks within the condition's 330 %."""
    profile = ImageCms.ImageCmsProfile(io.BytesIO(press_profile().data))
    lab = ImageCms.createProfile("LAB", 5000)
    from_cmyk = ImageCms.buildTransform(profile, lab, "CMYK", "LAB", ImageCms.Intent.RELATIVE_COLORIMETRIC)
    from_rgb = ImageCms.buildTransform(ImageCms.createProfile("sRGB"), lab, "RGB", "LAB",
                                       ImageCms.Intent.RELATIVE_COLORIMETRIC)

    def lab_of(image, transform):
        L, a, b = ImageCms.applyTransform(image, transform).getpixel((0, 0))
        return L * 100 / 255, a - 128, b - 128
    for name, (screen, cmyk) in tokens_from_css().items():
        rgb = tuple(int(screen[i:i + 2], 16) for i in (1, 3, 5))
        on_screen = lab_of(Image.new("RGB", (1, 1), rgb), from_rgb)
        on_paper = lab_of(Image.new("CMYK", (1, 1), tuple(round(v * 255) for v in cmyk)), from_cmyk)
        assert math.dist(on_screen, on_paper) < 10, (name, on_screen, on_paper)
        assert sum(cmyk) <= 3.3


@pytest.mark.parametrize("css, line, says", [
    (":root {\n  --color-ink: #111111;\n}\n", 2, "--color-ink has no press value"),
    (":root {\n  --color-ink: #111111;\n  --color-ink-press: cmyk(0 0 0 1); /* k */\n}\n", 3, "is not a CMYK ink"),
    (":root {\n  --color-ink: #111111;\n  --color-ink-press: device-cmyk(0 0 0 2); /* k */\n}\n", 3,
     "is not a CMYK ink"),
    (":root {\n  --color-ink: #111111;\n  --color-ink-press: device-cmyk(0 0 0 1);\n}\n", 3, "gives no reason"),
    (":root {\n  --color-ink: rgb(1 1 1);\n}\n", 2, "is not an sRGB colour"),
    (":root {\n  --color-a: #111111;\n  --color-a-press: device-cmyk(0 0 0 1); /* k */\n"
     "  --color-b: #111111;\n  --color-b-press: device-cmyk(0.5 0 0 1); /* k */\n}\n", 4,
     "both #111111 on screen but differ in print"),
    (":root {\n  --color-a: #111111;\n  --color-a-press: device-cmyk(0 0 0 1); /* k */\n"
     "  --color-b: var(--color-a);\n  --color-b-press: device-cmyk(0 0 0 1); /* k */\n}\n", 5,
     "an alias (var(…)) takes its target's press value"),
    (":root {\n  --color-b: var(--color-none);\n}\n", 2, "refers to --color-none"),
])
def test_a_bad_table_is_refused_naming_the_line(tmp_path, css, line, says):
    path = tmp_path / "tokens.css"
    path.write_text(css)
    with pytest.raises(ContentError) as raised:
        read_press_colours(path)
    messages = [(p.line, p.message) for p in raised.value.problems]
    assert any(found_line == line and says in message for found_line, message in messages), messages
    assert "fix:" in str(raised.value)


def test_percentages_and_short_hex_are_read(tmp_path):
    path = tmp_path / "tokens.css"
    path.write_text(":root { --color-x: #fff; --color-x-press: device-cmyk(0% 10% 0% 5%); /* pale */ }")
    (colour,) = read_press_colours(path)
    assert colour.screen == "#ffffff" and colour.cmyk == (0, 0.1, 0, 0.05) and colour.reason == "pale"
