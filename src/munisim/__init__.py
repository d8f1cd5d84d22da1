"""munisim: simulate the artillery-ammunition race of the Russia-Ukraine war.

The public API:

- :func:`load_scenario` reads and validates a YAML scenario;
- :func:`simulate` runs replicates on the SimPy reference engine (``"des"``)
  or the vectorised engine (``"vector"``) and returns a :class:`RunResult`;
- :func:`write_run` writes a run directory (summary, series, charts, manifest);
- :func:`sweep` and :func:`sensitivity` run an experiment's design
  (docs/sweeps.md) and return ``(samples, outcomes)`` aligned on the sample index;
- :func:`lanchester` runs a standalone Lanchester battle and
  :func:`fit_lanchester` fits its coefficients to data, returning a
  :class:`LanchesterFit` (docs/attrition.md).
"""

from munisim.config.loader import load_scenario
from munisim.config.scenario import Scenario
from munisim.errors import MunisimError, ScenarioError, SimulationError
from munisim.results import RunResult
from munisim.simulation import simulate

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # write_run pulls in matplotlib; import it only when asked for.
    if name == "write_run":
        from munisim.report.run_dir import write_run

        return write_run
    if name == "sweep":
        from munisim.experiments.sweep import sweep

        return sweep
    if name == "sensitivity":
        from munisim.analysis.sensitivity import sensitivity

        return sensitivity
    if name in ("lanchester", "fit_lanchester", "LanchesterFit"):
        from munisim.analysis import lanchester as _lanchester

        return getattr(_lanchester, name)
    raise AttributeError(f"module 'munisim' has no attribute {name!r}")


__all__ = [
    "LanchesterFit",
    "MunisimError",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "fit_lanchester",
    "lanchester",
    "load_scenario",
    "sensitivity",
    "simulate",
    "sweep",
    "write_run",
    "__version__",
]
