"""Safe YAML loading that remembers where every value came from.

PyYAML's composer gives a node graph with start marks; we construct plain
Python values from it ourselves, so that

* only the standard YAML 1.1 scalar tags are accepted (``!!python/object`` and
  every other custom tag is an error, never an object construction);
* duplicate mapping keys are an error instead of a silent overwrite;
* every value and every mapping key is mapped to its ``(line, column)``,
  which the loader uses to put a line number on each problem;
* aliases cannot blow up memory (a node budget stops "billion laughs").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from munisim.errors import Problem, ScenarioError

__all__ = ["Located", "KeyPath", "load_yaml", "parse_yaml", "format_path", "parse_key_path"]

KeyPath = tuple[str | int, ...]

#: Largest YAML file accepted, in bytes.
MAX_FILE_BYTES = 5_000_000
#: Largest number of nodes a document may expand to (aliases included).
MAX_NODES = 2_000_000

_SAFE_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}


def format_path(path: KeyPath) -> str:
    """Render a key path as ``a.b[3].c``.

    Examples
    --------
    >>> format_path(("factories", "ru", "capacity", 3, "rate"))
    'factories.ru.capacity[3].rate'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_key_path(text: str) -> KeyPath:
    """Parse ``a.b[3].c`` into ``("a", "b", 3, "c")`` (the inverse of :func:`format_path`).

    Raises
    ------
    ValueError
        When ``text`` is not a key path.

    Examples
    --------
    >>> parse_key_path("factories.ru.capacity[3].rate")
    ('factories', 'ru', 'capacity', 3, 'rate')
    """
    parts: list[str | int] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        if text[pos] == "." and parts:
            pos += 1
        m = _PATH_PART.match(text, pos)
        if not m:
            raise ValueError(f"cannot read key path {text!r} at character {pos + 1}; expected e.g. a.b[3].c")
        parts.append(m.group(1) if m.group(1) is not None else int(m.group(2)))
        pos = m.end()
    if not parts:
        raise ValueError("empty key path; expected e.g. fronts.ru.draws_from[0]")
    return tuple(parts)


