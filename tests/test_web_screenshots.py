"""Pictures of the web edition (scripts/web-screenshots), written into the build's output folder.

The same shots as `.venv/bin/python scripts/web-screenshots` saves under
output/screenshots/, here of the edition the test session built, so a failed
run leaves pictures to look at beside the edition.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from .test_web_edition import browser  # noqa: F401 (a fixture)

pytest.importorskip("playwright.sync_api")

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "web-screenshots"


def load_script():
    """The script as a module (its file name has no .py, so it is loaded by path)."""
    if "web_screenshots" not in sys.modules:
        loader = importlib.machinery.SourceFileLoader("web_screenshots", str(SCRIPT))
        module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
        sys.modules[loader.name] = module  # dataclasses look their module up while it loads
        loader.exec_module(module)
    return sys.modules["web_screenshots"]


def test_screenshots_show_each_view(built, browser):
    shots = load_script()
    folder = built / "screenshots"
    written = shots.take_screenshots(browser, built / "gsi-report-2024" / "web", folder)
    assert [p.name for p in written] == [f"{shot.name}.png" for shot in shots.SHOTS]
    names = {shot.name for shot in shots.SHOTS}
    assert {"contents-wide-light", "sidebar-phone-light", "footnote-phone-light"} <= names
    for shot, path in zip(shots.SHOTS, written):
        with Image.open(path) as image:
            assert image.size == shot.viewport, f"{path.name}: {image.size}"
            grey = image.convert("L")
            low, high = grey.getextrema()
            assert high - low > 100, f"{path.name} is blank"
            brightness = ImageStat.Stat(grey).mean[0]
            if shot.scheme == "dark":
                assert brightness < 100, f"{path.name} is not dark ({brightness:.0f})"
            else:
                assert brightness > 160, f"{path.name} is not light ({brightness:.0f})"


def test_the_script_says_what_to_do_without_an_edition(tmp_path, capsys):
    shots = load_script()
    assert shots.main(["--output", str(tmp_path)]) == 1
    assert "build.py gsi-report-2024 --edition web" in capsys.readouterr().err
