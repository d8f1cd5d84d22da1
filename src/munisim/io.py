"""Writing a run to disk, atomically.

A run directory is assembled in a hidden temporary sibling and renamed into
place only when every file is written, so an interrupted or failed run never
leaves a half-written directory.  An existing directory is replaced only when
it is a previous munisim run (it has a ``manifest.json``) or when forced.
The temporary sibling is named after the writing process, so a process killed
outright (SIGKILL, a power cut) leaves a hidden ``.NAME.PID.*.tmp`` that the
next write of the same directory removes once that process is gone.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from munisim.config.checks import iter_values
from munisim.config.scenario import Scenario
from munisim.errors import MunisimError
from munisim.pids import pid_alive

__all__ = [
    "atomic_directory",
    "remove_stale_siblings",
    "scenario_hash",
    "file_hash",
    "cited_figures",
    "resolved_scenario",
    "versions",
    "write_json",
    "OutputExistsError",
]


class OutputExistsError(MunisimError):
    """The output directory exists and is not a munisim run."""


def remove_stale_siblings(target: Path) -> list[Path]:
    """Remove the temporary siblings of ``target`` left by writers that no longer run; returns them.

    Parameters
    ----------
    target : Path
        The directory being written; its siblings ``.NAME.PID.*.tmp`` and
        ``.NAME.PID.old`` are considered.
    """
    removed: list[Path] = []
    if not target.parent.is_dir():
        return removed
    # Exactly this target's names (mkdtemp's 8 random characters have no dot), not those of "NAME.other".
    mine = re.compile(rf"\.{re.escape(target.name)}\.(\d+)\.(?:[a-z0-9_]{{8}}\.tmp|old)")
    for sibling in target.parent.glob(f".{target.name}.*"):
        m = mine.fullmatch(sibling.name)
        if m is None or not sibling.is_dir():
            continue
        pid = int(m.group(1))
        if pid != os.getpid() and not pid_alive(pid):
            shutil.rmtree(sibling, ignore_errors=True)
            removed.append(sibling)
    return removed


@contextmanager
def atomic_directory(target: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary directory that replaces ``target`` on success.

    On an exception the temporary directory is removed and ``target`` is left
    untouched.
    """
    target = Path(target)
    if target.exists():
        if not target.is_dir():
            raise OutputExistsError(f"{target}: exists and is not a directory; choose another --out")
        if not force and any(target.iterdir()) and not (target / "manifest.json").exists():
            raise OutputExistsError(
                f"{target}: exists and is not a munisim run directory; "
                "choose another --out or pass --force to replace it"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_siblings(target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.{os.getpid()}.old")
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON."""
    path.write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


def file_hash(path: str | Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the validated scenario's canonical JSON (independent of formatting and comments)."""
    return hashlib.sha256(scenario.model_dump_json(by_alias=True).encode()).hexdigest()


def cited_figures(scenario: Scenario) -> list[str]:
    """Sorted ids of every figure the scenario cites."""
    return sorted({v.source for _, v in iter_values(scenario) if v.source})  # type: ignore[attr-defined]


def _simplify(obj: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"value"}:
            return obj["value"]
        return {k: _simplify(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_simplify(v) for v in obj]
    return obj


def resolved_scenario(scenario: Scenario, *, figures_dir: Path | None = None) -> str:
    """The scenario with every default filled in, as YAML (it validates again).

    ``figures`` paths are made absolute against ``figures_dir`` so the file
    loads from wherever it is written.
    """
    data = _simplify(scenario.model_dump(mode="json", by_alias=True, exclude_none=True))
    if figures_dir is not None and data.get("figures"):
        data["figures"] = [str((figures_dir / f).resolve()) for f in data["figures"]]
    return "# Resolved scenario: the input with every default written out.\n" + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100
    )


def versions() -> dict[str, str]:
    """Versions of munisim, Python and the numerical packages."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("munisim", "numpy", "simpy", "scipy", "pydantic", "pandas"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            out[pkg] = "unknown"
    return out
