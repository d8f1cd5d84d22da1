"""Where a scenario's numbers come from: each cited figure, where it is used, and the uncited values.

A scenario value cites a public figure with ``source: <figure id>``; the
figures files the scenario lists describe each figure (unit, range, date)
and its public sources.  :func:`collect_sources` gathers, for every cited
id, the figure and every key path citing it with the value or distribution
used there, and lists the values written without a source: the modelling
assumptions.  The result renders as Markdown or JSON, and a run directory
keeps it as ``sources.json`` so a report needs no file outside the run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from munisim.config.checks import iter_values
from munisim.config.figures import FigureSet
from munisim.config.scenario import Scenario
from munisim.config.yamlload import format_path
from munisim.io import cited_figures

__all__ = [
    "SOURCES_FILE",
    "CitedFigure",
    "SourcesReport",
    "ValueUse",
    "collect_sources",
    "describe_value",
    "load_scenario_figures",
    "scenario_sources",
    "write_sources",
]

SOURCES_FILE = "sources.json"


@dataclass(frozen=True)
class ValueUse:
    """A value of the scenario at a key path.

    Attributes
    ----------
    path : str
        Key path as in ``--set``, e.g. ``factories.ru_new_build.capacity[3].rate``.
    value : dict
        The value as written: ``{"value": x}`` or ``{"dist": ..., parameters...}``.
    text : str
        The value for people, e.g. ``pert(low 1,500,000, mode 2,000,000, high 2,500,000)``.
    """

    path: str
    value: dict[str, Any]
    text: str


@dataclass(frozen=True)
class CitedFigure:
    """A cited figure, the values citing it and its sources.

    ``found`` is False when the id is not in the figures files at hand (then
    only ``id`` and ``uses`` are filled).  ``low``, ``central`` and ``high``
    are in ``unit``.
    """

    id: str
    found: bool
    description: str | None = None
    unit: str | None = None
    low: float | None = None
    central: float | None = None
    high: float | None = None
    as_of: str | None = None
    reliability: str | None = None
    sources: list[dict[str, str | None]] = field(default_factory=list)
    uses: list[ValueUse] = field(default_factory=list)


@dataclass(frozen=True)
class SourcesReport:
    """Every cited figure of a scenario (sorted by id) and its uncited values (in the scenario's order)."""

    scenario: str
    figures_files: list[str]
    cited: list[CitedFigure]
    uncited: list[ValueUse]

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as written to ``sources.json``."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourcesReport:
        """The inverse of :meth:`to_dict`."""
        cited = [CitedFigure(**{**c, "uses": [ValueUse(**u) for u in c.get("uses", [])]}) for c in data["cited"]]
        return cls(
            data["scenario"],
            list(data.get("figures_files", [])),
            cited,
            [ValueUse(**u) for u in data.get("uncited", [])],
        )

    def to_markdown(self) -> str:
        """A Markdown document: one section per cited figure, then a table of the uncited values."""
        lines = [f"# Sources of the scenario {self.scenario}", ""]
        if self.figures_files:
            lines += [f"Figures files: {', '.join(f'`{f}`' for f in self.figures_files)}.", ""]
        lines += ["## Cited figures", ""]
        if not self.cited:
            lines += ["No value cites a figure.", ""]
        for fig in self.cited:
            lines += [f"### `{fig.id}`" + (f": {_md(fig.description)}" if fig.description else ""), ""]
            if not fig.found:
                lines += ["*Not found in the figures files.*", ""]
            else:
                lines.append(
                    f"- unit: {_md(fig.unit or '')}; low / central / high: {range_text(fig)}"
                    + (f"; as of {_md(fig.as_of)}" if fig.as_of else "")
                )
                if fig.reliability:
                    lines.append(f"- reliability: {_md(fig.reliability)}")
            lines.append("- used at:")
            lines += [f"  - `{u.path}`: {_md(u.text)}" for u in fig.uses]
            if fig.sources:
                lines.append("- sources:")
                lines += [f"  - {source_markdown(s)}" for s in fig.sources]
            lines.append("")
        lines += ["## Uncited values (modelling assumptions)", ""]
        if self.uncited:
            lines += ["| key path | value |", "|---|---|"]
            lines += [f"| `{u.path}` | {_md(u.text)} |" for u in self.uncited]
        else:
            lines.append("Every value cites a figure.")
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Escape the characters that would break Markdown tables and links."""
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")


def source_markdown(source: dict[str, str | None]) -> str:
    """One source as Markdown: the title (linked when it has a url), publisher and date."""
    title = _md(source.get("title") or "untitled")
    head = f"[{title}](<{source['url']}>)" if source.get("url") else title
    rest = [_md(str(source[k])) for k in ("publisher", "date") if source.get(k)]
    return ", ".join([head, *rest])


def _number(x: float | None) -> str:
    if x is None:
        return "–"
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    return f"{x:,.6g}"


def range_text(fig: CitedFigure) -> str:
    """``low / central / high`` of a figure, with thousands separators."""
    return " / ".join(_number(v) for v in (fig.low, fig.central, fig.high))


def describe_value(value: BaseModel) -> tuple[dict[str, Any], str]:
    """A scenario value as data (without its source) and as text.

    Examples
    --------
    >>> from munisim.config.values import Triangular
    >>> describe_value(Triangular(dist="triangular", low=1, mode=2, high=3500))[1]
    'triangular(low 1, mode 2, high 3,500)'
    """
    data = value.model_dump(mode="json", by_alias=True, exclude={"source"}, exclude_none=True)
    dist = data.pop("dist", None)
    if dist is None and set(data) == {"value"}:
        return {"value": data["value"]}, _number(data["value"])
    params = ", ".join(f"{k} {_number(v) if isinstance(v, (int, float)) else v}" for k, v in data.items())
    return {"dist": dist, **data}, f"{dist}({params})"


def collect_sources(scenario: Scenario, figures: FigureSet | None) -> SourcesReport:
    """Gather the cited figures of ``scenario`` and its uncited values.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.
    figures : FigureSet or None
        The figures its values cite (see :func:`load_scenario_figures`);
        ``None`` when not at hand: the figures are then listed as not found.

    Returns
    -------
    SourcesReport
        One :class:`CitedFigure` per id of :func:`munisim.io.cited_figures`,
        each with every key path citing it; values written without a
        ``source`` in ``uncited``.
    """
    uses: dict[str, list[ValueUse]] = {fid: [] for fid in cited_figures(scenario)}
    uncited: list[ValueUse] = []
    for path, value in iter_values(scenario, explicit=True):
        data, text = describe_value(value)
        use = ValueUse(format_path(path), data, text)
        source = getattr(value, "source", None)
        if source:
            uses.setdefault(source, []).append(use)
        else:
            uncited.append(use)
    known = figures.figures if figures is not None else {}
    cited = []
    for fid in sorted(uses):
        fig = known.get(fid)
        if fig is None:
            cited.append(CitedFigure(fid, False, uses=uses[fid]))
            continue
        cited.append(
            CitedFigure(
                fid,
                True,
                fig.description,
                fig.unit,
                fig.low,
                fig.central,
                fig.high,
                fig.as_of,
                fig.reliability,
                [{"title": s.title, "publisher": s.publisher, "date": s.date, "url": s.url} for s in fig.sources],
                uses[fid],
            )
        )
    return SourcesReport(scenario.name, list(scenario.figures), cited, uncited)


def load_scenario_figures(scenario: Scenario, base_dir: Path | None) -> FigureSet | None:
    """The figures files of ``scenario``, read relative to ``base_dir`` (the scenario file's folder).

    Returns ``None`` when the scenario lists none or a file cannot be read.
    """
    from munisim.config.loader import load_figures
    from munisim.errors import MunisimError

    if not scenario.figures:
        return None
    paths = [(base_dir / f) if base_dir is not None else Path(f) for f in scenario.figures]
    if not all(p.is_file() for p in paths):
        return None
    try:
        return load_figures(paths)
    except MunisimError:
        return None


def scenario_sources(path: str | Path, *, overrides: Sequence[str] = ()) -> SourcesReport:
    """Load a scenario file (and its figures files) and collect its sources.

    Raises
    ------
    ScenarioError
        When the scenario (or a figures file) is invalid.
    """
    from munisim.config.loader import load_figures, load_scenario

    scenario = load_scenario(path, overrides=overrides)
    base = Path(path).resolve().parent
    figures = load_figures([base / f for f in scenario.figures]) if scenario.figures else None
    return collect_sources(scenario, figures)


def write_sources(report: SourcesReport, path: Path) -> Path:
    """Write ``report`` as JSON to ``path``; returns the path."""
    path.write_text(json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
