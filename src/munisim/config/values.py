"""Uncertain numbers: a plain number or a distribution drawn once per replicate.

Every numeric input of a scenario is a :data:`Value`.  In YAML it is written as

* a plain number: ``rate: 1200``;
* a fixed value with provenance: ``rate: {value: 1200, source: us_155_prod_actual}``;
* a distribution, selected by ``dist``::

      rate: {dist: triangular, low: 1.5e6, mode: 2.0e6, high: 2.5e6, source: ru_new_production_2023}

Distributions are small immutable value objects (in the manner of Ciw): each
knows how to ``sample`` a vector from a :class:`numpy.random.Generator`, its
analytic ``mean`` and ``variance``, and its ``support``.  Sampling draws one
value per replicate; the scenario's daily model treats it as a constant.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag, model_validator

__all__ = [
    "Distribution",
    "Fixed",
    "Uniform",
    "Triangular",
    "Normal",
    "LogNormal",
    "Pert",
    "Value",
    "DIST_TAGS",
    "as_value",
]

_FINITE = ConfigDict(allow_inf_nan=False)


class _Base(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, **_FINITE)

    source: str | None = Field(None, description="Id of the figure in seeds/ this value comes from.")

    # -- the distribution protocol -------------------------------------------------
    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Draw ``size`` independent values; returns ``ndarray, shape (size,)``, float64."""
        raise NotImplementedError

    @property
    def mean(self) -> float:
        """Analytic mean."""
        raise NotImplementedError

    @property
    def variance(self) -> float:
        """Analytic variance."""
        raise NotImplementedError

    @property
    def support(self) -> tuple[float, float]:
        """Smallest and largest value the distribution can take."""
        raise NotImplementedError

    @property
    def is_fixed(self) -> bool:
        """True when every replicate gets the same value (no draw is made)."""
        return False


class Fixed(_Base):
    """A known number (optionally with its source)."""

    value: float

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return np.full(size, self.value, dtype=float)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    @property
    def is_fixed(self) -> bool:
        return True

    def __repr__(self) -> str:
        return f"Fixed({self.value:g})"


class Uniform(_Base):
    """Uniform on ``[low, high]``."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not self.low <= self.high:
            raise ValueError(f"low (={self.low:g}) must be <= high (={self.high:g})")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    @property
    def variance(self) -> float:
        return (self.high - self.low) ** 2 / 12

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def __repr__(self) -> str:
        return f"Uniform({self.low:g}, {self.high:g})"


class Triangular(_Base):
    """Triangular with minimum ``low``, mode ``mode`` and maximum ``high``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"need low <= mode <= high, got {self.low:g}, {self.mode:g}, {self.high:g}")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.low == self.high:
            return np.full(size, self.low, dtype=float)
        return rng.triangular(self.low, self.mode, self.high, size)

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    @property
    def variance(self) -> float:
        a, c, b = self.low, self.mode, self.high
        return (a * a + b * b + c * c - a * b - a * c - b * c) / 18

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def __repr__(self) -> str:
        return f"Triangular({self.low:g}, {self.mode:g}, {self.high:g})"


class Normal(_Base):
    """Normal with ``mean`` and standard deviation ``sd``, clipped to ``[low, high]``.

    Clipping (not rejection) keeps the draw one number per replicate; the mass
    outside the bounds lands on the bounds.  ``mean`` and ``variance`` below
    are those of the unclipped law.
    """

    dist: Literal["normal"]
    mean_: float = Field(alias="mean")
    sd: float = Field(ge=0)
    low: float | None = None
    high: float | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _order(self) -> Normal:
        if self.low is not None and self.high is not None and not self.low <= self.high:
            raise ValueError(f"low (={self.low:g}) must be <= high (={self.high:g})")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        x = rng.normal(self.mean_, self.sd, size)
        if self.low is not None or self.high is not None:
            x = np.clip(x, self.low, self.high)
        return x

    @property
    def mean(self) -> float:
        return self.mean_

    @property
    def variance(self) -> float:
        return self.sd**2

    @property
    def support(self) -> tuple[float, float]:
        lo = -math.inf if self.low is None else self.low
        hi = math.inf if self.high is None else self.high
        if self.sd == 0:
            v = min(max(self.mean_, lo), hi)
            return (v, v)
        return (lo, hi)

    def __repr__(self) -> str:
        return f"Normal({self.mean_:g}, sd={self.sd:g})"


