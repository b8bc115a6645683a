"""`coderefine hook`: the pre-commit entry point. It runs the tests that cover the staged Python files (or the
configured selection); when they fail, it refines the implicated functions within a time budget, prints the
proposed diff and exits 1, so the commit stops. Files change only with --apply, and then it still exits 1,
so that the fix is reviewed and staged like a formatter's."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from coderefine.cli.output import ExitCode
from coderefine.cli.refine import guarded, run_repo
from coderefine.cli.repo_options import RepoArgs, repo_command
from coderefine.repo.hook import changed_files, changes_python, hook_selection
from coderefine.repo.refine import Request, prepare
from coderefine.repo.snapshot import read, relative, relative_item, repo_root, tracked

LABELS = {"hook_tests": "--tests", "hook_time_budget": "--time-budget"}


@repo_command
def hook(
    files: Optional[list[str]] = typer.Argument(None, help="The changed files (pre-commit passes the staged ones); "
                                                "default: the files staged in git. Staged deletions and renames "
                                                "count too."),
    hook_tests: Optional[list[str]] = typer.Option(None, "--tests", help="Tests to run instead of those covering "
                                                   "the files (repeatable); setting hook_tests."),
    hook_time_budget: Optional[float] = typer.Option(None, "--time-budget", help="Seconds for refining when tests "
                                                     "fail; setting hook_time_budget."),
    *, args: RepoArgs,
) -> None:
    """Pre-commit hook: exit 0 when the tests covering the staged files pass; otherwise propose a fix (written
    only with --apply) and exit 1."""
    ui = args.ui
    resolved = args.resolve(ui, LABELS, hook_tests=tuple(hook_tests) if hook_tests else None,
                            hook_time_budget=hook_time_budget)
    settings = resolved.settings
    root = guarded(repo_root, Path.cwd())
    listing = guarded(lambda: tracked(root, staged=True))
    configured = [guarded(relative_item, root, p) for p in hook_tests] if hook_tests else list(settings.hook_tests)
    changed = guarded(changed_files, root, [guarded(relative, root, f) for f in files or ()])
    selection = guarded(hook_selection, listing, configured, changed)
    reason = ("no tests cover the staged Python files" if changes_python(changed)
              else "the commit changes no Python file")
    if not selection:
        ui.note(f"{reason}; nothing to check")
    else:   # only now the whole copy is read, and held to --max-repo-mb
        snapshot = guarded(read, listing, args.max_repo_mb)
        request = Request(root=root, tests=selection, **args.request_fields())
        prepared = guarded(prepare, request, snapshot)
        _, outcome = run_repo(ui, prepared, args, resolved, settings.hook_time_budget, skipped_ok=True)
        if outcome is not None:
            raise typer.Exit(ExitCode.OK if outcome.status == "passing" else ExitCode.FAILED)
        reason = "no covering test ran (every one skipped, or none collected)"
    if args.as_json:
        ui.document({"status": "untested", "reason": reason, "files": changed})
    raise typer.Exit(ExitCode.OK)
