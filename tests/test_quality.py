"""Quality gates: ruff (lint and format) and mypy pass on the code base.

They run as tests so that the one test command of the README (and CI, which
runs it) enforces them. The tool versions are pinned in the ``test`` extra.
The import-layer check is tests/unit/test_layers.py.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = ["src", "tests", "benchmarks", "docs"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def _needs(module: str) -> None:
    if shutil.which(module) is None and _run(module, "--version").returncode != 0:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")


def test_ruff_lint() -> None:
    _needs("ruff")
    r = _run("ruff", "check", "--no-cache", *PATHS)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_format() -> None:
    _needs("ruff")
    r = _run("ruff", "format", "--check", "--no-cache", *PATHS)
    assert r.returncode == 0, "run `ruff format`:\n" + r.stdout + r.stderr


def test_mypy() -> None:
    _needs("mypy")
    r = _run("mypy")  # files and settings: [tool.mypy] in pyproject.toml
    assert r.returncode == 0, r.stdout + r.stderr
