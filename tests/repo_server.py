"""A fake OpenAI server for repository-mode CLI tests: code requests get the next scripted reply; a request
after the script ends waits (as a slow model would) until the test is done with it."""
from __future__ import annotations

import time

from fake_openai import FakeOpenAI


class ScriptedReplies(FakeOpenAI):
    def __init__(self, replies: list[str], *, stall: float = 30.0):
        super().__init__()
        self.replies = list(replies)
        self.stall = stall

    def answer(self, body: dict) -> dict:
        if not self.replies:
            time.sleep(self.stall)
        text = self.replies.pop(0) if self.replies else "(no reply)"
        return {"id": "x", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
                "usage": {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16}}
