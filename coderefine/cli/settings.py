"""Settings at the command line: resolving them for a command, showing them in `--help`, `-v` and
`coderefine config`, each value with where it came from (default, a pyproject.toml, or a flag)."""
from __future__ import annotations

from typing import Any, Collection, Mapping

import typer

from coderefine.cli.output import JsonOpt, Output, fail
from coderefine.config import DEFAULT, Resolved, SettingsError, check, flag, resolve

# The embedded model's server settings, as options of every command that may start it.
SlotsOpt = typer.Option(None, help="Requests the embedded model's server decodes at once, 1 to 64.")
CtxPerSlotOpt = typer.Option(None, help="Context tokens per slot of the embedded model's server.")
SpeculationOpt = typer.Option(None, help="Speculative decoding of the embedded model: none | ngram-simple | "
                                         "ngram-map-k | ngram-map-k4v | ngram-mod | draft.")
DraftModelOpt = typer.Option(None, help="The embedded model that drafts tokens with --speculation draft.")
DraftMaxOpt = typer.Option(None, help="Most tokens drafted per decoding step, 1 to 256.")


def resolve_settings(labels: Mapping[str, str] | None = None, **flags: Any) -> Resolved:
    """The settings for a command from its flags (None: not given); a bad value stops it before any work."""
    try:
        return resolve(flags, labels=labels)
    except SettingsError as exc:
        fail(str(exc))


def check_option(key: str, value: Any, label: str | None = None) -> Any:
    """A command's own option checked by the rule of the setting `key` (e.g. chat's --temperature)."""
    try:
        return check(key, value, label or flag(key))
    except SettingsError as exc:
        fail(str(exc))


def shown(value: Any) -> str:
    return "the method's default" if value is None else str(value)


def _with_origin(row: dict, template: str) -> str:
    """A setting's value, then `template` filled with where it came from unless it is built in."""
    return shown(row["value"]) + ("" if row["source"] == DEFAULT else template.format(row["source"]))


def effective_defaults() -> dict[str, tuple[str, bool]]:
    """What `--help` shows for options that default to a setting: the value here, and its origin unless
    built in; and whether a file or the environment set it. Empty when the settings do not load, so help
    still works (the command then says why)."""
    try:
        rows = resolve().rows()
    except SettingsError:
        return {}
    return {r["key"]: (_with_origin(r, ", from {}"), r["source"] != DEFAULT) for r in rows}


def settings_line(resolved: Resolved, keys: Collection[str] | None = None) -> str:
    """One line for `-v`: the settings the command uses (`keys`, default all), and the origin of those that
    are not defaults."""
    return "settings: " + ", ".join(f"{r['key']}={_with_origin(r, ' ({})')}" for r in resolved.rows()
                                    if keys is None or r["key"] in keys)


def config(as_json: bool = JsonOpt) -> None:
    """Print each setting in effect in this folder and where it came from."""
    rows = resolve_settings().rows()
    if as_json:
        Output(json=True).document({"settings": rows})
    else:
        Output().table(("key", "value", "source"), [(r["key"], shown(r["value"]), r["source"]) for r in rows])
