#!/usr/bin/env bash
# Every measured comparison in BENCHMARKS.md, in the order they were queued. Each step is a resumable
# `coderefine bench` into its own folder under benchmarks/results/: rerunning this script skips the runs
# that are already there, so a later session resumes where the last one stopped. Run from the repository
# root after `./run.sh setup solve` (the 1.5B model). Requests are recorded for the replay benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
CR="${PYTHON:-.venv/bin/python} -m coderefine"
R=${RESULTS:-benchmarks/results}   # another checkout may write into this one's results
MODEL=local/qwen2.5-coder-1.5b
METHODS=zero-shot,resample,reflexion,textgrad,simple-refine,coderefine
# No critiques, and samples go on until 2 (3) programs give each self input's answer: the frontier's seed-0
# failures of coderefine:expansions=0 were visible passes that only the candidate (or one oracle) vouched for.
# Their development check (seed 0 below) found no gain, so they are not carried further.
QUORUM=coderefine:expansions=0,quorum=2,coderefine:expansions=0,quorum=3
# 11 of the 32 frontier problems have no visible tests (their docstrings give examples in prose): the
# statement's examples, copied by the model and checked against the statement, stand in for them.
EXAMPLES=coderefine:expansions=0,examples=on
# A fresh sample after a miss is shown the example the best miss got wrong (input, expected, what it returned),
# never its code: critiques of the code lost on this model (1b), and samples do not see why earlier ones failed.
# Its development check (seed 0) lost 3 problems against examples=on alone, so it is not carried further.
HINT=coderefine:expansions=0,examples=on,hint=on
VARIANTS=coderefine:expansions=0,$EXAMPLES   # examples=on solved 1 more of the 11 at seed 0: carried on
MATCHED=resample@coderefine,resample@coderefine:expansions=0,resample@$EXAMPLES,resample@textgrad,resample@reflexion,resample@simple-refine
# The ablations take the best variant (solve's default) and switch one part at a time: self tests, oracle
# validation, stress inputs, the statement's examples, the fresh samples (beam=1), and critiques with diffs or
# with rewrites in place of fresh samples. Unchanged calls come from the response cache of step 1.
BEST=$EXAMPLES
ABLATIONS=$BEST,$BEST,selftests=off,$BEST,validate=off,$BEST,stress=off,coderefine:expansions=0,$BEST,beam=1,coderefine:examples=on,coderefine:examples=on,diffs=off
LCD=lcd:/work/shared/data/lcd-dev.jsonl.gz
[ -f "${LCD#lcd:}" ] || LCD=lcd:../shared/data/lcd-dev.jsonl.gz

# These folders were started before speculative decoding became the default, and a folder keeps one
# decoding: --speculation none resumes them as they began.
DECODING="--speculation none"

bench() {  # bench NAME ARGS...: one resumable comparison, recording its requests
  local name=$1; shift
  mkdir -p "$R/$name"
  CODEREFINE_RECORD="$R/$name/requests.jsonl" $CR bench --model "$MODEL" --budget-calls 8 --backend bwrap \
    $DECODING --out "$R/$name" "$@"
}

# First, after any change to the method: its carried variants on the HumanEval frontier, seeds 0-2, and resample
# at their realized spend; every later step replays these runs from the cache.
bench humaneval-compare-1.5b --methods "$VARIANTS" --dataset humaneval \
  --problems @$R/humaneval-frontier-1.5b.txt --seeds 0,1,2
bench humaneval-compare-1.5b --methods "resample@coderefine:expansions=0,resample@$EXAMPLES" --dataset humaneval \
  --problems @$R/humaneval-frontier-1.5b.txt --seeds 0,1,2
# 1b. The 22 HumanEval frontier problems left out of step 1's sample (held out): resample against coderefine and
#     the changes that steps 1 and 0 suggested (fewer or no critiques of a near miss, more fresh samples, the
#     statement's examples), tested where they were not found.
bench humaneval-heldout-compare-1.5b --methods resample,coderefine,coderefine:expansions=1,$VARIANTS --dataset humaneval \
  --problems @$R/humaneval-heldout-1.5b.txt --seeds 0,1,2
