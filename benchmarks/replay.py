"""Replay a fixed set of real refinement requests against fresh private llama-servers, one per setting.

The set (benchmarks/replay/requests.jsonl, built by benchmarks/replay_set.py from requests the engine
recorded during real runs) holds chains: the requests of one run, in order, each with its recorded
messages, temperature, seed and max_tokens. A setting is a server configuration plus how requests reach
it; each (model, slots, setting) row starts its own server on a free port (never the shared one), sends
the chains through `slots` streams (a stream sends a chain's requests one after another, as a run does),
and stops the server. Rows are ordered round by round, and within a round the settings of one (model,
slots) group run back to back in a rotating order, so that load on a shared machine affects them alike.

A setting is written `SPECULATION[/DRAFT_MAX][+pin][+n=N]`:
  none              today's server: no speculation, llama-server picks the slot (prompt similarity)
  ngram-simple/16   n-gram speculation, at most 16 drafted tokens per step (any type of
                    coderefine.llm.serving.SPECULATION; "draft" drafts with the 0.5B model)
  +pin              each request names its stream's slot (`id_slot`), so a run stays on one slot
  +n=N              the n-gram lookup length (llama-server's --spec-ngram-*-size-n), for tuning only
  +reuse=N          llama-server's --cache-reuse N: reuse cached chunks of at least N tokens found after the
                    common prefix, by shifting their KV (computed after another prefix, so not exact)

    .venv/bin/python benchmarks/replay.py --models 1.5b 0.5b --slots 4 1 --settings none ngram-simple/16 draft/4
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from coderefine.llm import build as llama_build, files as model_files, server as llama_server
from coderefine.llm.serving import ServerOptions

SET = Path(__file__).parent / "replay" / "requests.jsonl"
_LOOKUP_FLAGS = {"ngram-simple": "--spec-ngram-simple-size-n", "ngram-map-k": "--spec-ngram-map-k-size-n",
                 "ngram-map-k4v": "--spec-ngram-map-k4v-size-n", "ngram-mod": "--spec-ngram-mod-n-match"}


@dataclass(frozen=True)
class Setting:
    name: str
    options: ServerOptions
    pin: bool = False            # route each request to its stream's slot
    lookup: int | None = None    # n-gram lookup length
    reuse: int | None = None     # --cache-reuse chunk size

    @classmethod
    def parse(cls, text: str, slots: int) -> "Setting":
        head, *extras = text.split("+")
        speculation, _, draft_max = head.partition("/")
        options = ServerOptions(slots=slots, speculation=speculation,
                                **({"draft_max": int(draft_max)} if draft_max else {}))
        number = {k: int(v) for k, _, v in (e.partition("=") for e in extras) if v}
        return cls(text, options, pin="pin" in extras, lookup=number.get("n"), reuse=number.get("reuse"))


@dataclass(frozen=True)
class ReplayConfig(llama_server.ServerConfig):
    """A server config with extra flags, for settings that are only tuned here."""
    extra: tuple[str, ...] = ()

    def command(self, port: int) -> list[str]:
        return super().command(port) + list(self.extra)


@dataclass
class Reply:
    chain: str
    step: int
    kind: str
    text: str
    timings: dict
    seconds: float


@dataclass
class Row:
    model: str
    slots: int
    setting: str
    round: int
    seconds: float = 0.0
    load: tuple[float, float] = (0.0, 0.0)      # 1-minute load average at the start and at the end
    replies: list[Reply] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(int(r.timings.get(key) or 0) for r in self.replies)

    def summary(self, reference: "Row | None") -> dict:
        completion, drafted = self.total("predicted_n"), self.total("draft_n")
        same = None
        if reference is not None:
            theirs = {(r.chain, r.step): r.text for r in reference.replies}
            same = sum(theirs.get((r.chain, r.step)) == r.text for r in self.replies)
        return {"model": self.model, "slots": self.slots, "setting": self.setting, "round": self.round,
                "requests": len(self.replies), "seconds": round(self.seconds, 1),
                "completion_tokens": completion, "tokens_per_s": round(completion / self.seconds, 2),
                "prompt_sent": self.total("prompt_n") + self.total("cache_n"),
                "prompt_evaluated": self.total("prompt_n"), "draft_tokens": drafted,
                "draft_accepted": self.total("draft_n_accepted"),
                "acceptance": round(self.total("draft_n_accepted") / drafted, 3) if drafted else None,
                "identical_to_none": same, "load": [round(x, 2) for x in self.load]}


def load_set(path: Path, model: str) -> list[list[dict]]:
    """The chains of `model`, each a list of requests in order; longest first, so the tail stays short."""
    chains: dict[str, list[dict]] = {}
    for line in path.read_text().splitlines():
        request = json.loads(line)
        if request["model"] == model:
            chains.setdefault(request["chain"], []).append(request)
    return sorted(chains.values(), key=lambda c: (-sum(r["max_tokens"] for r in c), c[0]["chain"]))


def post(port: int, body: dict, timeout: float = 1800) -> dict:
    request = urllib.request.Request(f"http://{llama_server.HOST}:{port}/v1/chat/completions",
                                     data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        return json.loads(resp.read())


def replay(port: int, chains: list[list[dict]], setting: Setting, temperature: float | None) -> list[Reply]:
    """Sends the chains through `slots` streams; returns every reply."""
    work: queue.Queue = queue.Queue()
    for chain in chains:
        work.put(chain)
    replies: list[Reply] = []
    errors: list[BaseException] = []

    def stream(index: int) -> None:
        try:
            while True:
                try:
                    chain = work.get_nowait()
                except queue.Empty:
                    return
                for request in chain:
                    body = {"messages": request["messages"], "max_tokens": request["max_tokens"],
                            "temperature": request["temperature"] if temperature is None else temperature,
                            "seed": request["seed"], "cache_prompt": True}
                    if setting.pin:
                        body["id_slot"] = index
                    started = time.monotonic()
                    answer = post(port, body)
                    replies.append(Reply(request["chain"], request["step"], request["kind"],
                                         answer["choices"][0]["message"]["content"] or "", answer.get("timings", {}),
                                         time.monotonic() - started))
        except BaseException as exc:   # reported by the caller, after every stream stopped
            errors.append(exc)

    threads = [threading.Thread(target=stream, args=(i,)) for i in range(setting.options.slots)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return replies


def run_row(spec: model_files.ModelSpec, setting: Setting, chains: list[list[dict]], round_: int,
            temperature: float | None, log_dir: Path) -> Row:
    draft = model_files.find_spec(setting.options.draft_model) if setting.options.speculation == "draft" else None
    extra = ((_LOOKUP_FLAGS[setting.options.speculation], str(setting.lookup)) if setting.lookup else ()) + (
        ("--cache-reuse", str(setting.reuse)) if setting.reuse else ())
    config = ReplayConfig(binary=llama_build.server_binary(), model_path=model_files.model_path(spec),
                          options=setting.options, draft_path=model_files.model_path(draft) if draft else None,
                          extra=extra)
    log = log_dir / f"{spec.alias}-{setting.options.slots}-{setting.name.replace('/', '_')}-r{round_}.log"
    state = llama_server.start(config, log)
    try:
        post(state.port, {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4})  # page in the weights
        row = Row(spec.name, setting.options.slots, setting.name, round_, load=(os.getloadavg()[0], 0.0))
        started = time.monotonic()
        row.replies = replay(state.port, chains, setting, temperature)
        row.seconds = time.monotonic() - started
        row.load = (row.load[0], os.getloadavg()[0])
    finally:
        llama_server.terminate(state.pid)
    return row


def summarize(rows: list[Row]) -> list[dict]:
    """Each row's figures, its replies compared with those of the `none` row of its model and slots."""
    def reference(row: Row) -> Row | None:
        same = [r for r in rows if (r.model, r.slots, r.setting) == (row.model, row.slots, "none")]
        found = next((r for r in same if r.round == row.round), same[0] if same else None)
        return None if found is row else found
    return [row.summary(reference(row)) for row in rows]


