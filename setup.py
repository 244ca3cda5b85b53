"""The wheel carries templates/ and styles/ inside the package (as publish/templates, publish/styles).

They stay at the top of the repository, where designers find them; a wheel
built from it copies both into the package, where publish/paths.py looks
first, so an installed (non-editable) `publish` renders without a repository.
Everything else about the package is in pyproject.toml.
"""
import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

sys.path.insert(0, str(Path(__file__).resolve().parent))
from publish.paths import SHIPPED_FOLDERS  # noqa: E402  (the package says which folders it looks for)


class BuildWithTemplatesAndStyles(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the repository
        for name in SHIPPED_FOLDERS:
            target = Path(self.build_lib) / "publish" / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(Path(__file__).parent / name, target,
                            ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(cmdclass={"build_py": BuildWithTemplatesAndStyles})
