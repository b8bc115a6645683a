"""Functions in a file, located with tree-sitter: top-level functions, methods (`Class.method`, also of
nested classes) and functions nested in functions (`outer.inner`), each with its exact place in the file,
so that a new version can be spliced back without touching a byte around it."""
from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from coderefine.repo import RepoError
from coderefine.source import BOM, parse, syntax_errors, text

INDENT = "    "


@dataclass(frozen=True)
class Definition:
    """One function definition in one file. Byte offsets are into the file's UTF-8 encoding."""
    path: str                     # repo-relative POSIX path
    qualname: str                 # "f", "Class.method", "outer.inner" (as `co_qualname` without <locals>)
    start: int                    # first byte of the first decorator, or of `def`
    end: int                      # the byte after the body
    line: int                     # 1-based line of `start` (Python's co_firstlineno)
    end_line: int                 # 1-based last line
    indent: str                   # the whitespace before `start` on its line
    classes: tuple[str, ...]      # the classes directly around it, up to the nearest enclosing function
    text: str                     # the definition's source, from `start` to `end`
    string_rows: frozenset[int]   # rows of `text` (0 = its first) that begin inside a multi-line string

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def shown(self) -> str:
        """The name the model sees and writes it under: `Class.method` inside its class, else the bare name."""
        return ".".join((*self.classes, self.name))

    @property
    def where(self) -> str:
        return f"{self.path}::{self.qualname}"


@dataclass(frozen=True)
class TargetSpec:
    """`path/to/mod.py::func` as given on the command line."""
    path: str
    qualname: str | None

    @classmethod
    def parse(cls, spec: str) -> "TargetSpec":
        path, _, name = spec.partition("::")
        if not path.endswith(".py"):
            raise RepoError(f"{spec}: give a Python file, optionally with ::function (path/to/mod.py::func)")
        return cls(path, name or None)


def definitions(code: str, path: str = "") -> list[Definition]:
    """Every function definition in `code`, outermost first, in source order."""
    data = code.encode("utf-8")
    tree = parse(code)
    found: list[Definition] = []

    def walk(node: Node, prefix: str, classes: tuple[str, ...]) -> None:
        for child in node.named_children:
            target = child.child_by_field_name("definition") if child.type == "decorated_definition" else child
            if target is None:
                continue
            name = text(target.child_by_field_name("name")) if target.type in ("function_definition",
                                                                                 "class_definition") else ""
            if target.type == "function_definition":
                found.append(_definition(data, child, path, prefix + name, classes))
                walk(target.child_by_field_name("body"), f"{prefix}{name}.", ())
            elif target.type == "class_definition":
                walk(target.child_by_field_name("body"), f"{prefix}{name}.", (*classes, name))
            else:   # definitions under if/try/with blocks
                walk(child, prefix, classes)

    walk(tree.root_node, "", ())
    return found


def _definition(data: bytes, node: Node, path: str, qualname: str, classes: tuple[str, ...]) -> Definition:
    line_start = data.rfind(b"\n", 0, node.start_byte) + 1 or file_start(data)
    first_row = node.start_point[0]
    rows = frozenset(row - first_row for row in string_rows(node) if row > first_row)
    return Definition(path=path, qualname=qualname, start=node.start_byte, end=node.end_byte,
                      line=first_row + 1, end_line=node.end_point[0] + 1,
                      indent=data[line_start:node.start_byte].decode("utf-8"), classes=classes,
                      text=data[node.start_byte:node.end_byte].decode("utf-8"), string_rows=rows)


def file_start(data: bytes) -> int:
    """The first byte of a file's code: after a byte order mark, which is neither indentation nor code."""
    mark = BOM.encode("utf-8")
    return len(mark) if data.startswith(mark) else 0


def string_rows(node: Node) -> set[int]:
    """Rows that begin inside a string literal spanning several lines (their indentation is content)."""
    rows: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "string" and current.end_point[0] > current.start_point[0]:
            rows.update(range(current.start_point[0] + 1, current.end_point[0] + 1))
        else:
            stack.extend(current.children)
    return rows


def check_syntax(code: str, path: str) -> None:
    """A file that does not parse cannot be edited safely: RepoError naming the first error."""
    errors = syntax_errors(code)
    if errors:
        raise RepoError(f"{path} has a syntax error ({errors[0]}); fix it first")


def locate(code: str, path: str, qualname: str) -> Definition:
    """The definition named `qualname` in `code`, or a RepoError that lists the functions that exist."""
    check_syntax(code, path)
    found = definitions(code, path)
    for definition in found:
        if definition.qualname == qualname:
            return definition
    from coderefine.suggest import unknown
    raise RepoError(unknown("function", qualname, [d.qualname for d in found], where=path,
                            label="functions there"))


def enclosing(found: list[Definition], line: int) -> Definition | None:
    """The innermost definition whose lines hold `line` (1-based)."""
    holding = [d for d in found if d.line <= line <= d.end_line]
    return max(holding, key=lambda d: d.line) if holding else None


def reindent(source: str, old: str, new: str, keep: frozenset[int] | set[int]) -> str:
    """`source` (a definition whose first line carries no indentation) moved from indentation `old` to `new`:
    later lines that start with `old` get `new` instead, except rows in `keep` (inside strings)."""
    lines = source.split("\n")
    for row in range(1, len(lines)):
        if row not in keep and lines[row].startswith(old) and lines[row].strip():
            lines[row] = new + lines[row][len(old):]
    return "\n".join(lines)


def retab(source: str, old: str, new: str, keep: frozenset[int] | set[int]) -> str:
    """`source` with `old` made `new` in the indentation of every line (a tab made spaces, or back), except
    rows in `keep` (inside strings)."""
    lines = source.split("\n")
    for row, line in enumerate(lines):
        if row not in keep:
            code = line.lstrip(" \t")
            lines[row] = line[:len(line) - len(code)].replace(old, new) + code
    return "\n".join(lines)


def tabbed(definition: Definition) -> bool:
    """Whether the file indents the definition with tabs: it is shown with spaces, and a model writes spaces
    whatever it was shown, so its new code gets the tabs back."""
    return "\t" in definition.indent or retab(definition.text, "\t", INDENT, definition.string_rows) != definition.text


def shown_source(definition: Definition, opened: tuple[str, ...] = ()) -> str:
    """The definition as the model sees it: at top level, inside stubs of the classes around it (but for those
    of `opened`, the classes the definition shown just before it already opened), with spaces for tabs (a tab
    after the spaces of a stub would invite a line retyped with spaces that look the same, which Python
    refuses)."""
    depth = len(definition.classes)
    shared = next((i for i, (a, b) in enumerate(zip(opened, definition.classes)) if a != b),
                  min(len(opened), depth))
    header = "".join(f"{INDENT * i}class {definition.classes[i]}:\n" for i in range(shared, depth))
    return header + INDENT * depth + retab(reindent(definition.text, definition.indent, INDENT * depth,
                                                    definition.string_rows), "\t", INDENT, definition.string_rows)
