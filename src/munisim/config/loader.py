"""Load a scenario file into a validated :class:`~munisim.config.scenario.Scenario`.

The loader is the only place where YAML becomes a model.  It collects every
problem of a file (syntax, schema, references, ranges, provenance) and raises
one :class:`~munisim.errors.ScenarioError` with a line per problem, in file
order, each as ``FILE:LINE:COL: key.path: what is wrong, what is expected``.
"""

from __future__ import annotations

import copy
import os
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from munisim.config.checks import check_scenario, did_you_mean
from munisim.config.figures import FigureSet
from munisim.config.overlay import has_overlay, resolve_overlay
from munisim.config.scenario import InvalidId, Scenario
from munisim.config.values import DIST_TAGS
from munisim.config.yamlload import KeyPath, Located, format_path, is_file, load_yaml, parse_key_path, parse_yaml
from munisim.errors import Problem, ScenarioError

__all__ = ["load_scenario", "load_figures", "parse_key_path", "apply_overrides", "scenario_from_located"]


def _is_index(node: Any, key: str | int) -> bool:
    """Whether ``key`` is an index of the list ``node``."""
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)


def apply_overrides(doc: Located, overrides: Sequence[str]) -> set[KeyPath]:
    """Apply ``key.path=value`` overrides to ``doc.data`` in place.

    The value is read as YAML (``3``, ``2024-05-01``, ``{dist: uniform, low: 1, high: 2}``).
    Returns the overridden paths.  Raises :class:`ScenarioError` naming
    ``<--set>`` for an override that cannot be applied.
    """
    problems: list[Problem] = []
    done: set[KeyPath] = set()
    for text in overrides:
        where = f"<--set {text}>"
        if "=" not in text:
            problems.append(Problem(where, None, None, "", "expected KEY.PATH=VALUE"))
            continue
        key, raw = text.split("=", 1)
        try:
            path = parse_key_path(key)
            value = parse_yaml(raw, where).data
        except ValueError as exc:
            problems.append(Problem(where, None, None, key, str(exc)))
            continue
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        parent: Any = doc.data
        ok = isinstance(parent, dict)
        for i, part in enumerate(path[:-1]):
            if (isinstance(parent, dict) and isinstance(part, str) and part in parent) or _is_index(parent, part):
                parent = parent[part]
            else:
                ok = False
                choices = list(parent) if isinstance(parent, dict) else []
                problems.append(
                    Problem(
                        where,
                        None,
                        None,
                        format_path(path[: i + 1]),
                        f"no such key in the scenario{did_you_mean(str(part), choices)}",
                    )
                )
                break
        if not ok:
            continue
        last = path[-1]
        if (isinstance(parent, dict) and isinstance(last, str)) or _is_index(parent, last):
            parent[last] = value
        else:
            problems.append(
                Problem(where, None, None, key, "cannot set this key; expected an existing list index or a mapping key")
            )
            continue
        done.add(path)
    if problems:
        raise ScenarioError(problems)
    return done


# --- mapping pydantic errors onto the YAML document -----------------------------------------------


def _unwrap(tp: Any) -> list[Any]:
    """Concrete types behind Annotated/Optional/Union."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for a in typing.get_args(tp):
            if a is not type(None):
                out.extend(_unwrap(a))
        return out
    return [tp]


def _fields_at(root: type[BaseModel], loc: KeyPath) -> list[str] | None:
    """Field names of the model found by following ``loc`` from ``root`` (None if not a model)."""
    current: list[Any] = [root]
    for part in loc:
        nxt: list[Any] = []
        for tp in current:
            origin = typing.get_origin(tp)
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                if isinstance(part, str) and part in tp.model_fields:
                    nxt.extend(_unwrap(tp.model_fields[part].annotation))
                elif isinstance(part, str):
                    for f in tp.model_fields.values():
                        if f.alias == part:
                            nxt.extend(_unwrap(f.annotation))
            elif origin is list and isinstance(part, int):
                nxt.extend(_unwrap(typing.get_args(tp)[0]))
            elif origin is dict:
                nxt.extend(_unwrap(typing.get_args(tp)[1]))
        current = nxt
    names: list[str] = []
    for tp in current:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            for name, f in tp.model_fields.items():
                names.append(f.alias or name)
    return sorted(set(names)) or None


def _clean_loc(loc: tuple[Any, ...]) -> KeyPath:
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (part in DIST_TAGS or part.startswith(("function-", "tagged-union["))):
            continue
        out.append(part)
    return tuple(out)


def _message(err: ErrorDetails, loc: KeyPath, root: type[BaseModel]) -> tuple[str, bool]:
    kind = err["type"]
    msg = str(err["msg"])
    if kind == "missing":
        return "required key is missing", False
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        names = _fields_at(root, loc[:-1]) or []
        hint = did_you_mean(key, names)
        allowed = f" (expected one of: {', '.join(names)})" if names and not hint else ""
        return f"unknown key {key!r}{hint}{allowed}", True
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    value = err.get("input")
    if kind not in ("value_error", "invalid_distribution") and not isinstance(value, (dict, list)):
        msg += f" (got {value!r})"  # a long text is shortened by Problem
        expected = (err.get("ctx") or {}).get("expected")
        if kind == "literal_error" and isinstance(value, str) and isinstance(expected, str):
            msg += did_you_mean(value, re.findall(r"'([^']*)'", expected))
    elif kind == "invalid_distribution" and isinstance(value, dict) and "dist" in value:
        msg = f"unknown distribution {value['dist']!r}{did_you_mean(str(value['dist']), DIST_TAGS[1:])}; {msg}"
    return msg[:1].lower() + msg[1:], False


def _problems_from_validation(
    exc: ValidationError, doc: Located, root: type[BaseModel], overridden: set[KeyPath]
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = _clean_loc(err["loc"])
        message, at_key = _message(err, loc, root)
        bad = (err.get("ctx") or {}).get("error")
        if isinstance(bad, InvalidId) and loc + (bad.key,) in doc.key_marks:
            # The error is on the whole mapping (e.g. 'factories'); point at the line of the bad id itself.
            line, col = doc.key_marks[loc + (bad.key,)]
            problems.append(Problem(doc.file_of(loc + (bad.key,)), line, col, format_path(loc), message))
            continue
        problems.append(_locate(doc, loc, message, at_key, overridden))
    return problems


def _locate(doc: Located, loc: KeyPath, message: str, at_key: bool, overridden: set[KeyPath]) -> Problem:
    for p in overridden:
        if loc[: len(p)] == p:
            return Problem(f"<--set {format_path(p)}>", None, None, format_path(loc), message)
    # Show the key path as the user wrote it: drop trailing parts that are not in the file
    # (e.g. the implicit 'value' of a plain number), unless the error is about a missing key.
    shown = loc
    if "required" not in message:
        while shown and shown not in doc.value_marks:
            shown = shown[:-1]
    return doc.problem(shown if shown else loc, message, key=at_key)


def _sort_key(p: Problem) -> tuple[str, int, int]:
    return (p.file, p.line or 0, p.column or 0)


def _shown(path: str | Path) -> str:
    """How to name a file in problems: relative to the working directory when it lies below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)
    return str(path) if rel.startswith("..") else rel


