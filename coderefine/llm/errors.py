"""The engine's failures, in their own module so that the engine's parts (the response cache) can raise them.

The CLI turns a ModelConfigError into a usage error (exit 2) and any other EngineError into an environment
failure (exit 3).
"""
from __future__ import annotations


class EngineError(RuntimeError):
    """A call failed for good; the message names the model, the cause and what to do."""


class ModelConfigError(EngineError):
    """The model string or its options are wrong (a usage error to fix, not a failure to retry)."""
