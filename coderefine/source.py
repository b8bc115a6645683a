"""Parsing and locating Python code with tree-sitter (the one parser coderefine uses)."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Iterable

import tree_sitter_python
from tree_sitter import Language, Node, Parser, Tree


@cache
def _language() -> Language:
    return Language(tree_sitter_python.language())


BOM = "\ufeff"   # a UTF-8 byte order mark, which some Windows editors put at the start of a file


def parse(code: str) -> Tree:
    """Parse Python source; a fresh Parser per call keeps this thread-safe."""
    return Parser(_language()).parse(code.encode("utf-8"))


def text(node: Node) -> str:
    return node.text.decode("utf-8") if node.text is not None else ""


# compile() reports under this name; its SyntaxWarnings ("is" with a literal, invalid escapes) are the
# candidate's business, not the user's console's.
_COMPILED_AS = "<coderefine-syntax-check>"
warnings.filterwarnings("ignore", module=re.escape(_COMPILED_AS))


def syntax_errors(code: str) -> list[str]:
    """Human-readable locations of ERROR/MISSING nodes, or else CPython's own complaint; empty when the code
    would load. tree-sitter recovers from what CPython refuses: a block left empty (a reply cut off after
    `if x:`) and an indentation that matches no outer level."""
    found: list[str] = []

    def walk(node: Node) -> None:
        if node.is_error or node.is_missing:
            row, col = node.start_point
            kind = "missing " + node.type if node.is_missing else "syntax error"
            found.append(f"line {row + 1}, column {col + 1}: {kind}")
            return
        if node.has_error:
            for child in node.children:
                walk(child)

    walk(parse(code).root_node)
    return found or _compile_error(code)


def _compile_error(code: str) -> list[str]:
    """CPython's verdict, compiled and never run. A leading byte order mark is dropped, as Python drops it when
    it reads the file (compile() refuses it in a str)."""
    try:
        compile(code.removeprefix(BOM), _COMPILED_AS, "exec", dont_inherit=True)
    except SyntaxError as exc:   # IndentationError included
        return [f"line {exc.lineno}, column {exc.offset}: {exc.msg}"]
    except (ValueError, RecursionError, MemoryError) as exc:   # a NUL byte; nesting too deep for the compiler
        return [f"{type(exc).__name__}: {exc}"]
    return []


def iter_nodes(node: Node, types: set[str]):
    """Depth-first walk yielding nodes whose type is in `types`."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in types:
            yield current
        stack.extend(reversed(current.children))


def identifiers(code: str) -> set[str]:
    """Every identifier in `code`: the names it may use."""
    return {text(node) for node in iter_nodes(parse(code).root_node, {"identifier"})}


def defined_names(code: str) -> list[str]:
    """Top-level function and class names, and `Class.method` for methods, in the order they are defined: a
    choice among them (which of two brute forces is the oracle) must not depend on the hash seed."""
    names: dict[str, None] = {}
    root = parse(code).root_node
    for node in root.children:
        target = node.child_by_field_name("definition") if node.type == "decorated_definition" else node
        if target is None or target.type not in ("function_definition", "class_definition"):
            continue
        name = text(target.child_by_field_name("name"))
        names[name] = None
        if target.type == "class_definition":
            for member in iter_nodes(target.child_by_field_name("body"), {"function_definition"}):
                names[f"{name}.{text(member.child_by_field_name('name'))}"] = None
    return list(names)


@dataclass(frozen=True)
class CallParts:
    """A call expression split into the callee's text and its argument nodes."""
    function: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...]


def call_parts(node: Node | None) -> CallParts | None:
    """Split a `call` node; None for anything else or for calls with `*args`/`**kwargs` splats."""
    if node is None or node.type != "call":
        return None
    arguments = node.child_by_field_name("arguments")
    if arguments is None or arguments.type != "argument_list":
        return None  # a generator-expression call such as f(x for x in y)
    args, kwargs = [], []
    for child in arguments.named_children:
        if child.type == "comment":
            continue
        if child.type in ("list_splat", "dictionary_splat"):
            return None
        if child.type == "keyword_argument":
            kwargs.append((text(child.child_by_field_name("name")), child.child_by_field_name("value")))
        elif kwargs:
            return None  # positional after keyword: not valid Python
        else:
            args.append(child)
    return CallParts(text(node.child_by_field_name("function")), tuple(args), tuple(kwargs))


def single_expression(code: str) -> Node | None:
    """The expression node when `code` is exactly one clean expression statement, else None."""
    root = parse(code).root_node
    statements = [c for c in root.named_children if c.type != "comment"]
    if root.has_error or len(statements) != 1 or statements[0].type != "expression_statement":
        return None
    expression = statements[0].named_children
    return expression[0] if len(expression) == 1 else None


