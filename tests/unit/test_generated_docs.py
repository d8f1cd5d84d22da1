"""The generated references are current, every schema key has help, and every page is in the docs index."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from munisim.cli import main
from munisim.config.schema import SCHEMA_KINDS
from munisim.config.schema_doc import schema_markdown

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate_docs", DOCS / "reference" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_references_are_current() -> None:
    stale = [p.name for p, text in _generator().outputs().items() if p.read_text(encoding="utf-8") != text]
    assert not stale, f"run python docs/reference/generate.py: {stale} are stale"


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_every_key_has_help(kind: str) -> None:
    schema = SCHEMA_KINDS[kind]()
    missing = []
    for name, model in {"(top level)": schema, **schema["$defs"]}.items():
        for target in [model, *(o for o in model.get("anyOf", []) if isinstance(o, dict))]:
            missing += [
                f"{name}.{key}" for key, prop in target.get("properties", {}).items() if not prop.get("description")
            ]
    assert not missing, f"keys without help (add a Field description or FIELD_HELP): {missing}"


@pytest.mark.parametrize("kind", sorted(SCHEMA_KINDS))
def test_reference_covers_every_model_and_key(kind: str) -> None:
    schema = SCHEMA_KINDS[kind]()
    text = schema_markdown(kind)
    for name in schema["$defs"]:
        assert re.search(rf"^##+ {name}$", text, re.M), name
    for key in schema["properties"]:
        assert f"| `{key}` |" in text, key


def test_schema_markdown_on_the_command_line() -> None:
    r = CliRunner().invoke(main, ["schema", "experiment", "--markdown"])
    assert r.exit_code == 0
    assert r.output == schema_markdown("experiment")


def test_every_page_is_in_the_index() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = {(DOCS / m).resolve() for m in re.findall(r"\]\(([^)#]+\.md)", index)}
    pages = {p.resolve() for p in DOCS.rglob("*.md") if p.name != "index.md"}
    assert pages <= linked, f"not linked from docs/index.md: {sorted(str(p.relative_to(DOCS)) for p in pages - linked)}"


def test_relative_links_resolve() -> None:
    broken = []
    for page in [ROOT / "README.md", *DOCS.rglob("*.md")]:
        for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not broken, broken
