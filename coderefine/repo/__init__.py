"""Repository mode: optimise functions of a real repository against its own pytest tests.

One job per module, plain data between them:
    snapshot   the repository's git-tracked files (a copy, with a size limit)
    targets    FILE::func and every function definition in a file, located with tree-sitter
    selection  which tests to run: a --tests selection, or the tests that cover changed files
    runner     how pytest runs only those tests in the sandbox, and what comes back (a Report, call traces)
    select_plugin  the pytest plugin copied into the sandbox: selection, a time limit per test, call traces
    rank       which functions the failing tests implicate (traceback frames and call traces)
    splice     a candidate's functions written back into their files, re-indented
    problem    the Problem a method sees: the failing tests, the functions, their context
    loss       PytestLoss: candidate code -> spliced files -> pytest in the sandbox -> Report
    deadline   an LLM that refuses calls after a time budget
    refine     the whole run: baseline, variables, method, result
    apply      unified diffs, and the atomic write that refuses a file changed since it was read
    hook       the pre-commit entry: the staged files and the tests that cover them
"""
from __future__ import annotations


class RepoError(ValueError):
    """Bad input in repository mode (a path, a function, a test selection, the repository itself); the
    message says what is wrong and what exists instead. Nothing has been changed when it is raised."""
