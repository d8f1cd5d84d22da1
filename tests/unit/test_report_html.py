"""The HTML report of a run directory: self-contained, the key numbers, escaped text, works when moved."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from munisim import load_scenario, simulate
from munisim.cli import main
from munisim.io import cited_figures
from munisim.report.html import REPORT_FILE
from munisim.report.run_dir import write_run
from munisim.report.run_extras import EXTRA_FILES

from ..helpers import scenario

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "example-small.yaml"
HOSTILE = 'description=<script>alert(1)</script> & "quotes"'


class _Links(HTMLParser):
    """Collects src/href attribute values, noting whether each is inside <section id="sources">."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.links: list[tuple[str, str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and ("id", "sources") in attrs:
            self.depth = 1
        elif tag == "section" and self.depth:
            self.depth += 1
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.links.append((tag, value, self.depth > 0))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.depth:
            self.depth -= 1


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "small"
    overrides = (HOSTILE,)
    result = simulate(load_scenario(SMALL, overrides=overrides), engine="vector", replicates=20, seed=4)
    write_run(result, out, scenario_path=SMALL, overrides=overrides)
    return out


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def page(run_dir: Path) -> str:
    code, stdout, stderr = cli("report", str(run_dir))
    assert code == 0, stderr
    assert f"wrote {run_dir / REPORT_FILE}" in stdout
    return (run_dir / REPORT_FILE).read_text(encoding="utf-8")


def test_run_directory_holds_the_extra_files(run_dir: Path) -> None:
    for name in EXTRA_FILES:
        assert (run_dir / name).is_file(), name


def test_report_is_self_contained(page: str) -> None:
    parser = _Links()
    parser.feed(page)
    outside = [(tag, v) for tag, v, in_sources in parser.links if not in_sources]
    assert all(not v.startswith(("http://", "https://", "//")) for _tag, v in outside), outside
    images = [v for tag, v in outside if tag == "img"]
    assert len(images) >= 7 and all(v.startswith("data:image/png;base64,") for v in images)
    assert "<script" not in page.lower() and "<link" not in page.lower()
    # The links there are, are the sources' own.
    assert any(v.startswith("https://") for _tag, v, in_sources in parser.links if in_sources)


def test_report_shows_the_key_numbers_of_the_summary(run_dir: Path, page: str) -> None:
    summary = json.loads((run_dir / "summary.json").read_text())
    for side in summary["sides"].values():
        assert side["name"] in page
        for key in ("produced", "fired", "demanded", "final_stock"):
            for q in ("p05", "p50", "p95"):
                assert f"{side[key][q]:,.0f}" in page, (key, q)
        assert f"{side['share_met']['p50']:.0%}" in page
        if side["first_stockout"]:
            assert side["first_stockout"] in page
    for name in (
        "What",
        "Key results",
        "Production",
        "Stocks",
        "Fire: demanded and fired",
        "Running short",
        "Assumptions",
        "Sources",
    ):
        assert f">{name}" in page or name == "What"
    assert f"seed {summary['seed']}" in page and "vector" in page


def test_report_lists_the_sources_and_the_run_settings(run_dir: Path, page: str) -> None:
    for fid in cited_figures(load_scenario(SMALL)):
        assert f"<code>{fid}</code>" in page
    assert "Uncited values (modelling assumptions)" in page
    assert "stockpiles.red_depot.initial_rounds" in page
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["scenario_sha256"] in page and manifest["versions"]["numpy"] in page


def test_report_escapes_text_from_the_run(page: str) -> None:
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in page


def test_report_of_a_moved_run_keeps_its_sources(run_dir: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere" / "run"
    shutil.copytree(run_dir, moved)
    # Its resolved scenario points at figures files that are no longer there.
    resolved = moved / "scenario.resolved.yaml"
    text = resolved.read_text(encoding="utf-8")
    resolved.write_text(
        re.sub(r"(?m)^figures:\n- .*$", "figures:\n- /nonexistent/figures.yaml", text), encoding="utf-8"
    )
    code, _, stderr = cli("report", str(moved), "--out", str(tmp_path / "r.html"))
    assert code == 0, stderr
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<code>us_155_prod_actual</code>" in html and "https://" in html


FORCES = """
stockpiles:
  red_depot: {side: red, munition: m, initial_rounds: 5000}
  blue_depot: {side: blue, munition: m, initial_rounds: 100000}
fronts:
  red_front: {side: red, draws_from: [red_depot], demand: {m: [{date: 2024-01-01, rate: 100}]}}
  blue_front: {side: blue, draws_from: [blue_depot], demand: {m: [{date: 2024-01-01, rate: 100}]}}
forces:
  red_army: {side: red, initial_strength: 100}
  blue_army: {side: blue, initial_strength: 60}
engagements:
  battle: {x: red_army, y: blue_army, law: square, a: 0.001, b: 0.001}
"""


def test_report_with_forces_and_without_figures(tmp_path: Path) -> None:
    result = simulate(scenario(FORCES, end="2024-03-31"), engine="vector", replicates=5, seed=1)
    write_run(result, tmp_path / "f")
    code, _, stderr = cli("report", str(tmp_path / "f"))
    assert code == 0, stderr
    html = (tmp_path / "f" / REPORT_FILE).read_text(encoding="utf-8")
    assert "Forces and losses" in html and "attrition losses" in html
    assert "No value cites a figure." in html


def test_report_bad_input(run_dir: Path, tmp_path: Path) -> None:
    code, _, stderr = cli("report", str(tmp_path))
    assert code == 2 and stderr.strip() == f"{tmp_path}: not a munisim run directory (no manifest.json)"
    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    (old / "outcomes.parquet").unlink()
    code, _, stderr = cli("report", str(old))
    assert code == 2 and "outcomes.parquet: missing" in stderr and "Traceback" not in stderr
