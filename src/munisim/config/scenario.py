"""The scenario language: frozen pydantic models validated from YAML.

Entities are mappings keyed by id (``factories.ru_new_build``), so a key path
such as ``factories.ru_new_build.capacity[3].rate`` names one number.  Each
model forbids unknown keys.  Checks that need the whole scenario (ids that
must exist, a front with no stockpile of its munition...) live in
:mod:`munisim.config.checks`, which reports them with their key paths.

Units are in the names: ``initial_rounds``, ``lead_time_days``; schedule rates
are read in ``rate_unit`` (``per_day``, ``per_month`` or ``per_year``), where a
month is 365.25/12 = 30.4375 days and a year 365.25 days.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from munisim.config.values import Value

__all__ = [
    "Munition",
    "Side",
    "Stockpile",
    "SchedulePoint",
    "Availability",
    "Factory",
    "Recurring",
    "Package",
    "Window",
    "Transfer",
    "Rationing",
    "DemandNoise",
    "Front",
    "Scenario",
    "RATE_UNIT_DAYS",
]

#: Length in days of the period each ``rate_unit`` refers to.
RATE_UNIT_DAYS: dict[str, float] = {"per_day": 1.0, "per_month": 365.25 / 12, "per_year": 365.25}

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")

RateUnit = Literal["per_day", "per_month", "per_year"]
Interpolation = Literal["linear", "step"]


def _date(v: Any) -> Any:
    # Pydantic would read a bare number as a Unix timestamp; a scenario never means that.
    if isinstance(v, (int, float)) and not isinstance(v, bool) or isinstance(v, dt.datetime):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {v!r}")
    return v


Date = Annotated[dt.date, BeforeValidator(_date)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True)


_SINGULAR = {"munitions": "munition", "sides": "side", "stockpiles": "stockpile", "factories": "factory",
             "transfers": "transfer", "fronts": "front"}


class InvalidId(ValueError):
    """An entity id that is not valid; ``key`` is the id, so the loader can point at its line."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def _check_ids(mapping: dict[str, Any], what: str) -> dict[str, Any]:
    for key in mapping:
        if not _ID.match(key):
            raise InvalidId(
                f"{what} id {key!r} is not valid; expected letters, digits, '_', '-' or '.', "
                "starting with a letter or digit",
                key,
            )
    return mapping


class Munition(_Model):
    """A type of round, e.g. 152 mm HE."""

    name: str | None = Field(None, description="Display name; defaults to the id.")
    calibre_mm: float | None = Field(None, gt=0, description="Calibre in millimetres (informative).")


class Side(_Model):
    """A belligerent or a coalition."""

    name: str | None = Field(None, description="Display name; defaults to the id.")
    color: str | None = Field(None, description="Matplotlib colour used in charts.")


class Stockpile(_Model):
    """A depot or pool of one munition belonging to one side."""

    side: str
    munition: str
    initial_rounds: Value = Field(0.0, description="Stock on the start date, rounds.")
    capacity_rounds: Value | None = Field(None, description="Most rounds it can hold; inflow beyond it is refused.")


class SchedulePoint(_Model):
    """One dated point of a rate schedule (piecewise-linear between points)."""

    date: Date
    rate: Value


class Availability(_Model):
    """When a factory produces.

    Either ``share`` (each day independently up with that probability) or
    ``mtbf_days`` and ``mttr_days`` (a two-state daily Markov chain: an up
    factory fails with probability 1/mtbf_days, a down one is repaired with
    probability 1/mttr_days).  The chain starts up.
    """

    share: Value | None = None
    mtbf_days: Value | None = None
    mttr_days: Value | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Availability:
        has_share = self.share is not None
        has_mtbf = self.mtbf_days is not None or self.mttr_days is not None
        if has_share == has_mtbf:
            raise ValueError("give either 'share' or both 'mtbf_days' and 'mttr_days'")
        if has_mtbf and (self.mtbf_days is None or self.mttr_days is None):
            raise ValueError("'mtbf_days' and 'mttr_days' go together; give both")
        return self


def _availability(v: Any) -> Any:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return {"share": v}
    if isinstance(v, dict) and "dist" in v or isinstance(v, dict) and "value" in v:
        return {"share": v}
    return v


class Factory(_Model):
    """A producer delivering into one stockpile.

    Output per day is the capacity schedule's rate on days the factory is up,
    accumulated into whole rounds; with ``lot_days > 1`` the whole rounds are
    held and delivered every ``lot_days`` days.
    """

    stockpile: str = Field(description="Id of the stockpile output goes to.")
    side: str | None = Field(None, description="Optional; must equal the stockpile's side.")
    munition: str | None = Field(None, description="Optional; must equal the stockpile's munition.")
    rate_unit: RateUnit = "per_day"
    interpolation: Interpolation = "linear"
    capacity: list[SchedulePoint] = Field(min_length=1)
    availability: Annotated[Availability | None, Field(None)] = None
    lot_days: Value = Field(1.0, description="Deliver accumulated output every this many days.")
    uptime_noise: bool = Field(True, description="Draw daily up/down states; false uses the expected share.")

    _avail = field_validator("availability", mode="before")(classmethod(lambda cls, v: _availability(v)))


class Recurring(_Model):
    """``quantity`` rounds every ``every_days`` days from ``start`` to ``end`` (inclusive)."""

    every_days: Value = Field(1.0)
    quantity: Value
    start: Date | None = Field(None, description="First dispatch; defaults to the scenario start.")
    end: Date | None = Field(None, description="Last possible dispatch; defaults to the scenario end.")

    @model_validator(mode="after")
    def _order(self) -> Recurring:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class Package(_Model):
    """A one-off dispatch of ``quantity`` rounds on ``date``."""

    date: Date
    quantity: Value


