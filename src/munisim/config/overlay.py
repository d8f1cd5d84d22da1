"""Scenario variants: a file that ``extends`` a parent scenario and overrides some of its keys.

A variant names its parent with ``extends`` (a path relative to the variant;
the parent may extend another file in turn) and is merged into it:

* mappings merge key by key; a list or a scalar replaces the parent's value;
* ``set`` then assigns values at key paths (``a.b[3].c: value``, the key paths
  of ``munisim run --set``), for edits inside lists.

The result is one :class:`~munisim.config.yamlload.Located` document whose
marks point into the file each value came from, so that a problem in a value
of the parent is reported at the parent's line and one in a value the variant
wrote at the variant's.  Relative ``figures`` paths of a parent are rewritten
to resolve from the variant's directory.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from pathlib import Path
from typing import Any

from munisim.config.checks import did_you_mean
from munisim.config.yamlload import KeyPath, Located, format_path, is_file, load_yaml, parse_key_path
from munisim.errors import ScenarioError

__all__ = ["OVERLAY_KEYS", "MAX_DEPTH", "has_overlay", "resolve_overlay", "parent_files"]

#: Top-level keys consumed by the overlay step (not part of the scenario model).
OVERLAY_KEYS = ("extends", "set")
#: Longest chain of ``extends`` accepted.
MAX_DEPTH = 8


def has_overlay(doc: Located) -> bool:
    """Whether ``doc`` is a variant: a mapping with ``extends`` or ``set`` at the top level."""
    return isinstance(doc.data, dict) and any(k in doc.data for k in OVERLAY_KEYS)


def resolve_overlay(doc: Located, base_dir: Path | None) -> Located:
    """Merge a variant into its parents and apply its ``set`` assignments.

    Parameters
    ----------
    doc : Located
        The variant as read from its file; it is not modified.
    base_dir : Path or None
        Directory of the variant's file: ``extends`` and the rewritten
        ``figures`` paths are relative to it.  ``None`` when the document was
        not read from a file (``extends`` is then an error).

    Returns
    -------
    Located
        The merged document, without ``extends`` and ``set``, with per-key-path
        files (:attr:`Located.files`); ``doc`` itself when it is not a variant.

    Raises
    ------
    ScenarioError
        A missing parent, a cycle, a chain deeper than :data:`MAX_DEPTH`, a
        parent that is not a mapping, a malformed ``set``, or a problem in a
        parent file; each located in the file and line that caused it.
    """
    if not has_overlay(doc):
        return doc
    here = Path(doc.file).resolve() if base_dir is not None and is_file(doc.file) else None
    return _resolve(doc, base_dir, [(here, doc.file)])


def parent_files(path: str | Path) -> list[Path]:
    """Files a scenario file extends, nearest first (empty for a plain scenario).

    Follows ``extends`` without validating anything; stops at the first
    missing, unreadable or repeated file.
    """
    out: list[Path] = []
    current = Path(path).resolve()
    seen = {current}
    for _ in range(MAX_DEPTH):
        try:
            data = load_yaml(current).data
        except ScenarioError:
            break
        target = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(target, str) or not target.strip():
            break
        nxt = (current.parent / target).resolve()
        if nxt in seen or not is_file(nxt):
            break
        out.append(nxt)
        seen.add(nxt)
        current = nxt
    return out


# --- resolution ------------------------------------------------------------------------------------


def _resolve(doc: Located, base_dir: Path | None, chain: list[tuple[Path | None, str]]) -> Located:
    """Resolve ``doc`` (a variant or a plain file) read from the last file of ``chain``."""
    data = doc.data
    if not has_overlay(doc):
        return doc
    if "extends" in data:
        parent_path, shown = _parent_path(doc, base_dir, chain)
        parent = _load(parent_path, shown)
        parent = _resolve(parent, parent_path.parent, chain + [(parent_path, shown)])
        if not isinstance(parent.data, dict):
            raise ScenarioError(
                [parent.problem((), "expected a mapping of scenario keys to extend (name, start, end, munitions, ...)")]
            )
        assert base_dir is not None  # checked by _parent_path
        merged = _from_parent(parent, doc, parent_path.parent, base_dir)
        _merge(merged, doc, (), merged.data, data)
    else:
        merged = _without_overlay_keys(doc)
    if "set" in data:
        _apply_set(merged, doc)
    return merged


def _parent_path(doc: Located, base_dir: Path | None, chain: list[tuple[Path | None, str]]) -> tuple[Path, str]:
    """The parent file named by ``doc``'s ``extends``: (path to read, name for messages)."""
    target = doc.data["extends"]
    where = ("extends",)
    if not isinstance(target, str) or not target.strip():
        raise ScenarioError(
            [
                doc.problem(
                    where, f"expected the path of the parent scenario file, relative to this file (got {target!r})"
                )
            ]
        )
    if base_dir is None:
        raise ScenarioError(
            [
                doc.problem(
                    where, "'extends' needs the scenario to be read from a file; expected a path to a scenario file"
                )
            ]
        )
    if len(chain) > MAX_DEPTH:
        raise ScenarioError(
            [
                doc.problem(
                    where, f"more than {MAX_DEPTH} levels of 'extends'; expected a shorter chain of parent scenarios"
                )
            ]
        )
    path = base_dir / target
    shown = (
        os.path.normpath(os.path.join(os.path.dirname(doc.file), target))
        if is_file(doc.file)
        else os.path.normpath(path)
    )
    if not is_file(path):
        raise ScenarioError(
            [
                doc.problem(
                    where,
                    f"parent scenario {target!r} not found (looked for {shown}); expected a path relative to this file",
                )
            ]
        )
    real = path.resolve()
    seen = [p for p, _ in chain]
    if real in seen:
        names = [name for _, name in chain[seen.index(real) :]] + [shown]
        raise ScenarioError(
            [
                doc.problem(
                    where,
                    f"'extends' cycle: {' -> '.join(names)}; expected a chain of parents that ends in a plain scenario",
                )
            ]
        )
    return real, shown


