"""Where a scenario's numbers come from: cited figures, the key paths citing them, uncited values, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from munisim import load_scenario
from munisim.cli import main
from munisim.config.checks import iter_values
from munisim.config.loader import load_figures
from munisim.config.yamlload import format_path
from munisim.io import cited_figures
from munisim.report.sources import SourcesReport, collect_sources, describe_value, scenario_sources

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SMALL = ROOT / "scenarios" / "example-small.yaml"


@pytest.fixture(scope="module")
def baseline() -> SourcesReport:
    return scenario_sources(BASELINE)


def _cited_paths(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key, value in iter_values(load_scenario(path)):
        if value.source:  # type: ignore[attr-defined]
            out.setdefault(value.source, set()).add(format_path(key))  # type: ignore[attr-defined]
    return out


def test_every_cited_id_of_the_baseline_with_each_key_path(baseline: SourcesReport) -> None:
    ids = cited_figures(load_scenario(BASELINE))
    assert [f.id for f in baseline.cited] == ids
    assert len(ids) > 20
    want = _cited_paths(BASELINE)
    for fig in baseline.cited:
        assert {u.path for u in fig.uses} == want[fig.id], fig.id


def test_figures_carry_their_range_date_and_sources(baseline: SourcesReport) -> None:
    figures = load_figures([ROOT / "seeds" / "figures.yaml"]).figures
    for fig in baseline.cited:
        ref = figures[fig.id]
        assert fig.found
        assert (fig.description, fig.unit, fig.low, fig.central, fig.high, fig.as_of) == (
            ref.description,
            ref.unit,
            ref.low,
            ref.central,
            ref.high,
            ref.as_of,
        )
        assert [s["title"] for s in fig.sources] == [s.title for s in ref.sources]
        assert [s["url"] for s in fig.sources] == [s.url for s in ref.sources]


def test_values_used_are_shown_as_written() -> None:
    report = scenario_sources(SMALL)
    uses = {u.path: u for f in report.cited for u in f.uses}
    rate = uses["factories.red_plant.capacity[1].rate"]
    assert rate.text == "triangular(low 160,000, mode 200,000, high 220,000)"
    assert rate.value == {"dist": "triangular", "low": 160000.0, "mode": 200000.0, "high": 220000.0}
    assert uses["factories.blue_plant.capacity[0].rate"].text == "30,000"
    assert describe_value(load_scenario(SMALL).stockpiles["red_depot"].initial_rounds)[1] == "600,000"


def test_uncited_values_are_those_written_without_a_source() -> None:
    report = scenario_sources(SMALL)
    uncited = {u.path: u.text for u in report.uncited}
    assert uncited["stockpiles.red_depot.initial_rounds"] == "600,000"
    assert uncited["transfers.red_supplier.lead_time_days"] == "10"
    assert uncited["fronts.blue_front.rationing[1].fire_share"] == "0.25"
    # Defaults that the file does not write are not listed.
    assert "factories.red_plant.lot_days" not in uncited and "transfers.blue_aid.loss_share" not in uncited
    cited = {u.path for f in report.cited for u in f.uses}
    assert not cited & set(uncited)


def test_figures_not_at_hand_are_listed_as_not_found() -> None:
    report = collect_sources(load_scenario(SMALL), None)
    assert [f.id for f in report.cited] == cited_figures(load_scenario(SMALL))
    assert not any(f.found for f in report.cited) and all(f.uses for f in report.cited)


def test_json_round_trip_and_markdown(baseline: SourcesReport) -> None:
    assert SourcesReport.from_dict(json.loads(json.dumps(baseline.to_dict()))) == baseline
    md = baseline.to_markdown()
    assert md.startswith("# Sources of the scenario baseline")
    for fig in baseline.cited:
        assert f"### `{fig.id}`" in md
        for u in fig.uses:
            assert f"`{u.path}`" in md
    assert "## Uncited values (modelling assumptions)" in md


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_sources_lists_every_cited_id_and_writes_files(tmp_path: Path) -> None:
    md, js = tmp_path / "s.md", tmp_path / "s.json"
    code, stdout, stderr = cli("sources", str(BASELINE), "--markdown", str(md), "--json", str(js))
    assert code == 0, stderr
    ids = cited_figures(load_scenario(BASELINE))
    assert f"{len(ids)} cited figures" in stdout and "uncited values" in stdout
    data = json.loads(js.read_text(encoding="utf-8"))
    assert [f["id"] for f in data["cited"]] == ids
    want = _cited_paths(BASELINE)
    for fig in data["cited"]:
        assert {u["path"] for u in fig["uses"]} == want[fig["id"]]
    text = md.read_text(encoding="utf-8")
    assert all(f"`{fid}`" in text for fid in ids)


def test_cli_sources_bad_input(tmp_path: Path) -> None:
    code, _, stderr = cli("sources", str(tmp_path / "nope.yaml"))
    assert code == 2 and "nope.yaml" in stderr and "Traceback" not in stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstart: 2024-01-01\n", encoding="utf-8")
    code, _, stderr = cli("sources", str(bad))
    assert code == 2 and stderr.startswith(f"{bad}:")
