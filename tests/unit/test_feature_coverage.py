"""Guard: every key of the scenario language is exercised by the random scenarios.

The engine-equivalence and invariant tests (tests/property) run on scenarios
from tests/strategies.py.  A key added to the language but not to that
generator would escape them, so this test fails until the generator uses it.
"""

from __future__ import annotations

import typing
from pathlib import Path

from pydantic import BaseModel

from munisim.config.scenario import Scenario
from munisim.config.values import DIST_TAGS, _Base

# Keys with no effect on the daily model (labels, provenance, optional consistency checks).
NOT_SIMULATED = {"name", "description", "figures", "color", "calibre_mm", "source", "side", "munition"}


def _models(tp: object, seen: set[type]) -> None:
    for arg in typing.get_args(tp) or (tp,):
        if typing.get_args(arg):
            _models(arg, seen)
        elif isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
            seen.add(arg)
            for f in arg.model_fields.values():
                _models(f.annotation, seen)


def test_generator_covers_every_key() -> None:
    models: set[type] = set()
    _models(Scenario, models)
    source = (Path(__file__).resolve().parents[1] / "strategies.py").read_text()
    missing = []
    for m in models:
        if issubclass(m, _Base):
            continue
        for name, f in m.model_fields.items():
            key = f.alias or name
            if key not in NOT_SIMULATED and f'"{key}"' not in source:
                missing.append(f"{m.__name__}.{key}")
    for tag in DIST_TAGS[1:]:
        if f'"{tag}"' not in source:
            missing.append(f"distribution {tag}")
    assert not missing, f"tests/strategies.py never generates: {', '.join(sorted(missing))}"
