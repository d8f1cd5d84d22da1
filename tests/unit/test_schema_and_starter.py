"""The JSON Schemas accept the shipped files, and the starter scenario validates and runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from munisim import simulate
from munisim.config.loader import scenario_from_located
from munisim.config.schema import experiment_schema, scenario_schema
from munisim.config.starter import starter_scenario
from munisim.config.yamlload import parse_yaml

ROOT = Path(__file__).resolve().parents[2]


def _as_json(node: Any) -> Any:
    """YAML data as an editor sees it: dates are strings."""
    if isinstance(node, dict):
        return {str(k): _as_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_json(v) for v in node]
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_are_valid_under_the_schema(path: Path) -> None:
    # Variants (scenarios/variants/) hold only the keys they change: the schema is for whole scenarios.
    jsonschema.validate(_as_json(yaml.safe_load(path.read_text(encoding="utf-8"))), scenario_schema())


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_experiments_are_valid_under_the_schema(path: Path) -> None:
    jsonschema.validate(_as_json(yaml.safe_load(path.read_text(encoding="utf-8"))), experiment_schema())


@pytest.mark.parametrize("schema", [scenario_schema(), experiment_schema()], ids=["scenario", "experiment"])
def test_schemas_are_valid_json_schemas(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)


def test_the_schema_catches_a_misspelt_key() -> None:
    data = _as_json(yaml.safe_load((ROOT / "scenarios" / "example-small.yaml").read_text(encoding="utf-8")))
    data["stockpiles"]["red_depot"]["initial_round"] = 5
    with pytest.raises(jsonschema.ValidationError, match="initial_round"):
        jsonschema.validate(data, scenario_schema())


def test_starter_scenario_validates_under_the_loader_and_the_schema_and_runs() -> None:
    text = starter_scenario("my-war")
    jsonschema.validate(_as_json(yaml.safe_load(text)), scenario_schema())
    s = scenario_from_located(parse_yaml(text, "my-war.yaml"), None)
    assert s.name == "my-war" and s.forces
    result = simulate(s, engine="vector", replicates=3, seed=0)
    assert result.summary()["replicates"] == 3


def test_starter_refuses_a_bad_name() -> None:
    with pytest.raises(ValueError, match="not a valid scenario name"):
        starter_scenario("my war")


def test_cli_schema_and_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from click.testing import CliRunner

    from munisim.cli import main

    r = CliRunner().invoke(main, ["schema", "scenario"])
    assert r.exit_code == 0 and json.loads(r.output)["title"] == "munisim scenario"
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["init", "my-war"])
    assert r.exit_code == 0 and (tmp_path / "my-war.yaml").exists()
    r = CliRunner().invoke(main, ["validate", "my-war.yaml"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["init", "my-war"])
    assert r.exit_code == 2 and "--force" in r.output
    r = CliRunner().invoke(main, ["init", "my war"])
    assert r.exit_code == 2 and "not a valid scenario name" in r.output
