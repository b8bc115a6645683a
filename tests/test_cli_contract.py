"""What every `coderefine` command promises, checked across the whole command tree: `-h`, `--version`,
`--json` (errors too), documented exit codes, effective defaults in `--help`, plain output in a pipe."""
import importlib
import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from coderefine.cli import app
from coderefine.cli.output import ExitCode

ROOT = Path(__file__).parents[1]
runner = CliRunner()


def commands(group=None, path=()):
    """Every leaf command as its path of names (bench's group callback is a command too)."""
    group = group or typer.main.get_command(app)
    for name, command in group.commands.items():
        if name == "bench":
            yield (name,)
        if hasattr(command, "commands"):
            yield from commands(command, (*path, name))
        else:
            yield (*path, name)


LEAVES = sorted(commands())


def test_the_tree_is_what_we_think():
    assert {"solve", "methods", "config"} | {("problems", "check"), ("model", "stop"), ("cache", "clear")} \
        <= {leaf[0] if len(leaf) == 1 else leaf for leaf in LEAVES}


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_every_command_has_short_help_json_and_version(path):
    short, long = runner.invoke(app, [*path, "-h"]), runner.invoke(app, [*path, "--help"])
    assert short.exit_code == 0 and short.stdout == long.stdout and "Usage:" in short.stdout
    assert "--json" in short.stdout
    version = runner.invoke(app, [*path, "--version"])
    assert version.exit_code == 0 and re.fullmatch(r"coderefine \d+\.\d+\.\d+\n", version.stdout)


def test_version_and_exit_codes_at_the_top():
    assert runner.invoke(app, ["--version"]).stdout.startswith("coderefine ")
    top = runner.invoke(app, ["-h"])
    assert top.exit_code == 0 and "--version" in top.stdout and "130 interrupted" in top.stdout


def test_exit_codes_are_fixed_and_listed_in_the_readme():
    assert {c.name: int(c) for c in ExitCode} == {"OK": 0, "FAILED": 1, "USAGE": 2, "ENVIRONMENT": 3, "INTERNAL": 4,
                                                  "INTERRUPTED": 130}
    readme = (ROOT / "README.md").read_text()
    for code in ExitCode:
        assert re.search(rf"^\| `{int(code)}` \|", readme, re.M), f"README lacks exit code {int(code)}"


@pytest.mark.parametrize("as_json", [False, True])
def test_a_bug_exits_4_with_one_line_and_the_traceback_in_a_file(tmp_path, monkeypatch, as_json):
    """An unexpected exception is never exit 1 ("not solved") and never a bare traceback."""
    methods_cli = importlib.import_module("coderefine.cli.methods")   # the package attribute is the command
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path))
    monkeypatch.setattr(methods_cli, "METHODS", None)   # listing the methods now raises TypeError
    result = runner.invoke(app, ["methods"] + (["--json"] if as_json else []))
    assert result.exit_code == 4 and "Traceback" not in result.output
    message = json.loads(result.stdout)["error"]["message"] if as_json else result.stderr
    assert "internal error, a bug in coderefine: " in message
    saved = list((tmp_path / "crashes").iterdir())
    assert len(saved) == 1 and "Traceback" in saved[0].read_text() and str(saved[0]) in message


@pytest.mark.parametrize("args", [["solve", "x", "--seed", "429496"], ["refine", "f.py::g", "--seed", "429496"],
                                  ["model", "chat", "hi", "--seed", str(2 ** 32 - 1)]])
