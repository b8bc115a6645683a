"""A scripted stand-in for `coderefine.llm.engine.Engine`: replies come from a list, calls are recorded."""
from __future__ import annotations

from coderefine.llm.usage import Completion, Usage


class ScriptedLLM:
    def __init__(self, replies: list[str], model: str = "scripted"):
        self.replies = list(replies)
        self.model = model
        self.calls: list[dict] = []

    def complete(self, messages, *, temperature=0.0, seed=None, max_tokens=1024, n=1) -> Completion:
        self.calls.append({"messages": messages, "temperature": temperature, "seed": seed})
        if not self.replies:
            raise AssertionError("the loop asked for more LLM calls than scripted")
        text = self.replies.pop(0)
        return Completion(text=text, usage=Usage(llm_calls=1, prompt_tokens=10, completion_tokens=len(text.split())))
