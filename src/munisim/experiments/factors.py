"""Apply factor values to a scenario document (before validation).

Factors act on the plain YAML data of the scenario, so every sample is
validated exactly like a file a user wrote: an invalid combination of values
becomes a recorded error for that sample, never a silent clamp.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

from munisim.config.experiment import Factor
from munisim.config.loader import parse_key_path
from munisim.config.yamlload import KeyPath, format_path

__all__ = ["apply_factors", "resolve", "AMOUNT_KEYS", "DATE_KEYS", "FactorError"]

#: Keys whose numbers ``scale`` multiplies (as plain numbers or as distributions).
AMOUNT_KEYS = frozenset({"rate", "quantity", "initial_rounds", "capacity_rounds"})
#: Parameters of a distribution that carry its unit (``sigma``, ``lamb`` are unit-free).
_SCALED_PARAMS = ("value", "low", "mode", "high", "mean", "sd", "median")
#: Keys whose dates ``shift_days`` moves.
DATE_KEYS = frozenset({"date", "start", "end"})


class FactorError(ValueError):
    """A factor's key path does not exist in the scenario or cannot take its value."""


def resolve(data: Any, path: KeyPath) -> tuple[Any, str | int]:
    """The container holding ``path``'s last part, and that part; raises FactorError if absent."""
    parent = data
    for i, part in enumerate(path[:-1]):
        try:
            parent = parent[part]
        except (KeyError, IndexError, TypeError):
            raise FactorError(f"{format_path(path[: i + 1])} is not in the scenario") from None
    last = path[-1]
    try:
        parent[last]
    except (KeyError, IndexError, TypeError):
        raise FactorError(f"{format_path(path)} is not in the scenario") from None
    return parent, last


def _scale_amount(value: Any, k: float) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value * k
    if isinstance(value, dict):
        return {
            key: (v * k if key in _SCALED_PARAMS and isinstance(v, (int, float)) else v) for key, v in value.items()
        }
    return value


def _scale(node: Any, k: float, key: str | int | None = None) -> Any:
    if key in AMOUNT_KEYS:
        return _scale_amount(node, k)
    if isinstance(node, dict):
        return {kk: _scale(v, k, kk) for kk, v in node.items()}
    if isinstance(node, list):
        return [_scale(v, k) for v in node]
    return node


def _shift(node: Any, days: int, key: str | int | None = None) -> Any:
    if key in DATE_KEYS and isinstance(node, dt.date):
        return node + dt.timedelta(days=days)
    if key in DATE_KEYS and isinstance(node, str):
        try:
            return (dt.date.fromisoformat(node) + dt.timedelta(days=days)).isoformat()
        except ValueError:
            return node
    if isinstance(node, dict):
        return {kk: _shift(v, days, kk) for kk, v in node.items()}
    if isinstance(node, list):
        return [_shift(v, days) for v in node]
    return node


def apply_factors(
    data: Mapping[str, Any], factors: Mapping[str, Factor], values: Mapping[str, float]
) -> dict[str, Any]:
    """A copy of scenario ``data`` with every factor set to its value.

    Parameters
    ----------
    data : mapping
        The scenario as plain YAML data.
    factors : mapping
        Factor name -> :class:`~munisim.config.experiment.Factor`.
    values : mapping
        Factor name -> value (a multiplier for ``scale``, days for ``shift_days``).

    Raises
    ------
    FactorError
        When a factor's key path is not in the scenario.
    """
    out = copy.deepcopy(dict(data))
    for name, factor in factors.items():
        x = float(values[name])
        parent, last = resolve(out, parse_key_path(factor.target))
        if factor.kind == "path":
            parent[last] = x
        elif factor.kind == "scale":
            parent[last] = _scale(parent[last], x, last)
        else:
            parent[last] = _shift(parent[last], round(x), last)
    return out
