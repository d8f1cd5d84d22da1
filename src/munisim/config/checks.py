"""Whole-scenario checks: references between entities, dates, provenance.

Pydantic validates each entity on its own; these checks need the whole
scenario.  Each returns ``(key path, message)`` pairs so the loader can put a
file line on them.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Iterable, Iterator
from typing import Any, cast

from pydantic import BaseModel

from munisim.config.scenario import Scenario, SchedulePoint
from munisim.config.values import Fixed
from munisim.config.yamlload import KeyPath
from munisim.limits import limits

__all__ = ["check_scenario", "did_you_mean", "iter_values"]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ``"; did you mean 'x'?"`` suffix, or ``""`` when nothing is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _ref(kind: str, value: str, known: dict[str, Any]) -> str | None:
    if value in known:
        return None
    listed = ", ".join(sorted(known)) or "none defined"
    return f"unknown {kind} {value!r}{did_you_mean(value, known)} (known: {listed})"


def iter_values(model: BaseModel, path: KeyPath = (), *, explicit: bool = False) -> Iterator[tuple[KeyPath, BaseModel]]:
    """Yield ``(key path, distribution)`` for every :data:`~munisim.config.values.Value` in ``model``.

    With ``explicit``, only values written in the file (fields left at their
    defaults are skipped), with keys as written (aliases).
    """
    from munisim.config.values import _Base

    if isinstance(model, _Base):
        yield path, model
        return
    for name, info in type(model).model_fields.items():
        if explicit and name not in model.model_fields_set:
            continue
        key = (info.alias or name) if explicit else name
        yield from _walk(getattr(model, name), path + (key,), explicit)


def _walk(obj: Any, path: KeyPath, explicit: bool) -> Iterator[tuple[KeyPath, BaseModel]]:
    if isinstance(obj, BaseModel):
        yield from iter_values(obj, path, explicit=explicit)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _walk(v, path + (k,), explicit)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _walk(v, path + (i,), explicit)


# Lower and upper bounds of each kind of value, by the last name in its key path.
_NONNEG = ("non-negative", 0.0, None)
_SHARE = ("a share between 0 and 1", 0.0, 1.0)
_BOUNDS: dict[str, tuple[str, float, float | None]] = {
    "initial_rounds": _NONNEG,
    "capacity_rounds": _NONNEG,
    "rate": _NONNEG,
    "quantity": _NONNEG,
    "share": _SHARE,
    "activity": _SHARE,
    "share_of_inflow": _SHARE,
    "loss_share": _SHARE,
    "fire_share": _SHARE,
    "below_days": _NONNEG,
    "mtbf_days": ("at least 1 day", 1.0, None),
    "mttr_days": ("at least 1 day", 1.0, None),
    "lot_days": ("at least 1 day", 1.0, None),
    "every_days": ("at least 1 day", 1.0, None),
    "lead_time_days": ("at least 1 day", 1.0, None),
    "per_unit": ("a positive number of input rounds per round made", 1e-9, None),
    "rate_per_year": ("between 0 and 365.25 strikes a year", 0.0, 365.25),
    "rounds_per_barrel": ("at least 1 round", 1.0, None),
    "max_rounds_per_tube_per_day": _NONNEG,
    "initial_strength": _NONNEG,
    "rate_per_day": _NONNEG,
    "amount": _NONNEG,
    "a": _NONNEG,
    "b": _NONNEG,
    "breakpoint": _SHARE,
    "floor": _SHARE,
    "exponent": _NONNEG,
}


def check_scenario(s: Scenario, figure_ids: set[str] | None) -> list[tuple[KeyPath, str]]:
    """Return every cross-entity problem of ``s`` as ``(key path, message)``.

    Parameters
    ----------
    s : Scenario
        A scenario whose entities each validated.
    figure_ids : set of str or None
        Ids of the figures files listed in ``s.figures``; ``None`` when the
        scenario names no figures file.
    """
    out: list[tuple[KeyPath, str]] = []
    add = out.append
    for sid, st in s.stockpiles.items():
        if (m := _ref("side", st.side, s.sides)) is not None:
            add((("stockpiles", sid, "side"), m))
        for i, strike in enumerate(st.strikes):
            if strike.date is not None and not s.start <= strike.date <= s.end:
                add(
                    (
                        ("stockpiles", sid, "strikes", i, "date"),
                        f"{strike.date} is outside the scenario window {s.start}..{s.end}; expected a date inside it",
                    )
                )
        if (m := _ref("munition", st.munition, s.munitions)) is not None:
            add((("stockpiles", sid, "munition"), m))
    schedules: list[tuple[KeyPath, list[SchedulePoint]]] = [
        (("factories", fid, "capacity"), f.capacity) for fid, f in s.factories.items()
    ]
    schedules += [
        (("factories", fid, "inputs", i, "per_unit_schedule"), inp.per_unit_schedule)
        for fid, f in s.factories.items()
        for i, inp in enumerate(f.inputs)
        if inp.per_unit_schedule
    ]
    schedules += [(("fronts", fid, "demand", m), pts) for fid, fr in s.fronts.items() for m, pts in fr.demand.items()]
    for path, pts in schedules:
        for i in range(1, len(pts)):
            if not pts[i].date > pts[i - 1].date:
                add(
                    (
                        path + (i, "date"),
                        (
                            f"{pts[i].date} is not after the previous point's {pts[i - 1].date}; "
                            "expected dates in increasing order"
                        ),
                    )
                )
    for fid, f in s.factories.items():
        base = ("factories", fid)
        if (m := _ref("stockpile", f.stockpile, s.stockpiles)) is not None:
            add((base + ("stockpile",), m))
            continue
        st = s.stockpiles[f.stockpile]
        if f.side is not None and f.side != st.side:
            add(
                (
                    base + ("side",),
                    (
                        f"is {f.side!r} but stockpile {f.stockpile!r} belongs to {st.side!r}; "
                        "expected the same side (or leave 'side' out)"
                    ),
                )
            )
        if f.munition is not None and f.munition != st.munition:
            add(
                (
                    base + ("munition",),
                    (
                        f"is {f.munition!r} but stockpile {f.stockpile!r} holds {st.munition!r}; "
                        "expected the same munition (or leave 'munition' out)"
                    ),
                )
            )
        for i, inp in enumerate(f.inputs):
            path = base + ("inputs", i, "stockpile")
            if (m := _ref("stockpile", inp.stockpile, s.stockpiles)) is not None:
                add((path, m))
            elif inp.stockpile == f.stockpile:
                add((path, "is the factory's own output stockpile; expected a stockpile of components"))
            elif s.stockpiles[inp.stockpile].side != st.side:
                add(
                    (
                        path,
                        (
                            f"stockpile {inp.stockpile!r} belongs to {s.stockpiles[inp.stockpile].side!r}, not to "
                            f"{st.side!r}; a factory uses its own side's components"
                        ),
                    )
                )
            elif [x.stockpile for x in f.inputs].index(inp.stockpile) != i:
                add((path, f"stockpile {inp.stockpile!r} is listed twice; list each input once"))
    for tid, t in s.transfers.items():
        base = ("transfers", tid)
        to_ok = (m := _ref("stockpile", t.to, s.stockpiles)) is None
        if not to_ok:
            add((base + ("to",), m or ""))
        if t.from_stockpile is not None:
            if (m := _ref("stockpile", t.from_stockpile, s.stockpiles)) is not None:
                add((base + ("from_stockpile",), m))
            elif to_ok:
                src, dst = s.stockpiles[t.from_stockpile], s.stockpiles[t.to]
                if t.from_stockpile == t.to:
                    add((base + ("to",), "a transfer cannot ship into its own source stockpile"))
                elif src.munition != dst.munition:
                    add(
                        (
                            base + ("to",),
                            (
                                f"holds {dst.munition!r} but the source holds {src.munition!r}; "
                                "expected stockpiles of the same munition"
                            ),
                        )
                    )
        for i, p in enumerate(t.packages):
            if not s.start <= p.date <= s.end:
                add(
                    (
                        base + ("packages", i, "date"),
                        f"{p.date} is outside the scenario window {s.start}..{s.end}; expected a date inside it",
                    )
                )
    for fr_id, fr in s.fronts.items():
        base = ("fronts", fr_id)
        side_ok = (m := _ref("side", fr.side, s.sides)) is None
        if not side_ok:
            add((base + ("side",), m or ""))
        good: list[str] = []
        bad_entry = False  # an unknown or foreign stockpile was reported: skip the munition check below
        for i, sp in enumerate(fr.draws_from):
            if (m := _ref("stockpile", sp, s.stockpiles)) is not None:
                add((base + ("draws_from", i), m))
                bad_entry = True
            elif not side_ok:
                pass  # the unknown side is reported once; do not repeat it for each stockpile
            elif s.stockpiles[sp].side != fr.side:
                add(
                    (
                        base + ("draws_from", i),
                        (
                            f"stockpile {sp!r} belongs to {s.stockpiles[sp].side!r}, not to "
                            f"{fr.side!r}; a front draws only on its own side's stockpiles"
                        ),
                    )
                )
                bad_entry = True
            else:
                good.append(sp)
            if fr.draws_from.count(sp) > 1 and fr.draws_from.index(sp) != i:
                add((base + ("draws_from", i), f"stockpile {sp!r} is listed twice; list each once"))
        for mun, tubes in fr.tubes.items():
            path = base + ("tubes", mun)
            if mun not in fr.demand:
                add(
                    (
                        path,
                        (
                            f"the front has no demand for {mun!r}; expected one of its demand munitions "
                            f"({', '.join(sorted(fr.demand))})"
                        ),
                    )
                )
            elif (m := _ref("stockpile", tubes.stockpile, s.stockpiles)) is not None:
                add((path + ("stockpile",), m))
            elif side_ok and s.stockpiles[tubes.stockpile].side != fr.side:
                add(
                    (
                        path + ("stockpile",),
                        (
                            f"stockpile {tubes.stockpile!r} belongs to "
                            f"{s.stockpiles[tubes.stockpile].side!r}, not to {fr.side!r}; "
                            "expected the front's own barrels"
                        ),
                    )
                )
            elif tubes.stockpile in fr.draws_from:
                add(
                    (
                        path + ("stockpile",),
                        (
                            f"stockpile {tubes.stockpile!r} is one the front fires from; "
                            "expected a separate stockpile of barrels"
                        ),
                    )
                )
        for mun in fr.demand:
            if (m := _ref("munition", mun, s.munitions)) is not None:
                add((base + ("demand", mun), m))
            elif side_ok and not bad_entry and not any(s.stockpiles[sp].munition == mun for sp in good):
                add((base + ("demand", mun), f"no stockpile in draws_from holds {mun!r}; expected at least one"))
    out += _check_forces(s)
    max_days = limits().max_days
    if s.n_days > max_days:
        out.append(
            (
                ("end",),
                (
                    f"the horizon is {s.n_days:,} days, over the limit of {max_days:,}; expected a shorter "
                    "scenario, or set MUNISIM_MAX_DAYS higher"
                ),
            )
        )
    # Value bounds and provenance.
    for path, value in iter_values(s):
        name = next((p for p in reversed(path) if isinstance(p, str) and p in _BOUNDS), None)
        if "per_unit_schedule" in path:
            name = "per_unit"
        in_range = True
        if name is not None:
            what, lo, hi = _BOUNDS[name]
            vlo, vhi = value.support  # type: ignore[attr-defined]
            if vlo < lo or (hi is not None and vhi > hi):
                shown = f"{value.value:g}" if isinstance(value, Fixed) else f"{value!r} with support [{vlo:g}, {vhi:g}]"
                add((path, f"{shown} is out of range; expected {what}"))
                in_range = False
        if in_range and (m := _too_large(value)) is not None:
            add((path, m))
        src = value.source  # type: ignore[attr-defined]
        if src is not None:
            if figure_ids is None:
                add((path + ("source",), f"cites figure {src!r} but the scenario lists no 'figures' file"))
            elif src not in figure_ids:
                add((path + ("source",), f"unknown figure {src!r}{did_you_mean(src, figure_ids)}"))
    return out


#: Largest magnitude any scenario value may reach (rounds, rates, days...): far above any real figure, and
#: small enough that every count fits a 64-bit integer and every draw a Poisson or gamma sampler.
MAX_MAGNITUDE = 1e12


def _too_large(value: BaseModel) -> str | None:
    """A message when ``value`` can exceed :data:`MAX_MAGNITUDE` (a log-normal: its 1-in-3.5-million quantile)."""
    lo, hi = value.support  # type: ignore[attr-defined]
    if math.isinf(hi) and hasattr(value, "median"):
        try:
            hi = value.median * math.exp(5 * value.sigma)  # type: ignore[attr-defined]
        except OverflowError:
            hi = math.inf
    if hi > MAX_MAGNITUDE or lo < -MAX_MAGNITUDE:
        return f"{value!r} can reach {max(hi, -lo):.3g}; expected values of magnitude at most {MAX_MAGNITUDE:g}"
    return None


def _check_forces(s: Scenario) -> list[tuple[KeyPath, str]]:
    """Forces and engagements: sides, references, one engagement per force, dates inside the window."""
    out: list[tuple[KeyPath, str]] = []
    add = out.append
    for fid, f in s.forces.items():
        base = ("forces", fid)
        if (m := _ref("side", f.side, s.sides)) is not None:
            add((base + ("side",), m))
        # A validated reinforcement that is not a rate is a lump, with a date.
        lumps = [("reinforcements", i, cast(dt.date, r.date)) for i, r in enumerate(f.reinforcements) if not r.is_rate]
        lumps += [("withdrawals", i, w.date) for i, w in enumerate(f.withdrawals)]
        for name, i, date in lumps:
            if not s.start <= date <= s.end:
                add(
                    (
                        base + (name, i, "date"),
                        f"{date} is outside the scenario window {s.start}..{s.end}; expected a date inside it",
                    )
                )
    engaged: dict[str, str] = {}
    for eid, e in s.engagements.items():
        base = ("engagements", eid)
        ok = True
        for role in ("x", "y"):
            fid = getattr(e, role)
            if (m := _ref("force", fid, s.forces)) is not None:
                add((base + (role,), m))
                ok = False
            elif fid in engaged:
                add(
                    (
                        base + (role,),
                        (
                            f"force {fid!r} already fights in engagement {engaged[fid]!r}; "
                            "expected each force in at most one engagement"
                        ),
                    )
                )
            else:
                engaged[fid] = eid
        if ok and e.x == e.y:
            add((base + ("y",), f"is the same force as x ({e.x!r}); expected two forces"))
        elif ok and s.forces[e.x].side == s.forces[e.y].side:
            add(
                (
                    base + ("y",),
                    (
                        f"force {e.y!r} is on the same side as {e.x!r} ({s.forces[e.x].side!r}); "
                        "expected forces of two different sides"
                    ),
                )
            )
        for role, coupling in e.fires.items():
            path = base + ("fires", role, "front")
            if (m := _ref("front", coupling.front, s.fronts)) is not None:
                add((path, m))
            elif ok:
                force = s.forces[getattr(e, role)]
                if s.fronts[coupling.front].side != force.side:
                    add(
                        (
                            path,
                            (
                                f"front {coupling.front!r} belongs to {s.fronts[coupling.front].side!r} but force "
                                f"{getattr(e, role)!r} to {force.side!r}; expected a front of the force's side"
                            ),
                        )
                    )
    return out
