"""Values that cross between candidate code and the judging side. Stdlib only: this file also runs in jails.

Two encodings, for the two kinds of test:
* `to_jsonable`: plain JSON data (tuples and sets become lists, dict keys
  strings) for call tests, whose expected values are JSON and are compared on
  the host.
* `pack` / `unpack`: a faithful, tagged form for assert tests, whose checks
  compare Python values (tuples, sets, dicts with int keys, TreeNode and
  ListNode objects) in the checker process. Objects go into a flat node
  table, so a linked list of 10^5 nodes, or a cycle, costs no recursion; only
  containers nest, and no deeper than `depth`.

An object is rebuilt only from a class the receiving side already has
(`classes`, by name), with its attributes set directly: no code of the
sending side ever runs on the receiving side.
"""
from __future__ import annotations

DEPTH = 100  # default nesting limit (Limits.value_depth)
# No `typing` import: it would add about 4 ms to every jail's start. Annotations stay strings.


def resolve_entry(namespace: dict, entry_point: str) -> object:
    """`func` -> namespace['func']; `Solution().method` or `Solution.method` -> a bound method of a fresh instance."""
    if "." not in entry_point:
        return namespace[entry_point]
    owner, method = entry_point.rsplit(".", 1)
    cls = namespace[owner.removesuffix("()")]
    return getattr(cls(), method)


class TooDeep(ValueError):
    """A value nested deeper than the limit allows (a cyclic container is infinitely deep)."""


def _too_deep(depth: int) -> TooDeep:
    return TooDeep(f"value nested deeper than {depth} levels (or cyclic)")


def to_jsonable(value: object, depth: int = DEPTH) -> object:
    """Normalise a value to JSON data: tuples and sets become lists, dict keys strings."""
    def walk(v: object, level: int) -> object:
        if level > depth:
            raise _too_deep(depth)
        if isinstance(v, (bool, int, float, str)) or v is None:
            return v
        if isinstance(v, (list, tuple)):
            return [walk(x, level + 1) for x in v]
        if isinstance(v, (set, frozenset)):
            return sorted((walk(x, level + 1) for x in v), key=repr)
        if isinstance(v, dict):
            return {str(k): walk(x, level + 1) for k, x in v.items()}
        raise TypeError(f"return value of type {type(v).__name__} is not JSON data")
    return walk(value, 0)


_TAGS = {tuple: "$t", set: "$s", frozenset: "$f"}
_BUILD = {"$t": tuple, "$s": set, "$f": frozenset}


def pack(value: object, depth: int = DEPTH) -> dict:
    """`{"v": tree, "n": [[class name, {attribute: tree}], ...]}`; trees are JSON with one-key tag dicts."""
    nodes: list = []
    index: dict[int, int] = {}
    pending: list = []

    def tree(v: object, level: int) -> object:
        if level > depth:
            raise _too_deep(depth)
        if v is None or isinstance(v, bool):
            return v
        if isinstance(v, int):
            return int.__int__(v)  # an int subclass arrives as its plain value, without its methods
        if isinstance(v, float):
            return float.__float__(v)
        if isinstance(v, str):
            return str.__str__(v)
        if isinstance(v, list):
            return [tree(x, level + 1) for x in v]
        if isinstance(v, dict):
            return {"$d": [[tree(k, level + 1), tree(x, level + 1)] for k, x in v.items()]}
        for kind, tag in _TAGS.items():
            if isinstance(v, kind):
                return {tag: [tree(x, level + 1) for x in v]}
        if not hasattr(v, "__dict__") or callable(v):
            raise TypeError(f"a value of type {type(v).__name__} cannot be passed as data")
        if id(v) not in index:
            index[id(v)] = len(nodes)
            nodes.append(None)
            pending.append(v)
        return {"$n": index[id(v)]}

    top = tree(value, 0)
    done = 0
    while done < len(pending):  # breadth first: long chains of objects never recurse
        obj = pending[done]
        nodes[done] = [type(obj).__name__, {str(k): tree(x, 1) for k, x in vars(obj).items()}]
        done += 1
    return {"v": top, "n": nodes} if nodes else {"v": top}


def unpack(packed: object, classes: dict, depth: int = DEPTH) -> object:
    """The value `pack` described, with objects rebuilt from `classes`; ValueError/TypeError when malformed."""
    if not isinstance(packed, dict) or "v" not in packed or set(packed) - {"v", "n"}:
        raise ValueError("malformed value")
    table = packed.get("n", [])
    if not isinstance(table, list):
        raise ValueError("malformed node table")
    objects = []
    for entry in table:
        if not (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
                and isinstance(entry[1], dict)):
            raise ValueError("malformed node")
        cls = classes.get(entry[0])
        if not isinstance(cls, type) or cls.__module__ == "builtins":
            raise TypeError(f"a value of type {entry[0][:80]} cannot be rebuilt here")
        objects.append(object.__new__(cls))

    def tree(t: object, level: int) -> object:
        if level > depth:
            raise _too_deep(depth)
        if t is None or isinstance(t, (bool, int, float, str)):
            return t
        if isinstance(t, list):
            return [tree(x, level + 1) for x in t]
        if not isinstance(t, dict) or len(t) != 1:
            raise ValueError("malformed value")
        (tag, body), = t.items()
        if tag == "$n" and isinstance(body, int) and not isinstance(body, bool) and 0 <= body < len(objects):
            return objects[body]
        if not isinstance(body, list):
            raise ValueError("malformed value")
        if tag == "$d":
            if not all(isinstance(p, list) and len(p) == 2 for p in body):
                raise ValueError("malformed dict")
            return {tree(k, level + 1): tree(v, level + 1) for k, v in body}
        if tag in _BUILD:
            return _BUILD[tag](tree(x, level + 1) for x in body)
        raise ValueError(f"unknown tag {tag[:20]!r}")

    for obj, (_, attrs) in zip(objects, table):
        obj.__dict__.update({str(k): tree(v, 1) for k, v in attrs.items()})
    return tree(packed["v"], 0)
