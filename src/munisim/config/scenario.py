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
    "Strike",
    "Stockpile",
    "SchedulePoint",
    "Availability",
    "FactoryInput",
    "Factory",
    "Recurring",
    "Package",
    "Window",
    "Transfer",
    "Rationing",
    "DemandNoise",
    "Tubes",
    "Front",
    "Reinforcement",
    "Withdrawal",
    "Force",
    "FireCoupling",
    "Breakpoint",
    "Engagement",
    "LAWS",
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
    if (isinstance(v, (int, float)) and not isinstance(v, bool)) or isinstance(v, dt.datetime):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {v!r}")
    return v


Date = Annotated[dt.date, BeforeValidator(_date)]


class _Model(BaseModel):
    # Defaults are validated: a plain number default of a Value field becomes a Fixed.  Such fields also say
    # ``validate_default=True`` themselves, which tells type checkers the number is not the field's type.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True)


_SINGULAR = {
    "munitions": "munition",
    "sides": "side",
    "stockpiles": "stockpile",
    "factories": "factory",
    "transfers": "transfer",
    "fronts": "front",
    "forces": "force",
    "engagements": "engagement",
}


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
    component: bool = Field(
        False,
        description="A component or stored item (charge sets, shells in storage), "
        "not a complete round: left out of side totals unless asked for by munition.",
    )


class Side(_Model):
    """A belligerent or a coalition."""

    name: str | None = Field(None, description="Display name; defaults to the id.")
    color: str | None = Field(None, description="Matplotlib colour used in charts.")


class Strike(_Model):
    """A strike on a depot destroying ``share`` of its stock: on ``date``, or at random ``rate_per_year`` a year."""

    date: Date | None = None
    rate_per_year: Value | None = Field(None, description="Expected strikes per year (daily chance rate / 365.25).")
    share: Value = Field(description="Share of the stock destroyed by one strike.")

    @model_validator(mode="after")
    def _when(self) -> Strike:
        if (self.date is None) == (self.rate_per_year is None):
            raise ValueError("give either 'date' (a dated strike) or 'rate_per_year' (random strikes)")
        return self


class Stockpile(_Model):
    """A depot or pool of one munition belonging to one side."""

    side: str
    munition: str
    initial_rounds: Value = Field(0.0, validate_default=True, description="Stock on the start date, rounds.")
    capacity_rounds: Value | None = Field(None, description="Most rounds it can hold; inflow beyond it is refused.")
    strikes: list[Strike] = Field(default_factory=list, description="Depot strikes destroying a share of the stock.")


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
    if (isinstance(v, dict) and "dist" in v) or (isinstance(v, dict) and "value" in v):
        return {"share": v}
    return v


class FactoryInput(_Model):
    """A component a factory uses up: ``per_unit`` rounds of ``stockpile`` per round made.

    ``per_unit_schedule`` (dated points, linear between them) makes it change
    over time instead, e.g. ``1 / serviceable share`` of shells refurbished
    from storage as the best ones are used first.
    """

    stockpile: str = Field(description="Id of the stockpile the component is taken from (same side).")
    per_unit: Value = Field(1.0, validate_default=True, description="Input rounds used per round made (> 0).")
    per_unit_schedule: list[SchedulePoint] | None = Field(
        None, min_length=1, description="Dated per_unit values (instead of per_unit)."
    )

    @model_validator(mode="before")
    @classmethod
    def _one_form(cls, v: Any) -> Any:
        if isinstance(v, dict) and "per_unit" in v and "per_unit_schedule" in v:
            raise ValueError("give either 'per_unit' or 'per_unit_schedule', not both")
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
    lot_days: Value = Field(1.0, validate_default=True, description="Deliver accumulated output every this many days.")
    uptime_noise: bool = Field(True, description="Draw daily up/down states; false uses the expected share.")
    inputs: list[FactoryInput] = Field(default_factory=list, description="Components used up per round made.")

    _avail = field_validator("availability", mode="before")(classmethod(lambda cls, v: _availability(v)))


class Recurring(_Model):
    """``quantity`` rounds every ``every_days`` days from ``start`` to ``end`` (inclusive)."""

    every_days: Value = Field(1.0, validate_default=True)
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
    lead_time_days: Value = Field(1.0, validate_default=True, description="Days from dispatch to arrival (>= 1).")
    loss_share: Value = Field(
        0.0, validate_default=True, description="Share of each shipment lost or found defective on arrival."
    )
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


class Tubes(_Model):
    """Gun barrels that cap and wear with a front's fire of one munition."""

    stockpile: str = Field(description="Stockpile of serviceable barrels (of the front's side).")
    rounds_per_barrel: Value = Field(description="Rounds a barrel fires before it must be replaced (> 0).")
    max_rounds_per_tube_per_day: Value = Field(description="Most rounds one tube fires a day.")


class Front(_Model):
    """Where a side fires: daily demand per munition, met from stockpiles in priority order."""

    side: str
    draws_from: list[str] = Field(min_length=1, description="Stockpile ids, highest priority first.")
    rate_unit: RateUnit = "per_day"
    interpolation: Interpolation = "linear"
    demand: dict[str, list[Annotated[SchedulePoint, Field()]]] = Field(min_length=1)
    demand_noise: DemandNoise | None = None
    activity: Value = Field(
        1.0, validate_default=True, description="Share of days the front is active (demand is zero on quiet days)."
    )
    rationing: list[Rationing] = Field(default_factory=list)
    tubes: dict[str, Tubes] = Field(default_factory=dict, description="Per munition: barrels that cap and wear.")

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


