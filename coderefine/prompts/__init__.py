"""Prompt templates: plain-text files beside this module, filled with `string.Template` ($name).

`$` placeholders (not `{}`) so code containing braces needs no escaping.
"""
from __future__ import annotations

from functools import cache
from importlib import resources
from string import Template


@cache
def _template(name: str) -> Template:
    return Template(resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8"))


def render(name: str, **values: str) -> str:
    """Fill template `name`; a missing value is a programming error and raises KeyError."""
    return _template(name).substitute(values)
