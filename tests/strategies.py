"""Hypothesis strategies: random valid scenarios exercising every feature of the language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from munisim.config.checks import check_scenario
from munisim.config.scenario import Scenario

START = dt.date(2024, 1, 1)


def _date(offset: int) -> str:
    return (START + dt.timedelta(days=offset)).isoformat()


@st.composite
def values(draw: st.DrawFn, lo: float, hi: float, *, integer: bool = False) -> Any:
    """A plain number or a distribution inside [lo, hi]."""
    kind = draw(st.sampled_from(["plain", "plain", "uniform", "triangular", "pert", "normal", "lognormal"]))
    a = draw(st.floats(lo, hi, allow_nan=False))
    b = draw(st.floats(lo, hi, allow_nan=False))
    a, b = min(a, b), max(a, b)
    if kind == "plain":
        return round(a) if integer else a
    if kind == "uniform":
        return {"dist": "uniform", "low": a, "high": b}
    if kind in ("triangular", "pert"):
        return {"dist": kind, "low": a, "mode": (a + b) / 2, "high": b}
    if kind == "normal":
        return {"dist": "normal", "mean": (a + b) / 2, "sd": (b - a) / 4, "low": a, "high": b}
    if lo == 0 and hi > 1.0:
        # Support [0, inf): only where there is no upper bound.  The median must be positive: at least 1
        # even when b is 0 or subnormal.
        return {"dist": "lognormal", "median": max(b / 2, 1.0), "sigma": 0.3}
    return {"dist": "uniform", "low": a, "high": b}


@st.composite
def schedules(draw: st.DrawFn, n_days: int, hi: float) -> list[dict[str, Any]]:
    k = draw(st.integers(1, 4))
    offsets = sorted(set(draw(st.lists(st.integers(-30, n_days + 30), min_size=k, max_size=k))))
    return [{"date": _date(o), "rate": draw(values(0.0, hi))} for o in offsets]


@st.composite
def scenarios(draw: st.DrawFn, *, max_days: int = 120) -> Scenario:
    """A random valid scenario of 2 sides, 1-2 munitions, 2-4 stockpiles and every kind of component."""
    n_days = draw(st.integers(1, max_days))
    munitions = ["m152", "m155"][: draw(st.integers(1, 2))]
    sides = ["red", "blue"]
    stockpiles: dict[str, Any] = {}
    for side in sides:
        for m in munitions:
            for depot in range(draw(st.integers(1, 2))):
                sid = f"{side}_{m}_{depot}"
                sp: dict[str, Any] = {"side": side, "munition": m, "initial_rounds": draw(values(0, 500, integer=True))}
                if draw(st.booleans()):
                    sp["capacity_rounds"] = draw(values(0, 800, integer=True))
                if draw(st.booleans()):
                    sp["strikes"] = [
                        {"date": _date(draw(st.integers(0, n_days - 1))), "share": draw(values(0.0, 1.0))},
                        {"rate_per_year": draw(values(1.0, 120.0)), "share": draw(values(0.0, 1.0))},
                    ]
                    sp["strikes"] = draw(st.lists(st.sampled_from(sp["strikes"]), min_size=1, max_size=3))
                stockpiles[sid] = sp
    sp_ids = sorted(stockpiles)
    factories: dict[str, Any] = {}
    for i in range(draw(st.integers(0, 3))):
        f: dict[str, Any] = {
            "stockpile": draw(st.sampled_from(sp_ids)),
            "rate_unit": draw(st.sampled_from(["per_day", "per_month", "per_year"])),
            "interpolation": draw(st.sampled_from(["linear", "step"])),
        }
        scale = {"per_day": 60, "per_month": 1800, "per_year": 20000}[f["rate_unit"]]
        f["capacity"] = draw(schedules(n_days, scale))
        av = draw(st.sampled_from(["none", "share", "mtbf"]))
        if av == "share":
            f["availability"] = draw(values(0.0, 1.0))
        elif av == "mtbf":
            f["availability"] = {"mtbf_days": draw(values(1, 40)), "mttr_days": draw(values(1, 10))}
        f["uptime_noise"] = draw(st.booleans())
        f["lot_days"] = draw(st.sampled_from([1, 1, 3, 7]))
        own_side = [
            x for x in sp_ids if stockpiles[x]["side"] == stockpiles[f["stockpile"]]["side"] and x != f["stockpile"]
        ]
        if own_side and draw(st.booleans()):
            picked = draw(st.lists(st.sampled_from(own_side), min_size=1, max_size=2, unique=True))
            f["inputs"] = []
            for x in picked:
                if draw(st.booleans()):
                    f["inputs"].append({"stockpile": x, "per_unit": draw(st.sampled_from([1.0, 0.5, 1.25, 3.0]))})
                else:
                    late = {"date": _date(n_days), "rate": draw(values(1.0, 4.0))}
                    f["inputs"].append({"stockpile": x, "per_unit_schedule": [{"date": _date(0), "rate": 1.0}, late]})
        factories[f"fac{i}"] = f
    transfers: dict[str, Any] = {}
    for i in range(draw(st.integers(0, 4))):
        to = draw(st.sampled_from(sp_ids))
        same = [s for s in sp_ids if s != to and stockpiles[s]["munition"] == stockpiles[to]["munition"]]
        t: dict[str, Any] = {"to": to}
        if same and draw(st.booleans()):
            t["from_stockpile"] = draw(st.sampled_from(same))
            if draw(st.booleans()):
                t["share_of_inflow"] = draw(values(0.0, 1.0))
        else:
            t["from_external"] = "ally"
        if draw(st.booleans()) or "share_of_inflow" not in t:
            start = draw(st.integers(0, n_days))
            t["recurring"] = [
                {
                    "every_days": draw(values(1, 10, integer=True)),
                    "quantity": draw(values(0, 200)),
                    "start": _date(start),
                    "end": _date(start + draw(st.integers(0, n_days))),
                }
            ]
        if draw(st.booleans()):
            t["packages"] = [
                {"date": _date(draw(st.integers(0, n_days - 1))), "quantity": draw(values(0, 500))}
                for _ in range(draw(st.integers(1, 3)))
            ]
        t["lead_time_days"] = draw(values(1, 20, integer=True))
        t["loss_share"] = draw(values(0.0, 1.0))
        if draw(st.booleans()):
            a = draw(st.integers(-5, n_days))
            t["suspensions"] = [{"start": _date(a), "end": _date(a + draw(st.integers(0, 30)))}]
        transfers[f"tr{i}"] = t
    fronts: dict[str, Any] = {}
    for side in sides:
        if not draw(st.booleans()):
            continue
        own = [s for s in sp_ids if stockpiles[s]["side"] == side]
        draws_from = draw(st.permutations(own))[: draw(st.integers(1, len(own)))]
        muns = sorted({stockpiles[s]["munition"] for s in draws_from})
        fr: dict[str, Any] = {
            "side": side,
            "draws_from": list(draws_from),
            "demand": {m: draw(schedules(n_days, 50)) for m in muns},
            "activity": draw(st.sampled_from([1.0, 1.0, 0.6])),
        }
        noise = draw(st.sampled_from(["none", "poisson", "nb"]))
        if noise == "poisson":
            fr["demand_noise"] = {"dist": "poisson"}
        elif noise == "nb":
            fr["demand_noise"] = {"dist": "negative_binomial", "dispersion": draw(st.floats(0.5, 50))}
        fr["rationing"] = [
            {"below_days": draw(values(0, 30)), "fire_share": draw(values(0.0, 1.0))}
            for _ in range(draw(st.integers(0, 2)))
        ]
        barrels = [x for x in own if x not in draws_from]
        if barrels and draw(st.booleans()):
            fr["tubes"] = {
                muns[0]: {
                    "stockpile": draw(st.sampled_from(barrels)),
                    "rounds_per_barrel": draw(values(1.0, 60.0)),
                    "max_rounds_per_tube_per_day": draw(values(0.0, 5.0)),
                }
            }
        fronts[f"{side}_front"] = fr
    forces: dict[str, Any] = {}
    engagements: dict[str, Any] = {}
    if draw(st.booleans()):
        for side in sides:
            force: dict[str, Any] = {"side": side, "initial_strength": draw(values(0, 1000))}
            items: list[dict[str, Any]] = []
            for _ in range(draw(st.integers(0, 2))):
                a = draw(st.integers(-10, n_days))
                items.append(
                    {
                        "start": _date(a),
                        "end": _date(a + draw(st.integers(0, n_days))),
                        "rate_per_day": draw(values(0, 30)),
                    }
                )
            for _ in range(draw(st.integers(0, 2))):
                items.append({"date": _date(draw(st.integers(0, n_days - 1))), "amount": draw(values(0, 300))})
            force["reinforcements"] = draw(st.permutations(items))
            force["withdrawals"] = [
                {"date": _date(draw(st.integers(0, n_days - 1))), "amount": draw(values(0, 400))}
                for _ in range(draw(st.integers(0, 1)))
            ]
            forces[f"{side}_army"] = force
        law = draw(st.sampled_from(["square", "linear", "logarithmic", "general"]))
        # Coefficients per day scaled to the law: linear-law losses grow with x * y.
        hi = {"square": 0.05, "linear": 0.0001, "logarithmic": 0.05, "general": 0.001}[law]
        eng: dict[str, Any] = {
            "x": "red_army",
            "y": "blue_army",
            "law": law,
            "a": draw(values(0.0, hi)),
            "b": draw(values(0.0, hi)),
        }
        if law == "general":
            eng["p"] = draw(st.sampled_from([0.5, 1.0]))
            eng["q"] = draw(st.sampled_from([0.0, 0.5, 1.0]))
        if draw(st.booleans()):
            a = draw(st.integers(-5, n_days))
            eng["start"] = _date(a)
            if draw(st.booleans()):
                eng["end"] = _date(a + draw(st.integers(0, n_days)))
        if draw(st.booleans()):
            eng["breakpoint"] = {"x": draw(values(0.0, 0.9)), "y": draw(values(0.0, 0.9))}
        fires: dict[str, Any] = {}
        for role, side in (("x", "red"), ("y", "blue")):
            if f"{side}_front" in fronts and draw(st.booleans()):
                fires[role] = {
                    "front": f"{side}_front",
                    "floor": draw(values(0.0, 1.0)),
                    "exponent": draw(values(0.0, 2.0)),
                }
        if fires:
            eng["fires"] = fires
        engagements["battle"] = eng
    data = {
        "name": "generated",
        "start": START.isoformat(),
        "end": (START + dt.timedelta(days=n_days - 1)).isoformat(),
        "munitions": {m: {"component": draw(st.sampled_from([False, False, True]))} for m in munitions},
        "sides": {s: {} for s in sides},
        "stockpiles": stockpiles,
        "factories": factories,
        "transfers": transfers,
        "fronts": fronts,
        "forces": forces,
        "engagements": engagements,
    }
    scenario = Scenario.model_validate(data)
    problems = check_scenario(scenario, None)
    assert not problems, problems
    return scenario
