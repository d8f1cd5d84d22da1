"""The import layers: config -> model -> engines -> results -> experiments -> analysis/io/report -> cli.

Every import in src/munisim (including imports inside functions) may only
point to the same layer or a lower one; the two engines never import each
other; nothing imports the CLI.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "munisim"

#: Layer of each top-level module or package of munisim; higher layers may import lower ones.
LAYERS = {
    "errors": 0,
    "rng": 0,
    "limits": 0,
    "pids": 0,
    "config": 1,
    "model": 2,
    "engines": 3,
    "results": 4,
    "simulation": 4,
    "experiments": 5,
    "analysis": 6,
    "io": 6,
    "report": 6,
    "cli": 7,
    "__main__": 7,
}


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            out.append((node.lineno, name))
    return [(line, name) for line, name in out if name == "munisim" or name.startswith("munisim.")]


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


SOURCES = sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC)


def test_every_top_level_module_has_a_layer() -> None:
    names = {p.stem if p.parent == SRC else p.relative_to(SRC).parts[0] for p in SRC.rglob("*.py")}
    names.discard("__init__")
    assert names <= set(LAYERS), f"give these modules a layer: {sorted(names - set(LAYERS))}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down_the_layers(path: Path) -> None:
    here = _layer(_module_name(path))
    bad = []
    for line, target in _imports(path):
        there = _layer(target)
        if not there or there == here:
            continue
        if LAYERS[there] > LAYERS[here]:
            bad.append(f"line {line}: {target} (layer {LAYERS[there]}) from layer {LAYERS[here]}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_engines_do_not_import_each_other(path: Path) -> None:
    module = _module_name(path)
    for engine, other in (
        ("munisim.engines.des", "munisim.engines.vector"),
        ("munisim.engines.vector", "munisim.engines.des"),
    ):
        if module.startswith(engine):
            assert not any(t.startswith(other) for _, t in _imports(path)), f"{module} imports {other}"
