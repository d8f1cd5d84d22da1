"""Experiment files: a scenario, the factors to vary, the design and the outcomes to report.

An experiment is YAML, validated like a scenario (errors carry file, line and
key path)::

    name: ru-production
    scenario: ../scenarios/baseline.yaml      # relative to this file
    seed: 1
    replicates: 100                            # per sample
    design: {method: lhs, samples: 512}
    factors:
      ru_2025_rate: {path: "factories.ru_new_build.capacity[3].rate", range: [2.0e6, 4.0e6]}
      dprk_supply: {scale: transfers.dprk_to_ru.recurring, range: [0.0, 1.5]}
      eu_delay_days: {shift_days: factories.eu_155_plant.capacity, range: [0, 730]}
    outcomes:
      - {metric: ua.share_met, stat: mean}
      - {metric: crossover.ua over ru, stat: probability}

A factor sets one value (``path``), multiplies every rate and quantity under
a key (``scale``) or moves every date under a key by whole days
(``shift_days``).  Its values come from ``range: [low, high]`` (uniform) or a
``dist`` (uniform, triangular, normal, PERT) mapped from the unit interval by
its inverse CDF.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = ["Factor", "FactorDist", "Design", "Outcome", "Experiment", "STATS"]

_CFG = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True)

#: Statistics of an outcome across replicates.  ``pNN`` is the NN-th percentile;
#: ``probability`` the share of replicates in which a time-to-event metric happens
#: (or, with ``before``, happens before that date).
STATS = ("mean", "median", "std", "min", "max", "probability", "pNN")


class FactorDist(BaseModel):
    """A factor's distribution, sampled by its inverse CDF from the design's unit interval."""

    model_config = _CFG
    dist: Literal["uniform", "triangular", "normal", "pert"]
    low: float | None = None
    mode: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _params(self) -> FactorDist:
        need = {
            "uniform": ("low", "high"),
            "triangular": ("low", "mode", "high"),
            "pert": ("low", "mode", "high"),
            "normal": ("mean", "sd"),
        }[self.dist]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise ValueError(f"{self.dist} needs {', '.join(missing)}")
        if self.dist != "normal":
            lo, hi = self.low, self.high
            mid = self.mode if self.mode is not None else lo
            if not lo <= mid <= hi or lo == hi:  # type: ignore[operator]
                raise ValueError("need low <= mode <= high and low < high")
        return self


class Factor(BaseModel):
    """One varied input: exactly one of ``path``, ``scale`` and ``shift_days``, and its values."""

    model_config = _CFG
    path: str | None = Field(None, description="Key path of one value in the scenario.")
    scale: str | None = Field(None, description="Key path under which every rate and quantity is multiplied.")
    shift_days: str | None = Field(None, description="Key path under which every date is moved by N days.")
    range: tuple[float, float] | None = None
    dist: FactorDist | None = None
    levels: list[float] | None = Field(None, min_length=2, description="Explicit levels for a grid design.")

    @model_validator(mode="after")
    def _one(self) -> Factor:
        kinds = [k for k in ("path", "scale", "shift_days") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of 'path', 'scale' and 'shift_days'")
        vals = [k for k in ("range", "dist", "levels") if getattr(self, k) is not None]
        if len(vals) != 1:
            raise ValueError("give exactly one of 'range', 'dist' and 'levels'")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range must be [low, high] with low < high, got {list(self.range)}")
        return self

    @property
    def kind(self) -> str:
        return "path" if self.path else "scale" if self.scale else "shift_days"

    @property
    def target(self) -> str:
        return self.path or self.scale or self.shift_days or ""


class Design(BaseModel):
    """How factor values are chosen.

    ``grid``: every combination of ``levels`` values per factor (or each
    factor's own ``levels``); ``lhs``: Latin hypercube of ``samples`` points;
    ``sobol``: scrambled Sobol' points; ``morris``: ``samples`` trajectories on
    a ``levels`` grid (SALib); ``saltelli``: Saltelli's scheme for Sobol'
    indices with base size ``samples`` (SALib; N (k + 2) points).
    """

    model_config = _CFG
    method: Literal["grid", "lhs", "sobol", "morris", "saltelli"] = "lhs"
    samples: int = Field(256, ge=1, le=10_000_000)
    levels: int = Field(4, ge=2, le=1000)
    scramble: bool = True


class Outcome(BaseModel):
    """A statistic across replicates of one per-replicate metric.

    ``metric``: ``<side>.<variable>`` (``produced``, ``received``, ``fired``,
    ``demanded``, ``lost``, ``shipped_out``, ``refused``, ``final_stock``,
    ``share_met``, ``first_stockout``; with forces also ``losses`` and
    ``final_strength``), ``crossover.<A> over <B>`` or, with forces,
    ``loss_exchange.<A> per <B>``.
    """

    model_config = _CFG
    metric: str
    stat: str = "mean"
    before: Any = Field(None, description="With stat: probability, a date the event must happen before.")
    name: str | None = Field(None, description="Column name; defaults to '<metric>:<stat>'.")

    @field_validator("stat")
    @classmethod
    def _stat(cls, v: str) -> str:
        if v in STATS[:-1] or (v.startswith("p") and v[1:].isdigit() and 0 <= int(v[1:]) <= 100):
            return v
        raise ValueError(
            f"unknown stat {v!r}; expected one of mean, median, std, min, max, probability, "
            "or pNN (a percentile such as p05, p95)"
        )

    @property
    def column(self) -> str:
        if self.name:
            return self.name
        suffix = f"<{self.before}" if self.before is not None else ""
        return f"{self.metric}:{self.stat}{suffix}"


class Experiment(BaseModel):
    """A validated experiment file."""

    model_config = _CFG
    name: str
    description: str | None = None
    scenario: str = Field(description="Scenario file, relative to the experiment file.")
    seed: int = Field(0, ge=0)
    replicates: int = Field(100, ge=1, le=1_000_000)
    engine: Literal["vector", "des"] = "vector"
    design: Design = Field(default_factory=Design)
    factors: Annotated[dict[str, Factor], Field(min_length=1)]
    outcomes: Annotated[list[Outcome], Field(min_length=1)]
    chunk_samples: int = Field(64, ge=1, le=100_000, description="Samples per stored chunk.")

    @model_validator(mode="after")
    def _unique_columns(self) -> Experiment:
        cols = [o.column for o in self.outcomes]
        dup = {c for c in cols if cols.count(c) > 1}
        if dup:
            raise ValueError(f"outcome columns repeat: {', '.join(sorted(dup))}; give them distinct 'name's")
        return self
