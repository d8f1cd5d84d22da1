"""Small helpers shared by tests: build scenarios from YAML text."""

from __future__ import annotations

import textwrap

from munisim.config.loader import scenario_from_located
from munisim.config.scenario import Scenario
from munisim.config.yamlload import parse_yaml

BASE = """
name: t
start: 2024-01-01
end: {end}
munitions: {{m: {{}}}}
sides: {{red: {{}}, blue: {{}}}}
"""


def scenario(body: str, *, end: str = "2024-01-10") -> Scenario:
    """A scenario from the common header plus ``body`` (YAML)."""
    text = BASE.format(end=end) + textwrap.dedent(body)
    return scenario_from_located(parse_yaml(text, "<test>"), None)


def both_engines(s: Scenario, *, replicates: int = 1, seed: int = 0):  # type: ignore[no-untyped-def]
    """Run ``s`` on both engines, assert every series is identical, and return the vector trajectories."""
    import numpy as np

    from munisim.engines.des import run_des
    from munisim.engines.vector import run_vector

    des, _ = run_des(s, seed=seed, replicates=replicates)
    vec = run_vector(s, seed=seed, replicates=replicates)
    assert set(des.series) == set(vec.series)
    for key, arr in des.series.items():
        np.testing.assert_array_equal(arr, vec.series[key], err_msg=str(key))
    return vec