bench humaneval-heldout-compare-1.5b --methods resample@coderefine,resample@coderefine:expansions=1,resample@coderefine:expansions=0,resample@$EXAMPLES \
  --dataset humaneval --problems @$R/humaneval-heldout-1.5b.txt --seeds 0,1,2
$CR bench report $R/humaneval-heldout-compare-1.5b --against resample -q
# 2a. (early) LCD, seed 0, zero-shot, resample and the best variant: a first reading on LeetCode-style problems,
#     whose statements state large constraints (stress inputs), before the HumanEval seeds 1-2 below.
bench lcd-compare-1.5b --methods "zero-shot,resample,$BEST" --dataset "$LCD" \
  --problems @$R/lcd-frontier-1.5b-sample16.txt --seeds 0
# 1. HumanEval frontier: all six methods and the carried variants, seeds 0-2; then resample at each method's
#    realized spend (BASELINES (b)), replayed from the response cache (no new LLM calls).
bench humaneval-compare-1.5b --methods "$METHODS,$VARIANTS" --dataset humaneval \
  --problems @$R/humaneval-frontier-1.5b.txt --seeds 0,1,2
bench humaneval-compare-1.5b --methods "$MATCHED" --dataset humaneval \
  --problems @$R/humaneval-frontier-1.5b.txt --seeds 0,1,2
$CR bench report $R/humaneval-compare-1.5b --methods "$METHODS,$VARIANTS,$MATCHED" -q  # all of them
# 3. Ablations of the best variant on the HumanEval frontier, in the folder of step 1 (its runs are shared):
#    seed 0 for every ablation first, so that a session that stops midway leaves one complete seed.
bench humaneval-compare-1.5b --methods "$ABLATIONS" --dataset humaneval \
  --problems @$R/humaneval-frontier-1.5b.txt --seeds 0
# 4a. Our own problems/ set (30 Hard problems), seed 0: zero-shot, resample and the best variant.
bench problems-compare-1.5b --methods "zero-shot,resample,$BEST" --dataset problems --seeds 0
bench humaneval-compare-1.5b --methods "$ABLATIONS" --dataset humaneval \
  --problems @$R/humaneval-frontier-1.5b.txt --seeds 0,1,2
# 2. LeetCodeDataset sample, Easy and Medium: zero-shot (seed 0) picks the frontier (46 of 50), then the same
#    comparison on 16 of them drawn at random (lcd-frontier-1.5b-sample16.txt): all 46 x 6 methods x 3 seeds
#    would take this CPU about 14 hours.
mkdir -p "$R/lcd-zeroshot-1.5b"
CODEREFINE_RECORD="$R/lcd-zeroshot-1.5b/requests.jsonl" $CR bench frontier --dataset "$LCD" --difficulty Easy,Medium \
  --seeds 0 --model "$MODEL" --backend bwrap $DECODING --out $R/lcd-zeroshot-1.5b --write $R/lcd-frontier-1.5b.txt
bench lcd-compare-1.5b --methods "$METHODS,$VARIANTS" --dataset "$LCD" \
  --problems @$R/lcd-frontier-1.5b-sample16.txt --seeds 0,1,2
bench lcd-compare-1.5b --methods "$MATCHED" --dataset "$LCD" --problems @$R/lcd-frontier-1.5b-sample16.txt --seeds 0,1,2
$CR bench report $R/lcd-compare-1.5b --methods "$METHODS,$VARIANTS,$MATCHED" -q
# 2b. LCD, all 46 frontier problems (step 2 drew 16 of them): zero-shot, resample, solve's default and the
#     critique variant (the only one ahead of resample on the 16), seed 0 first. The 16 come from the cache.
bench lcd-frontier46-compare-1.5b --methods "zero-shot,resample,$BEST,coderefine" --dataset "$LCD" \
  --problems @$R/lcd-frontier-1.5b.txt --seeds 0