def _load(path: Path, shown: str) -> Located:
    """Read ``path``, naming it ``shown`` in the document and its problems."""
    try:
        doc = load_yaml(path)
    except ScenarioError as exc:
        raise ScenarioError(
            [dataclasses.replace(p, file=shown) if p.file == str(path) else p for p in exc.problems]
        ) from None
    doc.file = shown
    return doc


def _without_overlay_keys(doc: Located) -> Located:
    """A copy of ``doc`` without its top-level ``extends`` and ``set``."""

    def keep(p: KeyPath) -> bool:
        return not (p and p[0] in OVERLAY_KEYS)

    data = {k: copy.deepcopy(v) for k, v in doc.data.items() if k not in OVERLAY_KEYS}
    return Located(
        data,
        doc.file,
        {p: m for p, m in doc.value_marks.items() if keep(p)},
        {p: m for p, m in doc.key_marks.items() if keep(p)},
        {p: f for p, f in doc.files.items() if keep(p)},
    )


def _from_parent(parent: Located, variant: Located, parent_dir: Path, variant_dir: Path) -> Located:
    """A copy of the resolved ``parent`` to merge ``variant`` into: its root and file are the variant's."""
    data = copy.deepcopy(parent.data)
    files: dict[KeyPath, str] = {(k,): parent.file for k in data}
    files.update((p, f) for p, f in parent.files.items() if p)
    merged = Located(data, variant.file, dict(parent.value_marks), dict(parent.key_marks), files)
    if () in variant.value_marks:
        merged.value_marks[()] = variant.value_marks[()]
    figures = data.get("figures")
    if isinstance(figures, str):
        data["figures"] = _rebase(figures, parent_dir, variant_dir)
    elif isinstance(figures, list):
        data["figures"] = [_rebase(f, parent_dir, variant_dir) if isinstance(f, str) else f for f in figures]
    return merged


