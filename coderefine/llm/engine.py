"""Every LLM call goes through Engine.complete: litellm, a disk cache, retries, a concurrency bound, usage.

`local/<model>` names are served by our embedded llama-server (started lazily,
shared across processes); any other name goes to litellm unchanged, so hosted
and local models share one code path.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Protocol

from coderefine.llm.cache import CacheError, LLMCache, request_key
from coderefine.llm.errors import EngineError, ModelConfigError
from coderefine.llm.keylocks import KeyLocks
from coderefine.llm.local import LOCAL_PREFIX, LocalModel, LocalModelError, is_local
from coderefine.llm.serving import ServerOptions
from coderefine.llm.usage import Completion, Usage

# Variables litellm lists as missing although it has a default: Ollama is reached at localhost:11434.
_DEFAULTED = frozenset({"OLLAMA_API_BASE"})
# Where litellm finds the endpoint of a provider when no api_base is given; any other provider reads
# <PROVIDER>_API_BASE.
_BASE_VARIABLES = {"openai": ("OPENAI_BASE_URL", "OPENAI_API_BASE"), "ollama_chat": ("OLLAMA_API_BASE",),
                   "anthropic": ("ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL")}


class Notes(Protocol):
    """Where the engine tells its user something it does not fail on; `cli.output.Output` is one."""

    def note(self, text: str) -> None:
        """Worth reading in any run (a warning)."""

    def detail(self, text: str) -> None:
        """Only for readers who asked for more (-v)."""


class _Stderr:
    """Notes outside the CLI: warnings on stderr, details dropped."""

    def note(self, text: str) -> None:
        print(text, file=sys.stderr)

    def detail(self, text: str) -> None:
        pass


def _litellm():
    """Imported on first use: litellm takes seconds to import, and most CLI commands never need it."""
    # litellm otherwise fetches its price table from GitHub on import (slow, and offline here).
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm
    litellm.suppress_debug_info = True  # it would print help banners into our --json output
    return litellm


class Engine:
    def __init__(self, model: str, *, cache: bool = True, cache_dir: Path | None = None,
                 timeout: float = 600, retries: int = 3, concurrency: int = 4, api_base: str | None = None,
                 backoff: float = 1.0, record: Path | None = None, serving: ServerOptions = ServerOptions(),
                 notes: Notes = _Stderr()):
        """backoff: seconds before the first retry, doubled for each further one. record: a JSONL file that
        gets every request and its reply (default `$CODEREFINE_RECORD`), e.g. for the replay benchmark.
        serving: how the embedded server of a `local/` model runs (slots, context, speculation).
        notes: where warnings (a reply that could not be cached) and -v details go."""
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.model = model
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._api_base = api_base
        self._notes = notes
        self._cache = LLMCache(cache_dir / "responses.sqlite" if cache_dir else None) if cache else None
        self._local: LocalModel | None = None
        if is_local(model):
            if api_base is not None:
                raise ModelConfigError(f"{model}: api_base is for litellm models; local models run their own server")
            try:
                self._local = LocalModel(model, options=serving)
            except LocalModelError as exc:
                raise EngineError(str(exc)) from exc
        # The cache files `local/1.5b` and `local/qwen2.5-coder-1.5b` under one name: they are one model.
        self._key_model = f"{LOCAL_PREFIX}{self._local.spec.name}" if self._local is not None else model
        self._slots = threading.BoundedSemaphore(concurrency)
        self._pending = KeyLocks()
        self._usage = Usage()
        self._usage_lock = threading.Lock()
        self._checked = False
        self._check_lock = threading.Lock()
        self._route: tuple[str, str] | None = None   # litellm's (model, provider), asked once
        self._sends_seed = True   # False for providers that refuse a seed (Anthropic, Bedrock)
        record = record or (Path(os.environ["CODEREFINE_RECORD"]) if os.environ.get("CODEREFINE_RECORD") else None)
        self._record = _writable(record) if record is not None else None

    # --- public API ------------------------------------------------------------------------

    def complete(self, messages: list[dict], *, temperature: float = 0.0, seed: int | None = None,
                 max_tokens: int = 1024, n: int = 1) -> Completion:
        """One chat completion. Cached unless the request is deliberately random
        (temperature > 0 without a seed), since a cache would then defeat resampling."""
        _check_messages(messages)
        request = {"model": self._key_model, "api_base": self._endpoint(), "messages": messages,
                   "temperature": temperature, "seed": seed, "max_tokens": max_tokens, "n": n}
        if self._local is not None and (decoding := self._local.options.decoding()):
            request["decoding"] = decoding   # speculation may change replies: never serve one made without it
        if self._cache is not None and (temperature == 0 or seed is not None):
            key = request_key(request)
            with self._pending.hold(key):   # the same request from another thread waits for this one's reply
                completion = self._cached(key, lambda: self._call(
                    messages, temperature=temperature, seed=seed, max_tokens=max_tokens, n=n))
        else:
            completion = self._call(messages, temperature=temperature, seed=seed, max_tokens=max_tokens, n=n)
        with self._usage_lock:
            self._usage = self._usage + completion.usage
            if self._record is not None:
                self._write_record({**request, "reply": completion.text, "cached": completion.cached,
                                    "usage": completion.usage.to_dict()})
        return completion

    def _write_record(self, entry: dict) -> None:
        """A record with a gap would mislead its replay, so a failed write stops the run."""
        try:
            with open(self._record, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry) + "\n")
        except OSError as exc:
            raise EngineError(f"cannot append to the record file {self._record}: {exc.strerror or exc}; "
                              "free space there, or unset CODEREFINE_RECORD") from exc

    def _cached(self, key: str, call) -> Completion:
        """The stored reply to `key`, or a new one stored. A reply that another process stored meanwhile
        replaces ours (the first answer to a request stays its answer); the usage is still what we spent.
        A reply without choices is not stored (it would be served on every rerun), and a reply that cannot
        be stored is still returned: it was paid for."""
        if (hit := self._cache.get(key)) is not None:
            usage = Usage(cached_calls=1, cached_prompt_tokens=hit.get("prompt_tokens", 0),
                          cached_completion_tokens=hit.get("completion_tokens", 0))
            return Completion(text=hit["texts"][0], usage=usage, cached=True, texts=tuple(hit["texts"]))
        completion = call()
        if not completion.texts:
            return completion
        try:
            stored = self._cache.put(key, {"texts": list(completion.texts),
                                           "prompt_tokens": completion.usage.prompt_tokens,
                                           "completion_tokens": completion.usage.completion_tokens})
        except CacheError as exc:
            self._notes.note(f"warning: this reply was not cached: {exc}")
            return completion
        if tuple(stored["texts"]) != completion.texts:
            completion = Completion(text=stored["texts"][0], usage=completion.usage, cached=False,
                                    texts=tuple(stored["texts"]))
        return completion

    def check(self) -> None:
        """Fails fast on a model string litellm cannot route or lacks keys for, before any other work
        (a no-op for local models, which need no keys)."""
        if self._local is None:
            self._check_model(_litellm())

    @property
    def usage(self) -> Usage:
        with self._usage_lock:
            return Usage(**self._usage.to_dict())

    def close(self) -> None:
        """Leaves the shared local server (stopping it if we were its last client)."""
        if self._local is not None:
            self._local.close()

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- calling the model -----------------------------------------------------------------

    def _call(self, messages: list[dict], **params) -> Completion:
        litellm = _litellm()
        self._check_model(litellm)
        if not self._sends_seed:
            params.pop("seed")   # still in the cache key: replies to different seeds stay apart
        started = time.monotonic()
        restarted = False
        attempt = 0
        while True:
            try:
                with self._slots:
                    response = litellm.completion(messages=messages, timeout=self.timeout, num_retries=0,
                                                  max_retries=0, **self._target(), **params)
                break
            except LocalModelError as exc:
                raise EngineError(str(exc)) from exc
            except Exception as exc:  # litellm raises many types; classify below
                # A dying server surfaces as several exception types (connection error, disconnect
                # mapped to a 500, ...), so ask the server itself rather than the exception.
                if self._local is not None and not restarted and self._recover_local():
                    restarted = True  # the server had died: restarted, retry once at no cost
                    continue
                if not _retryable(litellm, exc) or attempt >= self.retries:
                    raise EngineError(self._explain(exc, attempt)) from exc
                time.sleep(self.backoff * 2 ** attempt)
                attempt += 1
        return self._completion(litellm, response, time.monotonic() - started)

    def _target(self) -> dict:
        if self._local is not None:
            return self._local.litellm_args()
        return {"model": self.model, **({"api_base": self._api_base} if self._api_base else {})}

    def _recover_local(self) -> bool:
        try:
            return self._local.recover()
        except LocalModelError as exc:
            raise EngineError(f"{self.model}: the local server died and could not be restarted: {exc}") from exc

    def _provider(self, litellm) -> tuple[str, str]:
        """litellm's (model, provider) for our model string; a string it cannot route is a usage error."""
        if self._route is None:
            try:
                model, provider, _, _ = litellm.get_llm_provider(self.model, api_base=self._api_base)
            except Exception as exc:
                raise ModelConfigError(
                    f"unknown model {self.model!r}: litellm cannot tell which provider serves it. Use a litellm "
                    "model string such as `gpt-4o`, `anthropic/claude-3-5-sonnet-latest`, `ollama/qwen2.5-coder`, "
                    "or a local model: `local/qwen2.5-coder-1.5b`.") from exc
            self._route = (model, provider)
        return self._route

    def _endpoint(self) -> str | None:
        """Where the request goes, for the cache key: api_base, else the provider's environment variable
        (OPENAI_BASE_URL, ...), since one model name at two endpoints may be two models. None for local
        models and default endpoints, as keys always had."""
        if self._local is not None or self._api_base:
            return self._api_base
        provider = self._provider(_litellm())[1]
        names = _BASE_VARIABLES.get(provider, (f"{provider.upper()}_API_BASE",))
        return next((os.environ[name] for name in names if os.environ.get(name)), None)

    def _check_model(self, litellm) -> None:
        """Fails fast, with a useful message, on a model string litellm cannot route or lacks keys for; learns
        whether the provider takes a seed (litellm refuses one for Anthropic and Bedrock)."""
        with self._check_lock:
            if self._checked or self._local is not None:
                return
            model, provider = self._provider(litellm)
            env = litellm.validate_environment(model=self.model, api_base=self._api_base)
            missing = [key for key in env.get("missing_keys") or () if key not in _DEFAULTED]
            if not env.get("keys_in_environment", True) and missing:
                keyless = (f"; a server at {self._api_base} that needs no key takes any value"
                           if self._api_base else "")
                raise EngineError(f"model {self.model!r} needs {', '.join(missing)} in the environment; "
                                  f"export it{keyless} (or pick another --model, e.g. local/qwen2.5-coder-1.5b)")
            supported = litellm.get_supported_openai_params(model=model, custom_llm_provider=provider)
            self._sends_seed = supported is None or "seed" in supported
            if not self._sends_seed:
                self._notes.detail(f"{self.model}: {provider} takes no seed, so none is sent; the seed still "
                                   "keeps cached replies apart, but replies may not repeat")
            self._checked = True

    def _explain(self, exc: Exception, attempt: int) -> str:
        cause = str(exc).strip().splitlines()[0].rstrip(".") if str(exc).strip() else type(exc).__name__
        tries = f" after {attempt + 1} attempts" if attempt else ""
        # litellm's "Connection error" names no address: say which one, since a mistyped --api-base is common.
        endpoint = f" (endpoint {where})" if self._local is None and (where := self._endpoint()) else ""
        hint = (" Check `coderefine model status`; `coderefine model stop` resets the server."
                if self._local is not None else f" Check the model name, API key and network{endpoint}.")
        if self._local is not None and (crash := self._local.crash_report()):
            hint += f"\n{crash}"
        return f"LLM call to {self.model} failed{tries}: {type(exc).__name__}: {cause}.{hint}"

    def _completion(self, litellm, response, seconds: float) -> Completion:
        texts = tuple(choice.message.content or "" for choice in response.choices)
        usage = getattr(response, "usage", None)
        cost = 0.0
        if self._local is None:
            try:
                cost = float(litellm.completion_cost(completion_response=response) or 0.0)
            except Exception:  # litellm has no price for this model
                cost = 0.0
        # llama-server reports its prompt cache and drafts in `timings`; hosted APIs report cached prompt
        # tokens in usage.prompt_tokens_details.
        timings = getattr(response, "timings", None) or {}
        details = getattr(usage, "prompt_tokens_details", None)
        return Completion(text=texts[0] if texts else "", texts=texts, usage=Usage(
            llm_calls=1, prompt_tokens=getattr(usage, "prompt_tokens", 0) or 0,
            completion_tokens=getattr(usage, "completion_tokens", 0) or 0, seconds=seconds, cost=cost,
            prompt_cached_tokens=int(timings.get("cache_n") or getattr(details, "cached_tokens", 0) or 0),
            draft_tokens=int(timings.get("draft_n") or 0), draft_accepted=int(timings.get("draft_n_accepted") or 0)))


def _retryable(litellm, exc: Exception) -> bool:
    """Timeouts, 429s, 5xx and dropped connections are worth retrying; bad requests and auth are not."""
    if "credentials" in str(exc).lower() or "api_key" in str(exc).lower():
        return False
    if isinstance(exc, (litellm.Timeout, litellm.RateLimitError, litellm.APIConnectionError,
                        litellm.ServiceUnavailableError, litellm.InternalServerError, litellm.BadGatewayError)):
        return True
    status = getattr(exc, "status_code", None)
    return isinstance(status, int) and (status == 429 or status >= 500)


def _writable(record: Path) -> Path:
    """The record file, opened once up front: a path that cannot be written stops the run before any call."""
    try:
        with open(record, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise ModelConfigError(f"cannot write the record file {record} (CODEREFINE_RECORD): "
                               f"{exc.strerror or exc}; choose a writable path") from exc
    return record


def _check_messages(messages: list[dict]) -> None:
    if not isinstance(messages, list) or not messages or not all(
            isinstance(m, dict) and "role" in m and "content" in m for m in messages):
        raise ValueError("messages must be a non-empty list of {'role': ..., 'content': ...} dicts")
