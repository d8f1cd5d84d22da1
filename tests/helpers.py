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