def _show_tag(tag: str) -> str:
    """``tag:yaml.org,2002:python/object`` -> ``!!python/object`` (as the user wrote it)."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def _expanded_size(root: yaml.Node, file: str) -> int:
    """Number of value nodes ``root`` expands to once aliases are copied, capped just above MAX_NODES.

    Aliased nodes are shared in the composed graph, so a memo makes this cost
    the number of distinct nodes: an alias bomb is caught before it is expanded.
    """
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if key in active:
            raise ScenarioError(
                [
                    Problem(
                        file,
                        node.start_mark.line + 1,
                        node.start_mark.column + 1,
                        "",
                        "an alias refers to the node that contains it (a recursive alias); expected plain values",
                    )
                ]
            )
        active.add(key)
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [value for _, value in node.value]
        else:
            children = []
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                break
        active.discard(key)
        memo[key] = total
        return total

    return size(root)


@dataclass
class Located:
    """A parsed YAML document and the position of each of its nodes.

    Attributes
    ----------
    data : Any
        Plain Python value (dicts, lists, str, int, float, bool, None, date).
    file : str
        File name used in error messages.
    value_marks : dict
        Key path -> (line, column), 1-based, of each value.
    key_marks : dict
        Key path -> (line, column) of the mapping key that introduced it.
    files : dict
        Key path -> file name, for a document assembled from several files
        (a scenario variant and its parents): the marks at a key path are in
        the file of its nearest listed ancestor, or in ``file`` when none is
        listed.  Empty for a document read from one file.
    """

    data: Any
    file: str
    value_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    files: dict[KeyPath, str] = field(default_factory=dict)

    def file_of(self, path: KeyPath) -> str:
        """The file the value at ``path`` was read from (nearest listed ancestor wins)."""
        p = tuple(path)
        while self.files:
            if p in self.files:
                return self.files[p]
            if not p:
                break
            p = p[:-1]
        return self.file

    def _anchor(self, path: KeyPath, key: bool) -> tuple[KeyPath, tuple[int, int] | None]:
        """The key path whose mark stands for ``path`` (itself or its nearest ancestor) and that mark."""
        table = self.key_marks if key else self.value_marks
        if key and path not in table:
            table = self.value_marks
        p = tuple(path)
        while True:
            if p in table:
                return p, table[p]
            if p in self.value_marks:
                return p, self.value_marks[p]
            if not p:
                return tuple(path), None
            p = p[:-1]

    def position(self, path: KeyPath, *, key: bool = False) -> tuple[int | None, int | None]:
        """Best known position for ``path``: the node itself or its nearest ancestor."""
        return self._anchor(path, key)[1] or (None, None)

    def locate(self, path: KeyPath, *, key: bool = False) -> tuple[str, int | None, int | None]:
        """``(file, line, column)`` of :meth:`position`, with the file that position is in."""
        anchor, mark = self._anchor(path, key)
        line, col = mark or (None, None)
        return self.file_of(anchor), line, col

    def problem(self, path: KeyPath, message: str, *, key: bool = False) -> Problem:
        """Build a :class:`Problem` located at ``path``."""
        file, line, col = self.locate(path, key=key)
        return Problem(file, line, col, format_path(path), message)


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.constructor = yaml.SafeLoader("")  # its construct_scalar helpers only
        self.loc = Located(None, file)
        self.nodes = 0
        self.problems: list[Problem] = []

    def _err(self, node: yaml.Node, path: KeyPath, msg: str) -> None:
        self.problems.append(
            Problem(self.file, node.start_mark.line + 1, node.start_mark.column + 1, format_path(path), msg)
        )

    def build(self, node: yaml.Node, path: KeyPath, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ScenarioError(
                [
                    Problem(
                        self.file,
                        None,
                        None,
                        "",
                        f"document expands to more than {MAX_NODES:,} nodes "
                        "(an alias bomb?); expected a plain scenario file",
                    )
                ]
            )
        if depth > 100:
            self._err(node, path, "nesting deeper than 100 levels; expected a flat scenario structure")
            return None
        self.loc.value_marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _SAFE_TAGS:
            self._err(node, path, f"YAML tag {_show_tag(node.tag)!r} is not allowed; expected plain YAML values")
            return None
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:  # e.g. 2024-02-30: "day is out of range"
                self._err(node, path, f"cannot read value {node.value!r}: {getattr(exc, 'problem', None) or exc}")
                return None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._err(key_node, path, "merge keys ('<<') are not supported; write the keys out")
                continue
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _SAFE_TAGS:
                self._err(key_node, path, "mapping keys must be plain scalars")
                continue
            # Keys are ids and field names: keep the text as written, so that `no:` or
            # `0x1F:` stay 'no' and '0x1F' instead of becoming 'False' and '31'.
            key = str(key_node.value)
            child = path + (key,)
            if key in out:
                self._err(key_node, child, f"duplicate key {key!r}; each key may appear once")
                continue
            self.loc.key_marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            out[key] = self.build(value_node, child, depth + 1)
        return out


def parse_yaml(text: str, file: str = "<string>") -> Located:
    """Parse YAML ``text`` safely into a :class:`Located` document.

    Raises
    ------
    ScenarioError
        On syntax errors, unsafe tags, duplicate keys or oversized input.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise ScenarioError(
            [
                Problem(
                    file,
                    None,
                    None,
                    "",
                    f"file is larger than {MAX_FILE_BYTES:,} bytes; expected a scenario of a few hundred lines",
                )
            ]
        )
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        message = str(exc.problem or exc)
        if exc.context and exc.context_mark and exc.problem_mark:
            # e.g. "while parsing a flow mapping starting at line 18, column 9; expected ',' or '}', but got '{'"
            cm = exc.context_mark
            message = (
                f"{exc.context} starting at line {cm.line + 1}, column {cm.column + 1}; {message.removeprefix('but ')}"
            )
        raise ScenarioError([Problem(file, line, col, "", f"YAML syntax error: {message}")]) from None
    except yaml.YAMLError as exc:  # e.g. "expected a single document"
        raise ScenarioError([Problem(file, None, None, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise ScenarioError(
            [Problem(file, None, None, "", "nesting too deep; expected a flat scenario file")]
        ) from None
    builder = _Builder(file)
    if node is None:
        builder.loc.data = None
        return builder.loc
    try:
        too_big = _expanded_size(node, file) > MAX_NODES
    except RecursionError:
        raise ScenarioError(
            [Problem(file, None, None, "", "nesting too deep; expected a flat scenario file")]
        ) from None
    if too_big:
        raise ScenarioError(
            [
                Problem(
                    file,
                    None,
                    None,
                    "",
                    f"document expands to more than {MAX_NODES:,} nodes "
                    "(an alias bomb?); expected a plain scenario file",
                )
            ]
        )
    builder.loc.data = builder.build(node, ())
    if builder.problems:
        raise ScenarioError(builder.problems)
    return builder.loc


def is_file(path: str | Path) -> bool:
    """Whether ``path`` names a regular file; ``False`` for any name the OS refuses.

    :meth:`pathlib.Path.is_file` raises on some unusable names (too long, an
    embedded NUL byte, no permission); here they simply do not name a file.
    """
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


def load_yaml(path: str | Path, *, name: str | None = None) -> Located:
    """Read and parse a YAML file; see :func:`parse_yaml`.

    ``name`` is how problems name the file (``path`` as given when omitted).
    """
    p = Path(path)
    shown = name if name is not None else str(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError(
                [
                    Problem(
                        shown,
                        None,
                        None,
                        "",
                        f"file is {size:,} bytes, larger than the "
                        f"{MAX_FILE_BYTES:,} accepted; expected a scenario file",
                    )
                ]
            )
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(shown, None, None, "", "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(shown, None, None, "", "is a directory; expected a YAML file")]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(shown, None, None, "", f"not UTF-8 text ({exc.reason})")]) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError(
            [Problem(shown, None, None, "", f"cannot be read ({reason}); expected a readable YAML file")]
        ) from None
    return parse_yaml(text, shown)