def _rebase(rel: str, parent_dir: Path, variant_dir: Path) -> str:
    """``rel`` (relative to ``parent_dir``) made relative to ``variant_dir``; absolute paths are kept."""
    if os.path.isabs(rel):
        return rel
    try:
        return Path(os.path.relpath(os.path.join(parent_dir, rel), variant_dir)).as_posix()
    except ValueError:  # pragma: no cover - different drives on Windows
        return rel


def _merge(into: Located, over: Located, path: KeyPath, target: dict[str, Any], source: dict[str, Any]) -> None:
    """Deep-merge ``source`` (at ``path`` in ``over``) into ``target`` (at ``path`` in ``into``)."""
    for key, value in source.items():
        if not path and key in OVERLAY_KEYS:
            continue
        child = path + (key,)
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(into, over, child, target[key], value)  # the mapping keeps the parent's position
        else:
            target[key] = copy.deepcopy(value)
            _graft(into, over, child, child)


def _graft(into: Located, src: Located, src_path: KeyPath, dst_path: KeyPath) -> None:
    """Make the marks and files of ``dst_path`` in ``into`` those of ``src_path`` in ``src``."""
    n = len(dst_path)
    for table in (into.value_marks, into.key_marks, into.files):
        for p in [p for p in table if p[:n] == dst_path]:
            del table[p]
    m = len(src_path)
    for mine, theirs in ((into.value_marks, src.value_marks), (into.key_marks, src.key_marks)):
        for p, mark in theirs.items():
            if p[:m] == src_path:
                mine[dst_path + p[m:]] = mark
    into.files[dst_path] = src.file_of(src_path)
    into.files.update((dst_path + p[m:], f) for p, f in src.files.items() if p[:m] == src_path and len(p) > m)


def _apply_set(merged: Located, variant: Located) -> None:
    """Apply the variant's ``set`` assignments to ``merged`` in place, in file order."""
    sets = variant.data["set"]
    if sets is None:
        return
    if not isinstance(sets, dict):
        raise ScenarioError(
            [
                variant.problem(
                    ("set",),
                    "expected a mapping of KEY.PATH: VALUE assignments, e.g. 'factories.f.capacity[3].rate: 1000'",
                )
            ]
        )
    problems = []
    for text, value in sets.items():
        where = ("set", text)
        try:
            path = parse_key_path(text)
        except ValueError as exc:
            problems.append(variant.problem(where, str(exc), key=True))
            continue
        if path[0] in OVERLAY_KEYS:
            problems.append(
                variant.problem(where, f"'{path[0]}' cannot be set; expected a key path of the scenario", key=True)
            )
            continue
        found = _container(merged.data, path)
        if isinstance(found, str):
            problems.append(variant.problem(where, found, key=True))
            continue
        found[path[-1]] = copy.deepcopy(value)
        _graft(merged, variant, where, path)
    if problems:
        raise ScenarioError(problems)


def _container(data: Any, path: KeyPath) -> Any:
    """The mapping or list that holds the last part of ``path``, or a message saying why there is none.

    Every part but the last must exist; the last may be a new key of a
    mapping or must be an existing list index (as for ``--set``).
    """
    node = data
    for i, part in enumerate(path):
        last = i == len(path) - 1
        in_map = isinstance(node, dict) and isinstance(part, str) and (last or part in node)
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_list:
            if last:
                return node
            node = node[part]
        else:
            under = format_path(path[:i]) or "the top level"
            if isinstance(node, list):
                return f"no index [{part}] under {under} (it has {len(node)} items); expected an existing item"
            if isinstance(node, dict):
                return f"no {part!r} under {under}{did_you_mean(str(part), list(node))}"
            return f"{under} is a single value, not a mapping or list; expected a key path that exists"
    return "empty key path"  # pragma: no cover - parse_key_path never returns one
