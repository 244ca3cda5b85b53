"""Shared fixtures: the real publications built once per test session, with real fonts."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from publish.load import load_publication
from publish.paths import CONTENT
from publish.pipeline import Log, build_publication

# The tests read messages in English (the commands they run included) unless a test asks for Chinese.
for _variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
    if os.environ.get(_variable, "").lower().startswith("zh"):
        os.environ[_variable] = "C.UTF-8"

REPORT = CONTENT / "gsi-report-2024"
ARTICLE = CONTENT / "gsi-article-2024"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """output/ for both publications, every edition, built by the real pipeline."""
    output = tmp_path_factory.mktemp("output")
    for root in (ARTICLE, REPORT):
        build_publication(root, output=output, log=Log(quiet=True))
    return output


@pytest.fixture(scope="session")
def report_model():
    return load_publication(REPORT)


@pytest.fixture(scope="session")
def article_model():
    return load_publication(ARTICLE)


def pdftotext_pages(pdf: Path) -> list[str]:
    """poppler's text of each page (form feed separated)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def copy_publication(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target
