"""The file references of docs/reference/, written from the JSON Schemas.

:func:`schema_markdown` renders a schema of :mod:`munisim.config.schema` as
Markdown: the top-level keys, then one section per model (a stockpile, a
factory, ...) with a table of its keys, their types, defaults and meaning.
Because the schemas come from the models the loader validates with, the
reference cannot drift from what munisim accepts; a test checks that the
committed files are current (``munisim schema KIND --markdown`` regenerates
them).
"""

from __future__ import annotations

import json
from typing import Any

from munisim.config.schema import SCHEMA_KINDS

__all__ = ["schema_markdown"]

#: Models that are ways of writing one (possibly uncertain) value.
VALUE_MODELS = ("Fixed", "Uniform", "Triangular", "Normal", "LogNormal", "Pert")


def _anchor(name: str) -> str:
    return name.lower()


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _refs(options: list[dict[str, Any]]) -> set[str]:
    return {o["$ref"].rsplit("/", 1)[-1] for o in options if "$ref" in o}


def _type(prop: dict[str, Any]) -> str:
    """A short Markdown rendering of a property's type."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return "[value](#values)" if name in VALUE_MODELS else f"[{name}](#{_anchor(name)})"
    options = prop.get("anyOf") or prop.get("oneOf")
    if options:
        options = [o for o in options if o.get("type") != "null"]
        if _refs(options) >= {"Fixed", "Uniform", "Triangular", "Pert"}:  # a value, maybe with other forms
            rest = [o for o in options if _refs([o]).isdisjoint(VALUE_MODELS)]
            return " or ".join(["[value](#values)", *(_type(o) for o in rest)])
        return " or ".join(dict.fromkeys(_type(o) for o in options))
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if kind == "object":
        inner = prop.get("additionalProperties")
        return f"mapping of id to {_type(inner)}" if isinstance(inner, dict) else "mapping"
    if kind == "string" and prop.get("format") == "date":
        return "date (YYYY-MM-DD)"
    return {"string": "text", "number": "number", "integer": "integer", "boolean": "true/false"}.get(str(kind), "any")


def _bounds(prop: dict[str, Any]) -> str:
    parts = []
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in prop:
            parts.append(f"{sign} {prop[key]:g}")
    if "minItems" in prop:
        parts.append(f"at least {prop['minItems']} item{'s' if prop['minItems'] != 1 else ''}")
    if "minProperties" in prop:
        parts.append(f"at least {prop['minProperties']} entr{'ies' if prop['minProperties'] != 1 else 'y'}")
    return ", ".join(parts)


def _default(name: str, prop: dict[str, Any], required: set[str]) -> str:
    if name in required:
        return "**required**"
    if "default" not in prop or prop["default"] is None:
        return "optional"
    value = prop["default"]
    if isinstance(value, dict) and value.get("dist") == "fixed":
        value = value.get("value")
    if value in ([], {}):
        return "none"
    return f"`{json.dumps(value) if not isinstance(value, str) else value}`"


def _table(model: dict[str, Any]) -> list[str]:
    props = model.get("properties", {})
    required = set(model.get("required", []))
    lines = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, prop in props.items():
        meaning = prop.get("description", "")
        bounds = _bounds(prop)
        if bounds:
            meaning = f"{meaning} ({bounds})" if meaning else bounds
        lines.append(f"| `{name}` | {_cell(_type(prop))} | {_default(name, prop, required)} | {_cell(meaning)} |")
    return lines


def _order(schema: dict[str, Any]) -> list[str]:
    """Model names in order of first use, from the top-level keys down."""
    defs = schema.get("$defs", {})
    seen: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.rsplit("/", 1)[-1]
                if name not in seen and name in defs:
                    seen.append(name)
                    visit(defs[name])
            for key, value in node.items():
                if key != "$defs":
                    visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit({k: v for k, v in schema.items() if k != "$defs"})
    return seen + [name for name in defs if name not in seen]


def _paragraph(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines()).replace("``", "`")


def schema_markdown(kind: str) -> str:
    """The Markdown reference of ``kind`` files (``"scenario"`` or ``"experiment"``).

    Parameters
    ----------
    kind : str
        A key of :data:`munisim.config.schema.SCHEMA_KINDS`.

    Returns
    -------
    str
        The reference, ending with a newline.

    Examples
    --------
    >>> text = schema_markdown("scenario")
    >>> text.splitlines()[0]
    '# Scenario file reference'
    >>> "| `stockpile` | text | **required** |" in text
    True
    """
    schema = SCHEMA_KINDS[kind]()
    defs = schema.get("$defs", {})
    guide = "scenarios.md" if kind == "scenario" else "sweeps.md"
    out = [
        f"# {kind.capitalize()} file reference",
        "",
        f"<!-- Generated by `munisim schema {kind} --markdown` from the models munisim validates {kind} files with;",
        "     do not edit by hand. -->",
        "",
        _paragraph(schema.get("description", "")),
        "",
        (
            "Checks that need the whole file (ids that must exist, date order, value "
            "ranges that depend on other keys) are made when the file is loaded; "
            f"`munisim validate` reports them. The guide with examples is [{guide}](../{guide})."
        ),
        "",
        "## Top-level keys",
        "",
        *_table(schema),
    ]
    names = _order(schema)
    values = [n for n in VALUE_MODELS if n in defs]
    for name in names:
        if name in VALUE_MODELS:
            continue
        model = defs[name]
        out += ["", f"## {name}", ""]
        if model.get("description"):
            out += [_paragraph(model["description"]), ""]
        out += _table(model) if "properties" in model else [f"Type: {_type(model)}."]
    if values:
        out += [
            "",
            "## Values",
            "",
            (
                "Where the type is *value*, write a number, a number with its source "
                "(`{value: 3.5, source: figure_id}`), or a distribution drawn once per "
                "replicate (`{dist: ..., source: figure_id}`):"
            ),
        ]
        for name in values:
            model = defs[name]
            inner = next((o for o in model.get("anyOf", []) if "properties" in o), model)
            out += ["", f"### {name}", ""]
            if inner.get("description") or model.get("description"):
                out += [_paragraph(inner.get("description") or model.get("description", "")), ""]
            out += _table(inner) if "properties" in inner else []
    return "\n".join(out).rstrip() + "\n"