class Window(_Model):
    """A closed interval of dates ``[start, end]``."""

    start: Date
    end: Date

    @model_validator(mode="after")
    def _order(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self


class Transfer(_Model):
    """Shipments from a stockpile or an external source into a stockpile."""

    from_stockpile: str | None = Field(None, description="Source stockpile id.")
    from_external: str | None = Field(None, description="Name of a source outside the model (unlimited).")
    to: str = Field(description="Destination stockpile id.")
    recurring: list[Recurring] = Field(default_factory=list)
    share_of_inflow: Value | None = Field(None, description="Share of the source stockpile's daily inflow.")
    packages: list[Package] = Field(default_factory=list)
    lead_time_days: Value = Field(1.0, description="Days from dispatch to arrival (>= 1).")
    loss_share: Value = Field(0.0, description="Share of each shipment lost or found defective on arrival.")
    suspensions: list[Window] = Field(default_factory=list, description="Windows with no dispatch.")

    @field_validator("recurring", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @model_validator(mode="after")
    def _shape(self) -> Transfer:
        if (self.from_stockpile is None) == (self.from_external is None):
            raise ValueError("give exactly one of 'from_stockpile' and 'from_external'")
        if not self.recurring and not self.packages and self.share_of_inflow is None:
            raise ValueError("a transfer needs 'recurring', 'packages' or 'share_of_inflow'")
        if self.share_of_inflow is not None and self.from_stockpile is None:
            raise ValueError("'share_of_inflow' needs 'from_stockpile' (an external source has no inflow)")
        return self


class Rationing(_Model):
    """Fire only ``fire_share`` of demand while stock covers fewer than ``below_days`` days of it."""

    below_days: Value
    fire_share: Value


class DemandNoise(_Model):
    """Daily noise on demand: Poisson, or negative binomial with ``dispersion`` k (var = m + m^2/k)."""

    dist: Literal["poisson", "negative_binomial"]
    dispersion: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _k(self) -> DemandNoise:
        if self.dist == "negative_binomial" and self.dispersion is None:
            raise ValueError("negative_binomial needs 'dispersion' (> 0)")
        if self.dist == "poisson" and self.dispersion is not None:
            raise ValueError("'dispersion' applies only to negative_binomial")
        return self


class Front(_Model):
    """Where a side fires: daily demand per munition, met from stockpiles in priority order."""

    side: str
    draws_from: list[str] = Field(min_length=1, description="Stockpile ids, highest priority first.")
    rate_unit: RateUnit = "per_day"
    interpolation: Interpolation = "linear"
    demand: dict[str, list[Annotated[SchedulePoint, Field()]]] = Field(min_length=1)
    demand_noise: DemandNoise | None = None
    activity: Value = Field(1.0, description="Share of days the front is active (demand is zero on quiet days).")
    rationing: list[Rationing] = Field(default_factory=list)

    @field_validator("rationing", mode="before")
    @classmethod
    def _listify(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    @field_validator("demand")
    @classmethod
    def _demand_points(cls, v: dict[str, list[SchedulePoint]]) -> dict[str, list[SchedulePoint]]:
        for munition, pts in v.items():
            if not pts:
                raise ValueError(f"demand for {munition!r} needs at least one dated point")
        return v


class Scenario(_Model):
    """A complete scenario: time window, munitions, sides and the supply network.

    Build one with :func:`munisim.load_scenario`; engines receive only
    validated ``Scenario`` objects, never dictionaries.
    """

    name: str = Field(description="Short name; used for the default output directory.")
    description: str | None = None
    start: Date
    end: Date
    figures: list[str] = Field(default_factory=list, description="Figures files (relative to this file).")
    munitions: dict[str, Munition] = Field(min_length=1)
    sides: dict[str, Side] = Field(min_length=1)
    stockpiles: dict[str, Stockpile] = Field(min_length=1)
    factories: dict[str, Factory] = Field(default_factory=dict)
    transfers: dict[str, Transfer] = Field(default_factory=dict)
    fronts: dict[str, Front] = Field(default_factory=dict)

    @field_validator("figures", mode="before")
    @classmethod
    def _fig_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not v.strip() or not _ID.match(v):
            raise ValueError("expected a short name of letters, digits, '_', '-' or '.' (used as a directory name)")
        return v

    _ids = field_validator("munitions", "sides", "stockpiles", "factories", "transfers", "fronts")(
        classmethod(lambda cls, v, info: _check_ids(v, _SINGULAR[info.field_name]))
    )

    @field_validator("end")
    @classmethod
    def _window(cls, end: dt.date, info: ValidationInfo) -> dt.date:
        start = info.data.get("start")
        if start is not None and end < start:
            raise ValueError(f"end ({end}) is before start ({start}); expected a date on or after it")
        return end

    @property
    def n_days(self) -> int:
        """Number of simulated days, start and end included."""
        return (self.end - self.start).days + 1

    def day_index(self, date: Date) -> int:
        """Day index of ``date`` (0 for ``start``; may be negative or >= n_days)."""
        return (date - self.start).days

    @property
    def dates(self) -> list[dt.date]:
        """Every simulated date, ``len == n_days``."""
        return [self.start + dt.timedelta(days=i) for i in range(self.n_days)]

    def side_name(self, side: str) -> str:
        """Display name of ``side``."""
        return self.sides[side].name or side


def rate_per_day(rate: float, unit: str) -> float:
    """Convert a rate in ``unit`` to rounds per day."""
    return rate / RATE_UNIT_DAYS[unit]