class Reinforcement(_Model):
    """Strength joining a force: a rate period or a dated lump.

    A **rate** ``{start, end, rate_per_day}`` adds ``rate_per_day`` on every
    day from ``start`` to ``end`` (inclusive); a **lump** ``{date, amount}``
    adds ``amount`` once.
    """

    start: Date | None = None
    end: Date | None = None
    rate_per_day: Value | None = Field(None, description="Strength added per day (e.g. personnel/day).")
    date: Date | None = None
    amount: Value | None = Field(None, description="Strength added (or, as a withdrawal, taken) once.")

    @model_validator(mode="after")
    def _form(self) -> Reinforcement:
        rate = (self.start, self.end, self.rate_per_day)
        lump = (self.date, self.amount)
        if any(v is not None for v in rate) and any(v is not None for v in lump):
            raise ValueError("expected either a rate {start, end, rate_per_day} or a lump {date, amount}, not both")
        if any(v is not None for v in rate):
            if any(v is None for v in rate):
                raise ValueError("a rate needs 'start', 'end' and 'rate_per_day'")
            if self.end < self.start:  # type: ignore[operator]
                raise ValueError(f"end ({self.end}) is before start ({self.start})")
        elif any(v is None for v in lump):
            raise ValueError("expected a rate {start, end, rate_per_day} or a lump {date, amount}")
        return self

    @property
    def is_rate(self) -> bool:
        return self.rate_per_day is not None


class Withdrawal(_Model):
    """Strength leaving a force once: ``amount`` on ``date`` (at most the force's whole strength)."""

    date: Date
    amount: Value

    @model_validator(mode="before")
    @classmethod
    def _not_a_rate(cls, v: Any) -> Any:
        if isinstance(v, dict) and any(k in v for k in ("start", "end", "rate_per_day")):
            raise ValueError("a withdrawal is a lump {date, amount}; it has no 'start', 'end' or 'rate_per_day'")
        return v


class Force(_Model):
    """A body of troops (or any strength measure) of one side at the front (docs/model.md, "Forces and attrition").

    Strength is a real number.  ``reinforcements`` mixes rate periods and
    dated lumps; ``withdrawals`` are dated lumps.
    """

    side: str
    initial_strength: Value = Field(description="Strength on the start date.")
    reinforcements: list[Reinforcement] = Field(default_factory=list)
    withdrawals: list[Withdrawal] = Field(default_factory=list)


#: Attrition laws and their exponents ``(p, q)`` in ``dx/dt = -a * y^p * x^q``.
LAWS: dict[str, tuple[float, float] | None] = {
    "square": (1.0, 0.0),
    "linear": (1.0, 1.0),
    "logarithmic": (0.0, 1.0),
    "general": None,
}


class FireCoupling(_Model):
    """How a side's effectiveness follows its ammunition: ``floor + (1 - floor) * share_fired ** exponent``."""

    front: str = Field(description="Front whose share of demand fired drives the side's effectiveness.")
    floor: Value = Field(
        0.0, validate_default=True, description="Effectiveness with no fire at all (share of full effectiveness)."
    )
    exponent: Value = Field(1.0, validate_default=True, description="Curvature of the response (1: proportional).")


class Breakpoint(_Model):
    """Shares of each force's strength at the engagement's start below which it breaks off."""

    x: Value = Field(0.0, validate_default=True)
    y: Value = Field(0.0, validate_default=True)


class Engagement(_Model):
    """Lanchester attrition between two forces of different sides (docs/attrition.md).

    ``dx/dt = -a * y^p * x^q`` and ``dy/dt = -b * x^p * y^q`` (plus
    reinforcements), with ``(p, q)`` fixed by ``law`` unless it is ``general``.
    """

    x: str = Field(description="Id of force x.")
    y: str = Field(description="Id of force y.")
    law: Literal["square", "linear", "logarithmic", "general"] = "square"
    p: float | None = Field(None, ge=0, description="Exponent of the firing force (general law only).")
    q: float | None = Field(None, ge=0, description="Exponent of the target force (general law only).")
    a: Value = Field(description="Effect of force y on force x, per day.")
    b: Value = Field(description="Effect of force x on force y, per day.")
    start: Date | None = Field(None, description="First day of fighting; defaults to the scenario start.")
    end: Date | None = Field(None, description="Last day of fighting; defaults to the scenario end.")
    breakpoint: Breakpoint | None = None
    fires: dict[Literal["x", "y"], FireCoupling] = Field(default_factory=dict)

    @field_validator("p", "q")
    @classmethod
    def _general_only(cls, v: float | None, info: ValidationInfo) -> float | None:
        law = info.data.get("law")
        if v is not None and law is not None and law != "general":
            raise ValueError(
                f"'{info.field_name}' applies only to law 'general' (law {law!r} fixes it); "
                "remove it or use law: general"
            )
        return v

    @model_validator(mode="after")
    def _shape(self) -> Engagement:
        if self.law == "general" and (self.p is None or self.q is None):
            raise ValueError("law 'general' needs both exponents 'p' and 'q'")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start})")
        return self

    @property
    def exponents(self) -> tuple[float, float]:
        """``(p, q)`` of the law."""
        fixed = LAWS[self.law]
        return fixed if fixed is not None else (float(self.p), float(self.q))  # type: ignore[arg-type]


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
    forces: dict[str, Force] = Field(default_factory=dict)
    engagements: dict[str, Engagement] = Field(default_factory=dict)

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

    _ids = field_validator(
        "munitions", "sides", "stockpiles", "factories", "transfers", "fronts", "forces", "engagements"
    )(classmethod(lambda cls, v, info: _check_ids(v, _SINGULAR[info.field_name])))

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
