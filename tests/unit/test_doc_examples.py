"""Every example in README.md and docs/ runs as written, so the docs cannot go stale.

Each Markdown file is one test.  Its code blocks run in document order in a
fresh directory holding copies of ``scenarios/``, ``seeds/``, ``experiments/``
and ``benchmarks/``:

- ````python```` blocks run in one namespace per file (later blocks see the
  names of earlier ones);
- ````console```` blocks run each ``munisim ...`` command line through the CLI
  (a ``$`` prompt, ``\\`` continuations, ``#`` comments and ``> FILE`` are understood;
  ``pip install`` is skipped: the suite already runs installed); any other
  command fails the test unless the block is marked to be skipped;
- a block right after ``<!-- file: PATH -->`` is written to ``PATH`` first
  (e.g. the variant a tutorial asks the reader to save);
- a block right after ``<!-- skip: REASON -->`` is not run (e.g. one that needs
  a running Dask cluster, which ``tests/unit/test_dask.py`` starts for real).

To keep the suite fast, replicate and sample counts in the examples are capped
(``replicates``/``--replicates``/``-n`` at 5, ``samples``/``--samples`` at 4,
and runs and sweeps get 5 replicates where an example leaves the count to the
default or the experiment file); everything else runs as written.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from munisim.cli import main

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
CAPS = {"replicates": 5, "samples": 4}
BLOCK = re.compile(
    r"(?:<!--\s*(?P<kind>file|skip):\s*(?P<arg>.*?)\s*-->\s*\n)?^```(?P<lang>\w*)\n(?P<body>.*?)^```", re.S | re.M
)


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    lang: str
    body: str
    line: int
    file_to: str | None
    skip: str | None


def blocks(text: str) -> list[Block]:
    """The fenced code blocks of ``text``, with their markers."""
    out = []
    for m in BLOCK.finditer(text):
        kind, arg = m.group("kind"), m.group("arg")
        out.append(
            Block(
                m.group("lang"),
                m.group("body"),
                text.count("\n", 0, m.start("body")),
                arg if kind == "file" else None,
                arg if kind == "skip" else None,
            )
        )
    return out


def _with_replicates(m: re.Match[str]) -> str:
    args = m.group(2)
    return m.group(0) if "replicates=" in args else f"{m.group(1)}({args}, replicates={CAPS['replicates']})"


def _cap_python(code: str) -> str:
    code = re.sub(r"\b(sweep|sensitivity)\(([^()]*)\)", _with_replicates, code)
    for name, cap in CAPS.items():
        code = re.sub(rf"\b{name}=(\d[\d_]*)", lambda m, n=name, c=cap: f"{n}={min(int(m.group(1)), c)}", code)
    return code


def _cap_args(args: list[str]) -> list[str]:
    out = list(args)
    if out and out[0] in ("run", "sweep", "sensitivity") and not {"--replicates", "-n"} & set(out):
        out += ["--replicates", str(CAPS["replicates"])]
    for i, a in enumerate(out[:-1]):
        name = {"--replicates": "replicates", "-n": "replicates", "--samples": "samples"}.get(a)
        if name and out[i + 1].isdigit():
            out[i + 1] = str(min(int(out[i + 1]), CAPS[name]))
    return out


def commands(body: str) -> list[tuple[list[str], str | None]]:
    """The ``munisim`` command lines of a console block: argument lists (``munisim`` dropped), output file."""
    out = []
    for line in body.replace("\\\n", " ").splitlines():
        line = line.strip().removeprefix("$ ")
        for part in line.split("&&"):
            args = shlex.split(part, comments=True)
            if not args or args[:2] == ["pip", "install"]:
                continue
            assert args[0] == "munisim", f"not a munisim command: {part.strip()!r} (mark the block <!-- skip: -->)"
            to = None
            if ">" in args:
                at = args.index(">")
                args, to = args[:at], args[at + 1]
            out.append((_cap_args(args[1:]), to))
    return out


@pytest.mark.untraced  # runs code the unit tests already cover, three times slower under the tracer
@pytest.mark.parametrize("doc", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_examples_run(doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("scenarios", "seeds", "experiments", "benchmarks"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "120")
    namespace: dict[str, object] = {"__name__": "__doc_example__"}
    runner = CliRunner()
    for b in blocks(doc.read_text(encoding="utf-8")):
        where = f"{doc.relative_to(ROOT)}:{b.line + 1}"
        if b.file_to is not None:
            target = tmp_path / b.file_to
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(b.body, encoding="utf-8")
        if b.skip is not None or b.file_to is not None:
            continue
        if b.lang == "python":
            code = compile(_cap_python(b.body), where, "exec")
            exec(code, namespace)  # the examples are the project's own docs
        elif b.lang == "console":
            for args, to in commands(b.body):
                r = runner.invoke(main, args)
                if to is not None:
                    (tmp_path / to).write_text(r.stdout, encoding="utf-8")
                assert r.exit_code == 0, f"{where}: munisim {shlex.join(args)} exited {r.exit_code}:\n{r.output}"
    assert os.getcwd() == str(tmp_path)


def test_markers_are_understood() -> None:
    text = (
        "<!-- skip: needs a cluster -->\n```console\ndask scheduler\n```\n<!-- file: a/b.yaml -->\n```yaml\nx: 1\n```\n"
    )
    skip, file_ = blocks(text)
    assert skip.skip == "needs a cluster" and skip.file_to is None
    assert file_.file_to == "a/b.yaml" and file_.body == "x: 1\n"
    assert commands("$ pip install . && munisim run a.yaml -n 500 \\\n  --samples 9  # note\n") == [
        (["run", "a.yaml", "-n", "5", "--samples", "4"], None)
    ]
    assert commands("munisim schema scenario > s.json\n") == [(["schema", "scenario"], "s.json")]
    assert _cap_python("simulate(x, replicates=1_000, samples=4)") == "simulate(x, replicates=5, samples=4)"
    assert _cap_python("munisim.sweep(e, samples=500)") == "munisim.sweep(e, samples=4, replicates=5)"
    with pytest.raises(AssertionError, match="not a munisim command"):
        commands("rm -rf runs\n")
