"""Build the replay set (benchmarks/replay/requests.jsonl) from requests the engine recorded in real runs.

Recordings come from `CODEREFINE_RECORD=FILE coderefine solve|bench ...`: one line per `Engine.complete`
call. A bench interleaves the runs of several problems in one file, so requests are grouped into chains by
file, model and the function the problem asks for; a chain keeps its requests in recorded order, as the run
sent them, so the prompt prefixes they share are replayed too. Chains are picked greedily per model: first
the one that adds the most request kinds not yet in the set, then the longest; each chain is cut at
`--chain-max` requests and chains are added until the model has `--per-model` requests.

    .venv/bin/python benchmarks/replay_set.py RECORDING.jsonl ... --per-model 20
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from coderefine.prompts import render

_FUNCTION = re.compile(r"def (\w+)\(")
# Few-shot examples inside the replicas' prompts: their functions name no problem.
_EXAMPLES = tuple(render(f"reflexion.{name}") for name in ("reflect_examples", "implement_example", "tests_example"))
# (kind, method family) of a request, by the system text or the instruction that ends it.
_SYSTEMS = {render("reflexion.reflect_system"): ("reflect", "reflexion"),
            render("reflexion.implement_system"): ("implement", "reflexion"),
            render("reflexion.tests_system"): ("tests", "reflexion"),
            render("textgrad.evaluator_system"): ("loss", "textgrad"),
            render("textgrad.gradient_system"): ("gradient", "textgrad"),
            render("textgrad.optimizer_system"): ("update", "textgrad")}
_ENDINGS = {render("solve"): ("solve", "solve"), render("critique"): ("critique", "simple"),
            render("rewrite"): ("rewrite", "simple"), render("coderefine.critique"): ("critique", "coderefine"),
            render("coderefine.diff"): ("patch", "coderefine"), render("coderefine.rewrite"): ("rewrite", "coderefine")}
_MARKS = {"That diff could not be applied": ("repair", "coderefine"),
          "Before anyone solves it, write two things": ("tests", "coderefine"),
          "`stress_inputs()`": ("stress", "coderefine"),
          "Your reply did not contain a complete program": ("reminder", "solve")}


def kind(messages: list[dict]) -> tuple[str, str]:
    """What a request asks for and the method family that asks it, from the templates that wrote it."""
    if (system := messages[0]["content"]) in _SYSTEMS:
        return _SYSTEMS[system]
    last = messages[-1]["content"]
    return next((found for mark, found in _MARKS.items() if mark in last), None) or next(
        (found for text, found in _ENDINGS.items() if last.rstrip().endswith(text.rstrip())), ("other", "other"))


def chains(paths: list[Path]) -> dict[str, list[dict]]:
    """Requests the model answered (not the response cache), grouped by run: file, model, the problem's
    function, the run's seed (coderefine.loop.call_seed) and method family; in recorded order."""
    grouped: dict[str, list[dict]] = {}
    for path in paths:
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record["cached"]:
                continue
            model = record["model"].removeprefix("local/")
            text = "\n".join(m["content"] for m in record["messages"])
            for example in _EXAMPLES:
                text = text.replace(example, "")
            function = _FUNCTION.search(text)
            seed = (record["seed"] or 0) // 10_000
            key = f"{path.stem}:{function.group(1) if function else 'unknown'}:s{seed}:{kind(record['messages'])[1]}"
            grouped.setdefault(f"{model}|{key}", []).append(record)
    return grouped


def pick(grouped: dict[str, list[dict]], per_model: int, chain_max: int) -> list[dict]:
    picked: list[dict] = []
    for model in sorted({key.split("|")[0] for key in grouped}):
        pool = {key.split("|")[1]: records[:chain_max] for key, records in grouped.items() if key.startswith(model + "|")}
        kinds: set[str] = set()
        count = 0
        while pool and count < per_model:
            name = max(sorted(pool), key=lambda k: (len({kind(r["messages"]) for r in pool[k]} - kinds), len(pool[k])))
            records = pool.pop(name)[:per_model - count]
            for step, record in enumerate(records):
                what, family = kind(record["messages"])
                picked.append({"model": model, "chain": name, "step": step,
                               "kind": what if family == "solve" else f"{family} {what}",
                               "messages": record["messages"], "temperature": record["temperature"],
                               "seed": record["seed"], "max_tokens": record["max_tokens"]})
            kinds |= {kind(r["messages"]) for r in records}
            count += len(records)
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recordings", nargs="+", type=Path)
    parser.add_argument("--per-model", type=int, default=20)
    parser.add_argument("--chain-max", type=int, default=6)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "replay" / "requests.jsonl")
    args = parser.parse_args()
    picked = pick(chains(args.recordings), args.per_model, args.chain_max)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in picked))
    for model in sorted({r["model"] for r in picked}):
        mine = [r for r in picked if r["model"] == model]
        counts = {k: sum(r["kind"] == k for r in mine) for k in sorted({r["kind"] for r in mine})}
        print(f"{model}: {len(mine)} requests in {len({r['chain'] for r in mine})} chains: {counts}")


if __name__ == "__main__":
    main()
