"""LLM usage accounting: one Usage per call, summed per problem, method and run."""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Usage:
    llm_calls: int = 0          # calls answered by the model (cache hits excluded)
    cached_calls: int = 0       # calls answered from the disk cache
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cost: float = 0.0           # USD, where litellm knows the price

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Completion:
    text: str
    usage: Usage
    cached: bool = False
    texts: tuple[str, ...] = ()   # all choices when n > 1; texts[0] == text
