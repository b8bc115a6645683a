"""What commands need from the machine (the sandbox, a model), with the exit code of each failure: a wrong
model name is the user's to fix (2); an unreachable model or unusable sandbox is the environment's (3)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from coderefine.cli.output import ExitCode, Output, fail


@contextmanager
def environment_errors() -> Iterator[None]:
    """Engine and sandbox failures inside the block become clear messages with their exit code."""
    from coderefine.llm.engine import EngineError, ModelConfigError
    from sandbox import SandboxError
    try:
        yield
    except ModelConfigError as exc:
        fail(str(exc), ExitCode.USAGE)
    except (EngineError, SandboxError) as exc:
        fail(str(exc), ExitCode.ENVIRONMENT)


def open_sandbox(backend: str, ui: Output, slots: int = 2):
    """The sandbox for `backend` (a validated setting), running up to `slots` programs at once; -v says which
    backend was picked and why."""
    from sandbox import Sandbox
    with environment_errors():
        box = Sandbox(backend=backend, slots=slots)
    ui.detail(f"sandbox: {box.reason}")
    return box