class LogNormal(_Base):
    """Log-normal with ``median`` (> 0) and log-scale standard deviation ``sigma``."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.lognormal(math.log(self.median), self.sigma, size)

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    @property
    def variance(self) -> float:
        s2 = self.sigma**2
        return (math.exp(s2) - 1) * self.median**2 * math.exp(s2)

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf) if self.sigma > 0 else (self.median, self.median)

    def __repr__(self) -> str:
        return f"LogNormal(median={self.median:g}, sigma={self.sigma:g})"


class Pert(_Base):
    """(Modified) PERT: a scaled beta on ``[low, high]`` peaking at ``mode``.

    Shape parameters ``alpha = 1 + lamb (mode - low) / (high - low)`` and
    ``beta = 1 + lamb (high - mode) / (high - low)``; ``lamb = 4`` is classic PERT.
    """

    dist: Literal["pert"]
    low: float
    mode: float
    high: float
    lamb: float = Field(4.0, gt=0)

    @model_validator(mode="after")
    def _order(self) -> Pert:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"need low <= mode <= high, got {self.low:g}, {self.mode:g}, {self.high:g}")
        return self

    def _shape(self) -> tuple[float, float]:
        span = self.high - self.low
        return (1 + self.lamb * (self.mode - self.low) / span, 1 + self.lamb * (self.high - self.mode) / span)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.high == self.low:
            return np.full(size, self.low, dtype=float)
        a, b = self._shape()
        return self.low + (self.high - self.low) * rng.beta(a, b, size)

    @property
    def mean(self) -> float:
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2)

    @property
    def variance(self) -> float:
        if self.high == self.low:
            return 0.0
        a, b = self._shape()
        return (self.high - self.low) ** 2 * a * b / ((a + b) ** 2 * (a + b + 1))

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def __repr__(self) -> str:
        return f"Pert({self.low:g}, {self.mode:g}, {self.high:g})"


Distribution = Fixed | Uniform | Triangular | Normal | LogNormal | Pert
DIST_TAGS = ("fixed", "uniform", "triangular", "normal", "lognormal", "pert")


def _to_mapping(v: Any) -> Any:
    # A plain number becomes {value: number}; booleans are refused (YAML 'yes').
    if isinstance(v, bool):
        raise ValueError("expected a number or a distribution, got a boolean")
    if isinstance(v, (int, float)):
        return {"value": v}
    if isinstance(v, str):
        try:
            return {"value": float(v.replace("_", ""))} if v.strip() else v
        except ValueError:
            raise ValueError(f"expected a number or a distribution, got the text {v!r}") from None
    if isinstance(v, dict) and v.get("dist") == "fixed":
        return {k: x for k, x in v.items() if k != "dist"}  # {dist: fixed, value: 3} is {value: 3}
    return v


def _tag(v: Any) -> str | None:
    if isinstance(v, dict):
        if "dist" in v:
            d = v["dist"]
            return d if d in DIST_TAGS else None
        return "fixed"
    if isinstance(v, BaseModel):
        return getattr(v, "dist", "fixed")
    return None


Value = Annotated[
    Annotated[Fixed, Tag("fixed")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Triangular, Tag("triangular")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[LogNormal, Tag("lognormal")]
    | Annotated[Pert, Tag("pert")],
    Discriminator(
        _tag,
        custom_error_type="invalid_distribution",
        custom_error_message="expected a number or a mapping with dist: one of " + ", ".join(DIST_TAGS[1:]),
    ),
    BeforeValidator(_to_mapping),
]
"""A number or a distribution (see module docstring)."""


def as_value(x: float | Distribution) -> Distribution:
    """Return ``x`` as a distribution object (plain numbers become :class:`Fixed`)."""
    return x if isinstance(x, BaseModel) else Fixed(value=float(x))