def load_figures(paths: Sequence[str | Path]) -> FigureSet:
    """Load and merge figures files; raises :class:`ScenarioError` on any problem."""
    result: FigureSet | None = None
    for path in paths:
        doc = load_yaml(path, name=_shown(path))
        if not isinstance(doc.data, dict):
            raise ScenarioError(
                [doc.problem((), "expected a figures file: a mapping with 'figures' by id, like seeds/figures.yaml")]
            )
        try:
            fs = FigureSet.model_validate(doc.data)
        except ValidationError as exc:
            raise ScenarioError(sorted(_problems_from_validation(exc, doc, FigureSet, set()), key=_sort_key)) from None
        result = fs if result is None else result.merged(fs)
    return result if result is not None else FigureSet(figures={})


def scenario_from_located(
    doc: Located,
    base_dir: Path | None,
    overridden: set[KeyPath] = frozenset(),  # type: ignore[assignment]
    *,
    figure_ids: set[str] | None = None,
) -> Scenario:
    """Validate a parsed document into a :class:`Scenario` (see :func:`load_scenario`).

    ``figure_ids``, when given, are the known figure ids (the figures files
    are then not read: used where they are not at hand, e.g. on sweep workers).
    A variant (a document with ``extends`` or ``set``, see
    :mod:`munisim.config.overlay`) is resolved first, in place: ``doc`` then
    holds the merged scenario, its marks and the file of each value.
    """
    if has_overlay(doc):
        merged = resolve_overlay(doc, base_dir)
        doc.data, doc.value_marks, doc.key_marks, doc.files = (
            merged.data,
            merged.value_marks,
            merged.key_marks,
            merged.files,
        )
    if not isinstance(doc.data, dict):
        raise ScenarioError([doc.problem((), "expected a mapping of scenario keys (name, start, end, munitions, ...)")])
    try:
        scenario = Scenario.model_validate(doc.data)
    except ValidationError as exc:
        raise ScenarioError(
            sorted(_problems_from_validation(exc, doc, Scenario, set(overridden)), key=_sort_key)
        ) from None
    if figure_ids is None and scenario.figures:
        paths = []
        for i, rel in enumerate(scenario.figures):
            p = (base_dir / rel) if base_dir is not None else Path(rel)
            if not is_file(p):
                raise ScenarioError(
                    [
                        doc.problem(
                            ("figures", i)
                            if len(doc.data.get("figures", [])) and isinstance(doc.data.get("figures"), list)
                            else ("figures",),
                            f"figures file {rel!r} not found next to the scenario; "
                            "expected a path relative to the scenario file",
                        )
                    ]
                )
            paths.append(p)
        figure_ids = set(load_figures(paths).figures)
    known = figure_ids if scenario.figures else None
    problems = [_locate(doc, path, msg, False, set(overridden)) for path, msg in check_scenario(scenario, known)]
    if problems:
        raise ScenarioError(sorted(problems, key=_sort_key))
    return scenario


def load_scenario(path: str | Path, *, overrides: Sequence[str] = ()) -> Scenario:
    """Load, override and validate a scenario file.

    A variant file (``extends: parent.yaml`` and/or ``set:``) is merged into
    its parents first (see :mod:`munisim.config.overlay`); the overrides
    apply to the merged scenario.

    Parameters
    ----------
    path : str or Path
        A YAML scenario file, or a variant of one.
    overrides : sequence of str, optional
        ``key.path=value`` assignments applied before validation, e.g.
        ``["fronts.ru.demand.152mm[0].rate=25000"]``.

    Returns
    -------
    Scenario
        The validated, frozen scenario.

    Raises
    ------
    ScenarioError
        With one :class:`~munisim.errors.Problem` per mistake.
    """
    base_dir = Path(path).resolve().parent
    doc = resolve_overlay(load_yaml(path), base_dir)
    overridden: set[KeyPath] = set()
    if overrides:
        doc.data = copy.deepcopy(doc.data)
        overridden = apply_overrides(doc, overrides)
    return scenario_from_located(doc, base_dir, overridden)
