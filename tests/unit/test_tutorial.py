"""docs/tutorial.md works as written: its variant validates, and run, report, sources and compare succeed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from munisim.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "tutorial.md").read_text(encoding="utf-8")


def test_tutorial_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    variant = re.search(r"```yaml\n(# Variant.*?)```", DOC, re.S)
    assert variant, "the tutorial shows a variant"
    (tmp_path / "scenarios" / "variants" / "my-variant.yaml").write_text(variant.group(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = CliRunner()
    # The commands of the tutorial, with fewer replicates.
    commands = [
        ["run", "scenarios/baseline.yaml", "--engine", "vector", "--replicates", "20", "--seed", "1",
         "--out", "runs/baseline"],
        ["report", "runs/baseline"],
        ["sources", "scenarios/baseline.yaml"],
        ["validate", "scenarios/variants/my-variant.yaml"],
        ["run", "scenarios/variants/my-variant.yaml", "--engine", "vector", "--replicates", "20", "--seed", "1",
         "--out", "runs/my-variant"],
        ["compare", "runs/baseline", "runs/my-variant"],
    ]
    for args in commands:
        assert " ".join(args[:2]).split()[0] in DOC
        r = run.invoke(main, args)
        assert r.exit_code == 0, f"munisim {' '.join(args)}:\n{r.output}"
    assert (tmp_path / "runs" / "baseline" / "report.html").exists()
    assert "paired" in r.output
