"""A time budget for a method run, without touching the methods: the model behind a deadline refuses calls
once it has passed, which a method meets as its budget running out (its best candidate so far stands)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from coderefine.llm import LLM, Completion
from coderefine.loop import BudgetExhausted


@dataclass
class Deadline:
    """`llm` until `seconds` after creation; then every call raises BudgetExhausted."""
    llm: LLM
    seconds: float
    started: float = field(default_factory=time.monotonic)

    @property
    def model(self) -> str:
        return self.llm.model

    @property
    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def complete(self, messages: list[dict], **options) -> Completion:
        if self.left <= 0:
            raise BudgetExhausted(f"time budget of {self.seconds:g} s spent")
        return self.llm.complete(messages, **options)