# 2d. Development check (visible tests only): planned fresh samples on the LCD frontier, 3 calls, seed 0. No gain
#     (BENCHMARKS.md), so `plan` is not carried further.
mkdir -p "$R/lcd-plan-dev-1.5b"
CODEREFINE_RECORD="$R/lcd-plan-dev-1.5b/requests.jsonl" $CR bench --model "$MODEL" --budget-calls 3 --backend bwrap \
  $DECODING --out "$R/lcd-plan-dev-1.5b" --methods "resample,$BEST,$BEST,plan=on" --dataset "$LCD" \
  --problems @$R/lcd-frontier-1.5b.txt --seeds 0
# 4. Our own problems/ set, every method: seed 0 first, so that a stop midway leaves one complete seed.
bench problems-compare-1.5b --methods "$METHODS,$VARIANTS" --dataset problems --seeds 0
# 2e. After the oracle fix of 3b8f2f5 (a LeetCode-style oracle written as a plain function was not read): the 46
#     LCD frontier problems again, resample and solve's default, into a folder of their own. The response cache
#     of step 2b's runs is gone, so every call is a fresh draw; the two share their samples (the default's k-th
#     sample is resample's k-th request), so resample costs no call of its own. Seed 0 first.
bench lcd-oracle-rerun-1.5b --methods "resample,$BEST" --dataset "$LCD" --problems @$R/lcd-frontier-1.5b.txt --seeds 0
bench lcd-oracle-rerun-1.5b --methods "resample,$BEST" --dataset "$LCD" --problems @$R/lcd-frontier-1.5b.txt \
  --seeds 0,1,2
$CR bench report $R/lcd-oracle-rerun-1.5b --against resample -q
bench lcd-zeroshot-solved-oracle-rerun-1.5b --methods "resample,$BEST" --dataset "$LCD" \
  --problems @$R/lcd-zeroshot-solved-1.5b.txt --seeds 0,1,2   # with 2e, all 50 Easy and Medium problems
bench lcd-frontier46-compare-1.5b --methods "zero-shot,resample,$BEST,coderefine" --dataset "$LCD" \
  --problems @$R/lcd-frontier-1.5b.txt --seeds 0,1,2
$CR bench report $R/lcd-frontier46-compare-1.5b --against resample -q
# 2c. The other 4 Easy/Medium problems of the sample (zero-shot solved them at seed 0), same methods and seeds:
#     with 2b, every Easy and Medium problem of the sample, as issue 13 asks.
bench lcd-zeroshot-solved-compare-1.5b --methods "zero-shot,resample,$BEST,coderefine" --dataset "$LCD" \
  --problems @$R/lcd-zeroshot-solved-1.5b.txt --seeds 0,1,2
bench problems-compare-1.5b --methods "$METHODS,$VARIANTS" --dataset problems --seeds 0,1,2
# 0. Development checks on the HumanEval frontier (benchmarks/results/humaneval-frontier-1.5b.txt), seed 0
#    only: coderefine:expansions=0 (the default of `solve` after the held-out check, 1b), examples=on, and the
#    quorum and hint variants. What won here was carried on to 1b, 2a, 1 and 3; it runs last now, because
#    what it chose is settled and a rerun after a change to the method only keeps its table current.
bench humaneval-compare-1.5b --methods "$VARIANTS,$QUORUM,$HINT" --dataset humaneval \
  --problems @$R/humaneval-frontier-1.5b.txt --seeds 0
# 5. Zero-shot on all 164 HumanEval problems, three seeds (seed 0 also chose the frontier).
$CR bench frontier --dataset humaneval --seeds 0,1,2 --model "$MODEL" --backend bwrap $DECODING \
  --out $R/humaneval-zeroshot-1.5b --write $R/humaneval-frontier-1.5b-all-seeds.txt