def test_a_seed_that_would_wrap_in_32_bits_is_refused(args):
    """llama.cpp keeps seeds in 32 bits (2**32 - 1 meaning random), and each call's seed derives from the run's."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--seed" in result.stderr


def test_parser_errors_are_plain_text_or_a_json_object():
    plain = runner.invoke(app, ["solve", "x", "--max-iters", "two"])
    assert plain.exit_code == 2 and "Error: Invalid value for '--max-iters'" in plain.stderr and "╭" not in plain.stderr
    as_json = runner.invoke(app, ["solve", "x", "--max-iters", "two", "--json"])
    error = json.loads(as_json.stdout)["error"]
    assert as_json.exit_code == 2 and error["kind"] == "usage" and "--max-iters" in error["message"]
    unknown = runner.invoke(app, ["problems", "lst", "--json"])
    assert unknown.exit_code == 2 and "No such command 'lst'" in json.loads(unknown.stdout)["error"]["message"]


def test_help_shows_the_defaults_in_effect_and_their_origin(tmp_path, monkeypatch):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.coderefine]\nmodel = "gpt-4o"\nmax_iters = 2\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")   # one option per line
    text = runner.invoke(app, ["solve", "-h"]).stdout
    assert f"[default: (gpt-4o, from {pyproject} [tool.coderefine])]" in text
    assert f"[default: (2, from {pyproject} [tool.coderefine])]" in text
    for default in ("(coderefine:expansions=0,examples=on)", "(0.3)", "(auto)", "(the method's default)"):
        assert f"[default: {default}]" in text


def test_refine_and_hook_help_show_a_configured_method_and_hook_tests_over_their_own_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "400")
    for name in ("refine", "hook"):
        text = runner.invoke(app, [name, "-h"]).stdout
        assert "built-in default coderefine." in text and "[default: (coderefine" not in text   # not solve's
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.coderefine]\nmethod = "resample"\nhook_tests = ["tests"]\n')
    for name in ("refine", "hook"):
        assert f"[default: (resample, from {pyproject} [tool.coderefine])]" in runner.invoke(app, [name, "-h"]).stdout
    assert f"[default: (('tests',), from {pyproject} [tool.coderefine])]" in runner.invoke(app, ["hook", "-h"]).stdout


def test_a_deleted_working_folder_is_named_and_help_still_works(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path / "cache"))
    config = runner.invoke(app, ["config"])
    assert config.exit_code == 2 and "the working folder no longer exists" in config.stderr
    assert runner.invoke(app, ["solve", "-h"]).exit_code == 0


def test_config_prints_each_setting_and_where_it_came_from(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\nbackend = "bwrap"\n')
    monkeypatch.chdir(tmp_path)
    rows = {r["key"]: r for r in json.loads(runner.invoke(app, ["config", "--json"]).stdout)["settings"]}
    assert rows["backend"] == {"key": "backend", "value": "bwrap", "source": f"{tmp_path / 'pyproject.toml'} [tool.coderefine]"}
    assert rows["model"]["source"] == "default" and rows["max_iters"]["value"] is None
    plain = runner.invoke(app, ["config"]).stdout.splitlines()
    assert plain[0] == "key\tvalue\tsource" and f"backend\tbwrap\t{tmp_path / 'pyproject.toml'} [tool.coderefine]" in plain
    (tmp_path / "pyproject.toml").write_text('[tool.coderefine]\nbackend = "bwarp"\n')
    broken = runner.invoke(app, ["config"])
    assert broken.exit_code == 2 and "unknown backend 'bwarp' (did you mean bwrap?)" in broken.stderr


def test_piped_tables_are_plain_and_never_cut():
    listed = runner.invoke(app, ["problems", "list"])
    assert listed.exit_code == 0
    assert "bakery-worst-delay\tBakery Worst Delay\tMedium\tgreedy with exchange argument, sorting\t3\t50" \
        in listed.stdout.splitlines()
    assert "…" not in listed.stdout and "┃" not in listed.stdout
    listing = runner.invoke(app, ["methods"])
    methods = listing.stdout.splitlines()
    assert methods[0] == "method\tsummary\tdefault budget"
    assert "defaults: solve runs coderefine:expansions=0,examples=on, refine and hook run coderefine" in listing.stderr
    assert "simple-refine\tzero-shot, then critique -> rewrite on visible-test failures; keeps the best\t4 iterations" \
        in methods


@pytest.mark.parametrize("args", [["--help"], ["problems", "list"], ["methods"]], ids=" ".join)
def test_a_reader_that_goes_away_is_not_a_crash(tmp_path, args):
    """`coderefine ... | head`: the pipe's reader is gone before the command writes. Exit 1 quietly, as Rich
    and Click do, with no "internal error" and no crash report (plain listings used to raise BrokenPipeError
    through our error handler, which reported it as a bug)."""
    import os
    import subprocess
    import sys
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([sys.executable, "-m", "coderefine", *args], stdout=write, stderr=subprocess.PIPE,
                              text=True, env={**os.environ, "CODEREFINE_CACHE": str(tmp_path)}, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == ExitCode.FAILED, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr and "Exception" not in done.stderr
    assert not (tmp_path / "crashes").exists()
