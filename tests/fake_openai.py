"""A tiny OpenAI-compatible HTTP server for engine tests: real sockets, real litellm, no network.

It answers /v1/chat/completions with text that echoes the request (so tests can see
the seed really arrived), can be scripted to fail with given status codes or to
stall, and records the largest number of requests it was serving at once.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self, *, failures: list[int] | None = None, delay: float = 0.0, timings: dict | None = None):
        self.failures = list(failures or [])   # status codes to answer first, one per request
        self.timings = timings                 # llama-server's `timings` object, added to every answer
        self.delay = delay
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> "FakeOpenAI":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with fake._lock:
                    fake.requests.append(body)
                    status = fake.failures.pop(0) if fake.failures else 200
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    time.sleep(fake.delay)
                    payload = fake.answer(body) if status == 200 else {"error": {"message": f"scripted {status}"}}
                    if status == 200 and fake.timings:
                        payload["timings"] = fake.timings
                    data = json.dumps(payload).encode()
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

        return Handler

    @staticmethod
    def answer(body: dict) -> dict:
        prompt = body["messages"][-1]["content"]
        choices = [{"index": i, "finish_reason": "stop",
                    "message": {"role": "assistant",
                                "content": f"seed={body.get('seed')} t={body.get('temperature')} "
                                           f"choice={i} echo={prompt}"}}
                   for i in range(body.get("n") or 1)]
        return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()),
                "model": body["model"], "choices": choices,
                "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 7,
                          "total_tokens": len(prompt.split()) + 7}}
