"""Everything about language models: the engine over litellm, the response cache, the embedded model."""
from __future__ import annotations

from typing import Protocol

from coderefine.llm.usage import Completion, Usage


class LLM(Protocol):
    """What methods need from a model: `coderefine.llm.engine.Engine`, or a scripted stand-in in tests."""
    model: str

    def complete(self, messages: list[dict], *, temperature: float = 0.0, seed: int | None = None,
                 max_tokens: int = 1024, n: int = 1) -> Completion: ...


__all__ = ["LLM", "Completion", "Usage"]
