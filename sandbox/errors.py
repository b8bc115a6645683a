"""Exceptions the sandbox raises to its callers."""
from __future__ import annotations


class SandboxError(RuntimeError):
    """Base class: the sandbox itself failed (not the candidate)."""


class SandboxUnavailable(SandboxError):
    """No usable backend; the message says what to install or start."""
