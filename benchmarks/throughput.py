"""Aggregate generation throughput of the embedded models at 1, 2, 4 and 8 llama-server slots.

For each (model, slots) it starts a private server (not the shared one), warms it up,
then sends `slots * rounds` requests at once through the Engine, exactly as the
refinement loop does, and reports completion tokens / wall seconds.

    .venv/bin/python benchmarks/throughput.py --models 0.5b 1.5b --slots 1 2 4 8
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from coderefine.llm import build as llama_build, server as llama_server, files as model_files
from coderefine.llm.engine import Engine
from coderefine.llm.serving import ServerOptions

PROMPT = ("Write a Python function `merge_intervals(intervals)` that merges overlapping intervals, "
          "with a docstring and three example calls.")


def measure(spec: model_files.ModelSpec, slots: int, *, rounds: int, max_tokens: int, log_dir: Path) -> dict:
    config = llama_server.ServerConfig(binary=llama_build.server_binary(), model_path=model_files.model_path(spec),
                                       options=ServerOptions(slots=slots))
    state = llama_server.start(config, log_dir / f"{spec.name}-{slots}.log")
    try:
        engine = Engine(f"openai/{spec.name}", api_base=state.api_base, cache=False, concurrency=slots)
        messages = [{"role": "user", "content": PROMPT}]
        engine.complete(messages, max_tokens=8)                      # warm-up: page in the weights
        requests = slots * rounds
        started = time.monotonic()
        with ThreadPoolExecutor(requests) as pool:
            done = list(pool.map(lambda seed: engine.complete(messages, temperature=0.7, seed=seed,
                                                              max_tokens=max_tokens), range(requests)))
        seconds = time.monotonic() - started
    finally:
        llama_server.terminate(state.pid)
    tokens = sum(c.usage.completion_tokens for c in done)
    return {"model": spec.name, "slots": slots, "requests": requests, "completion_tokens": tokens,
            "seconds": round(seconds, 2), "tokens_per_s": round(tokens / seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["0.5b", "1.5b"])
    parser.add_argument("--slots", nargs="+", type=int, default=[1, 2, 4, 8])
    parser.add_argument("--rounds", type=int, default=2, help="requests per slot")
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sk-local")   # llama-server ignores it; the OpenAI client wants one

    missing = [m for m in args.models if not model_files.is_present(model_files.find_spec(m))]
    if missing or not llama_build.is_built():
        raise SystemExit(f"run `coderefine model pull {' '.join(missing) or '0.5b'}` and `coderefine model build` first")
    rows = []
    with tempfile.TemporaryDirectory() as logs:
        for name in args.models:
            for slots in args.slots:
                row = measure(model_files.find_spec(name), slots, rounds=args.rounds,
                              max_tokens=args.max_tokens, log_dir=Path(logs))
                rows.append(row)
                print(json.dumps(row), flush=True)
    print(f"\nmachine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, threads per server = cores")
    print("| model | slots | requests | completion tokens | seconds | aggregate tokens/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r['model']} | {r['slots']} | {r['requests']} | {r['completion_tokens']} | {r['seconds']} "
              f"| {r['tokens_per_s']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
