"""A candidate's code written back into the repository: each variable's new definition replaces the old one
in its file, re-indented for its place (a method inside its class, a nested function inside its function)
and with tabs where the file has them, and imports the candidate added go to the top of those files. What
the candidate leaves out, or leaves as it was shown, stays byte for byte as it is."""
from __future__ import annotations

from typing import Mapping, Sequence

from tree_sitter import Node

from coderefine.repo.targets import INDENT, Definition, definitions, file_start, reindent, retab, tabbed
from coderefine.source import identifiers, parse, syntax_errors, text


class SpliceError(ValueError):
    """The candidate cannot be written back (it does not parse, or the file would not)."""


def new_versions(code: str, variables: Sequence[Definition]) -> dict[Definition, str]:
    """The variables the candidate changed, each with its new source indented for its place in the file."""
    errors = syntax_errors(code)
    if errors:
        raise SpliceError(f"the candidate does not parse ({errors[0]})")
    written: dict[str, list[Definition]] = {}
    for definition in definitions(code):
        written.setdefault(definition.qualname, []).append(definition)
    versions = {}
    for variable in variables:
        found = _counterpart(variable, written.get(variable.shown, []))
        if found is None or _plain(found.text, found.string_rows) == _plain(
                reindent(variable.text, variable.indent, found.indent, variable.string_rows), variable.string_rows):
            continue   # left as it was shown (a candidate comes with LF, a CRLF file has CRLF; spaces, tabs)
        version = reindent(found.text, found.indent, variable.indent, found.string_rows)
        versions[variable] = retab(version, INDENT, "\t", found.string_rows) if tabbed(variable) else version
    return versions


def _counterpart(variable: Definition, written: list[Definition]) -> Definition | None:
    """Of the candidate's definitions under the variable's name, the one whose first line is the variable's
    (a property's setter is told from its getter by `@x.setter`), else the first."""
    head = variable.text.split("\n", 1)[0].strip()
    return next((d for d in written if d.text.split("\n", 1)[0].strip() == head), written[0] if written else None)


def splice(files: Mapping[str, str], versions: Mapping[Definition, str], code: str = "") -> dict[str, str]:
    """The changed files: each new version in place of its definition, and the top-level imports of `code`
    that a changed file lacks and its new code uses. A file that would not parse is a SpliceError."""
    changed: dict[str, str] = {}
    for path in dict.fromkeys(d.path for d in versions):
        data = files[path].encode("utf-8")
        newline = _newline(files[path])
        for definition in sorted((d for d in versions if d.path == path), key=lambda d: d.start, reverse=True):
            version = versions[definition].replace("\r\n", "\n").replace("\n", newline)
            data = data[:definition.start] + version.encode("utf-8") + data[definition.end:]
        used = set().union(*(identifiers(versions[d]) for d in versions if d.path == path))
        new = add_imports(data.decode("utf-8"), code, used)
        errors = syntax_errors(new)
        if errors:
            raise SpliceError(f"{path} would not parse with the new code ({errors[0]})")
        changed[path] = new
    return changed


def add_imports(source: str, code: str, used: set[str] | None = None) -> str:
    """`source` with the top-level imports of `code` it lacks, after its own last top-level import (or after
    its docstring, or after its top comment lines: a shebang and an encoding line must stay first); with
    `used`, only those that bind one of these names (an answer often imports what only its own tests needed,
    such as pytest). `from __future__` imports are left out: they must come first, and a fix never needs one."""
    have = {text(node).strip() for node in _imports(source)}
    new = [text(node).strip() for node in _imports(code) if used is None or _binds_one_of(node, used)]
    missing = [line for line in dict.fromkeys(new) if line not in have and not line.startswith("from __future__")]
    if not missing:
        return source
    children = parse(source).root_node.named_children
    first = [n for n in children if n.type != "comment"][:1]
    docstring = [n for n in first if n.type == "expression_statement" and n.named_children
                 and n.named_children[0].type == "string"]
    anchors = _imports(source) or docstring or _header(children)
    data = source.encode("utf-8")
    at = start = file_start(data)
    if anchors:
        end = data.find(b"\n", anchors[-1].end_byte)
        at = end + 1 if end >= 0 else len(data)
    newline = _newline(source)
    block = "".join(line + newline for line in missing).encode("utf-8")
    prefix = data[:at] if at == start or data[:at].endswith(b"\n") else data[:at] + newline.encode("utf-8")
    return (prefix + block + data[at:]).decode("utf-8")


def _header(children: list[Node]) -> list[Node]:
    """The comment lines at the very top of a file (a shebang, an encoding line, a licence), up to its first
    other line: a comment after a blank line is more likely about the code below it."""
    header = []
    for node in children:
        if node.type != "comment" or node.start_point[0] != len(header):
            break
        header.append(node)
    return header


def _plain(text: str, keep: frozenset[int]) -> str:
    """The text as the model is shown it: LF line endings, spaces for tabs."""
    return retab(text.replace("\r\n", "\n"), "\t", INDENT, keep)


def _newline(source: str) -> str:
    """The file's line ending, as its first line has it: what is written into the file gets it too (a
    candidate comes with LF), so code left as it was stays byte for byte the same."""
    end = source.find("\n")
    return "\r\n" if end > 0 and source[end - 1] == "\r" else "\n"


def _binds_one_of(node: Node, used: set[str]) -> bool:
    """Whether an import statement binds one of `used`: `import a.b` binds a, `... as c` binds c, and a star
    import may bind anything."""
    if any(child.type == "wildcard_import" for child in node.children):
        return True
    names = set()
    for child in node.children_by_field_name("name"):
        if child.type == "aliased_import":
            names.add(text(child.child_by_field_name("alias")))
        else:
            names.add(text(child).split(".")[0])
    return bool(names & used)


def _imports(code: str) -> list:
    return [n for n in parse(code).root_node.named_children
            if n.type in ("import_statement", "import_from_statement")]
