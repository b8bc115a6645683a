"""How the embedded llama-server decodes: parallel slots, context per slot, speculative decoding.

These are user settings (`[tool.coderefine]` keys and flags, see coderefine.config); this module turns
them into llama-server flags and checks them against the build before a server starts, so that a
setting the binary lacks fails naming the setting instead of being ignored or crashing the server.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

# Chosen from the throughput table in BENCHMARKS.md ("Embedded model throughput"): 4 slots give 2.6x the
# aggregate rate of 1 on both models; 8 add little for the 1.5B and double the KV memory.
DEFAULT_SLOTS = 4
DEFAULT_CTX_PER_SLOT = 4096
# Speculation types a user may choose. "draft" is llama.cpp's draft-simple with `draft_model`; the others
# look the continuation up in the tokens already seen (prompt and reply), which suits rewrites and diffs
# that copy code from their prompt.
# Chosen from the replay table in BENCHMARKS.md ("Embedded model speed"): on the recorded refinement requests,
# ngram-mod drafting up to 32 tokens was the only setting faster than none on both models and both slot
# counts (1.5B: 0.84x the wall time at 4 slots, 0.77x at 1; 0.5B: 0.81x, 0.68x); the 0.5B model as a draft
# made the 1.5B slower (1.47x, 1.59x). Its outputs at temperature 0 differ from plain decoding about as
# often as 4 slots differ from 1: llama.cpp's CPU arithmetic depends on the batch shape.
DEFAULT_SPECULATION = "ngram-mod"
DEFAULT_DRAFT_MAX = 32
SPECULATION = ("none", "ngram-simple", "ngram-map-k", "ngram-map-k4v", "ngram-mod", "draft")
# The flag that caps the tokens drafted per step, for each speculation type.
_DRAFT_MAX_FLAGS = {"ngram-simple": ("--spec-ngram-simple-size-m",), "ngram-map-k": ("--spec-ngram-map-k-size-m",),
                    "ngram-map-k4v": ("--spec-ngram-map-k4v-size-m",),
                    "ngram-mod": ("--spec-ngram-mod-n-max", "--spec-ngram-mod-n-min"),
                    "draft": ("--spec-draft-n-max",)}
_SPEC_TYPES = re.compile(r"--spec-type\s+([a-z0-9,-]+)")
_FLAG = re.compile(r"(?<![\w-])--[a-z0-9][a-z0-9-]*")


class UnsupportedSetting(RuntimeError):
    """The llama-server build lacks what a setting needs; the message names the setting."""


@dataclass(frozen=True)
class Flag:
    """Command-line arguments of llama-server, with the setting they come from (for error messages)."""
    setting: str
    args: tuple[str, ...]


@dataclass(frozen=True)
class ServerOptions:
    """The server settings of coderefine.config.Settings, which documents each one."""
    slots: int = DEFAULT_SLOTS
    ctx_per_slot: int = DEFAULT_CTX_PER_SLOT
    speculation: str = DEFAULT_SPECULATION
    draft_model: str = "local/qwen2.5-coder-0.5b"
    draft_max: int = DEFAULT_DRAFT_MAX

    def decoding(self) -> dict:
        """What can change a reply, for the response cache key: empty when decoding is plain, since slots and
        context only decide how many requests run at once and how long they may be."""
        if self.speculation == "none":
            return {}
        keep = ("speculation", "draft_max") + (("draft_model",) if self.speculation == "draft" else ())
        return {k: v for k, v in asdict(self).items() if k in keep}

    def flags(self, draft_path: Path | None = None) -> list[Flag]:
        """The llama-server flags for these options (`draft_path`: the draft model's file, for "draft")."""
        flags = [Flag("slots", ("--parallel", str(self.slots))),
                 Flag("ctx_per_slot", ("--ctx-size", str(self.slots * self.ctx_per_slot)))]
        if self.speculation == "none":
            return flags
        if self.speculation == "draft":
            if draft_path is None:
                raise ValueError("speculation = draft needs the draft model's file")
            flags += [Flag("speculation", ("--spec-type", "draft-simple")),
                      Flag("draft_model", ("--spec-draft-model", str(draft_path)))]
        else:
            flags.append(Flag("speculation", ("--spec-type", self.speculation)))
        flags += [Flag("draft_max", (name, str(self.draft_max))) for name in _DRAFT_MAX_FLAGS[self.speculation]]
        return flags


def check_build(binary: Path, flags: list[Flag]) -> None:
    """Raises UnsupportedSetting, naming the setting, when `binary --help` lacks a flag or a speculation type
    that `flags` use. Plain options (no speculation) need only flags every llama-server has: not checked."""
    if all(f.setting in ("slots", "ctx_per_slot") for f in flags):
        return
    try:
        help_text = subprocess.run([str(binary), "--help"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UnsupportedSetting(f"cannot ask {binary} which options it offers: {exc}") from exc
    offered = set(_FLAG.findall(help_text))
    types = _SPEC_TYPES.search(help_text)
    for flag in flags:
        name = flag.args[0]
        if name not in offered:
            raise UnsupportedSetting(f"setting {flag.setting}: this llama-server build ({binary}) has no {name} "
                                     f"option; choose another {flag.setting} or rebuild with `coderefine model build --force`")
        if name == "--spec-type" and (types is None or flag.args[1] not in types.group(1).split(",")):
            offered_types = types.group(1).replace(",", ", ") if types else "none"
            raise UnsupportedSetting(f"setting {flag.setting}: this llama-server build ({binary}) does not offer "
                                     f"--spec-type {flag.args[1]} (it offers: {offered_types})")