def find_function(code: str, qualified_name: str) -> Node | None:
    """The `function_definition` for `f` or `Class.method` at top level (decorators allowed)."""
    def unwrap(node: Node) -> Node:
        return node.child_by_field_name("definition") if node.type == "decorated_definition" else node

    owner, _, name = qualified_name.rpartition(".")
    scope = parse(code).root_node
    if owner:
        classes = [unwrap(n) for n in scope.named_children]
        found = [c for c in classes if c is not None and c.type == "class_definition" and text(c.child_by_field_name("name")) == owner]
        if not found:
            return None
        scope = found[0].child_by_field_name("body")
    for node in map(unwrap, scope.named_children):
        if node is not None and node.type == "function_definition" and text(node.child_by_field_name("name")) == name:
            return node
    return None


def parameter_names(function: Node) -> list[str]:
    """Plain parameter names of a `function_definition`, without `self`/`cls` and splats."""
    signature = call_signature(function)
    return [*signature.positional, *signature.keywords]


@dataclass(frozen=True)
class Signature:
    """The calls a function accepts, `self`/`cls` not counted."""
    positional: tuple[str, ...] = ()         # the parameters a call may fill by position, in order
    required: int = 0                        # the first `required` of them have no default
    positional_only: int = 0                 # the first `positional_only` of them come before `/`
    keywords: tuple[str, ...] = ()           # keyword-only parameters (after `*` or `*args`)
    required_keywords: tuple[str, ...] = ()  # those of them without a default
    star: bool = False                       # `*args`: any number of positional arguments more
    double_star: bool = False                # `**kwargs`: any keyword argument more

    @property
    def arity(self) -> tuple[int, float]:
        """(required, most) positional arguments."""
        return self.required, float("inf") if self.star else len(self.positional)

    def accepts(self, args: int, keywords: Iterable[str]) -> bool:
        """Whether `args` positional arguments and these keyword arguments bind as Python binds them: not too
        many, no keyword unknown or given twice, every required parameter given. A keyword never fills a
        positional-only parameter: without `**kwargs` it is an error, with them it lands there."""
        given = set(keywords)
        named = set(self.positional[self.positional_only:]) | set(self.keywords)   # what a keyword may fill
        if (args > len(self.positional) and not self.star) or given & named & set(self.positional[:args]):
            return False
        if not self.double_star and not given <= named:
            return False
        return set(self.positional[args:self.required]) | set(self.required_keywords) <= given & named


def call_signature(function: Node) -> Signature:
    """The signature of a `function_definition`. A splat may be typed: `*nums: int` is a typed_parameter."""
    positional, keywords, required_keywords = [], [], []
    required, positional_only, star, double_star, keyword_only = 0, 0, False, False, False
    for param in function.child_by_field_name("parameters").named_children:
        default = param.type in ("default_parameter", "typed_default_parameter")
        node = param.named_children[0] if param.type == "typed_parameter" else param
        if node.type == "positional_separator":
            positional_only = len(positional)
            continue
        if node.type in ("list_splat_pattern", "keyword_separator"):
            star, keyword_only = star or node.type == "list_splat_pattern", True
            continue
        if node.type == "dictionary_splat_pattern":
            double_star = True
            continue
        if default:
            name = text(param.child_by_field_name("name"))
        elif node.type == "identifier":
            name = text(node)
        else:
            continue   # a comment
        if name in ("self", "cls"):
            continue
        if keyword_only:
            keywords.append(name)
            if not default:
                required_keywords.append(name)
        else:
            positional.append(name)
            required += not default   # Python puts the defaults last
    return Signature(tuple(positional), required, positional_only, tuple(keywords), tuple(required_keywords), star,
                     double_star)


def assert_statements(text: str) -> list[Node]:
    """The `assert` statements in free text (an LLM reply): every line that parses as one on its own."""
    found = []
    for line in text.splitlines():
        if not line.strip().startswith("assert"):
            continue
        root = parse(line.strip()).root_node
        if not root.has_error and len(root.named_children) == 1 and root.named_children[0].type == "assert_statement":
            found.append(root.named_children[0])
    return found


def without_top_level_calls(code: str) -> str:
    """`code` without the calls it makes at module level (`print(f(...))` demos after the definitions), which
    would run, and may crash, when the program is loaded."""
    root = parse(code).root_node
    calls = [node for node in root.named_children
             if node.type == "expression_statement" and node.named_children and node.named_children[0].type == "call"]
    data = code.encode("utf-8")
    for node in reversed(calls):
        data = data[:node.start_byte] + data[node.end_byte:]
    return data.decode("utf-8")


def program_shape(code: str) -> str:
    """A program's syntax tree as text, without comments and top-level demo calls: two copies of one program
    that differ only there (or in spacing) get the same shape. Code that does not parse is its stripped text."""
    root = parse(without_top_level_calls(code)).root_node
    if root.has_error:
        return code.strip()
    parts: list[str] = []
    stack: list[Node | str] = [root]
    while stack:   # iterative: a deeply nested program must not exhaust the recursion limit
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
        elif node.type == "comment":
            continue
        elif node.child_count == 0:
            parts.append(text(node))
        else:
            stack.extend([")", *reversed(node.children)])
            parts.append(f"({node.type}")
    return " ".join(parts)