def table(summaries: list[dict]) -> str:
    head = ("model", "slots", "setting", "round", "load", "wall s", "vs none", "completion tok", "tok/s",
            "prompt evaluated / sent", "draft accepted", "identical to none")
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for s in summaries:
        base = next((b for b in summaries if (b["model"], b["slots"], b["round"], b["setting"])
                     == (s["model"], s["slots"], s["round"], "none")), None)
        ratio = f"{s['seconds'] / base['seconds']:.2f}x" if base else "-"
        accepted = (f"{s['acceptance']:.0%} ({s['draft_accepted']}/{s['draft_tokens']})"
                    if s["acceptance"] is not None else "-")
        same = "-" if s["identical_to_none"] is None else f"{s['identical_to_none']}/{s['requests']}"
        lines.append("| " + " | ".join(str(x) for x in (
            s["model"], s["slots"], s["setting"], s["round"], f"{s['load'][0]}-{s['load'][1]}", s["seconds"], ratio,
            s["completion_tokens"], s["tokens_per_s"], f"{s['prompt_evaluated']} / {s['prompt_sent']}", accepted,
            same)) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=Path, default=SET)
    parser.add_argument("--models", nargs="+", default=["1.5b", "0.5b"])
    parser.add_argument("--slots", nargs="+", type=int, default=[4, 1])
    parser.add_argument("--settings", nargs="+", default=["none", "ngram-simple/16", "draft/4"])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--temperature", type=float, help="replay every request at this temperature "
                                                          "(default: as recorded)")
    parser.add_argument("--out", type=Path, help="write every row, with its replies, here (JSON)")
    args = parser.parse_args()
    specs = [model_files.find_spec(m) for m in args.models]
    missing = [s.alias for s in specs if not model_files.is_present(s)]
    if missing or not llama_build.is_built():
        raise SystemExit(f"run `coderefine model pull {' '.join(missing) or '0.5b'}` and `coderefine model build` first")

    print(f"# {platform.node()}, {os.cpu_count()} cores, set {args.set}, temperature "
          f"{'as recorded' if args.temperature is None else args.temperature}", flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="replay-") as tmp:
        for round_ in range(1, args.rounds + 1):
            for spec in specs:
                chains = load_set(args.set, spec.name)
                for slots in args.slots:
                    shift = (round_ - 1) % len(args.settings)
                    for text in args.settings[shift:] + args.settings[:shift]:
                        setting = Setting.parse(text, slots)
                        if setting.options.speculation == "draft" and setting.options.draft_model.endswith(spec.name):
                            continue   # a model cannot be its own draft
                        rows.append(run_row(spec, setting, chains, round_, args.temperature, Path(tmp)))
                        print(json.dumps(rows[-1].summary(None)), flush=True)
                        summaries = summarize(rows)
                        if args.out:
                            args.out.write_text(json.dumps({"temperature": args.temperature, "rows": summaries,
                                                            "replies": [[vars(x) for x in r.replies] for r in rows]},
                                                           indent=1))
    print(table(summarize(rows)))


if __name__ == "__main__":
    main()
