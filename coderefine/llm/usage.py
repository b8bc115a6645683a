"""LLM usage accounting: one Usage per call, summed per candidate, run, method and benchmark."""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Usage:
    llm_calls: int = 0          # calls answered by the model
    cached_calls: int = 0       # calls answered from the disk cache
    prompt_tokens: int = 0      # of the calls the model answered
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0      # what the cached calls cost when the model first answered them
    cached_completion_tokens: int = 0
    seconds: float = 0.0
    cost: float = 0.0           # USD, where litellm knows the price
    prompt_cached_tokens: int = 0      # of prompt_tokens, those the server took from its prompt (KV) cache
    draft_tokens: int = 0              # tokens speculative decoding proposed (llama-server)
    draft_accepted: int = 0            # of those, the ones the model kept

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def calls(self) -> int:
        """Every call, cached or not: what a budget counts."""
        return self.llm_calls + self.cached_calls

    @property
    def tokens(self) -> int:
        """Every prompt and completion token, cached or not: what a budget counts."""
        return (self.prompt_tokens + self.completion_tokens
                + self.cached_prompt_tokens + self.cached_completion_tokens)

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Completion:
    text: str
    usage: Usage
    cached: bool = False
    texts: tuple[str, ...] = ()   # all choices when n > 1; texts[0] == text
