#!/usr/bin/env bash
# One entry point for a fresh machine (Debian 12, Python >= 3.11). Installs what each job needs on
# first use, then reuses it:
#   ./run.sh solve PROBLEM [coderefine solve options]   solve a problem with the embedded 1.5B model
#   ./run.sh test [pytest options]                       the whole test suite (what CI runs)
#   ./run.sh setup solve|test                            only install
# Caches: .venv/ (packages), ~/.cache/coderefine/ (llama.cpp build, model files, LLM responses).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
VENV=$ROOT/.venv

# bubblewrap: the sandbox; cmake, g++: the llama.cpp build; python3-sortedcontainers: some
# LeetCode-style preludes import it, and sandboxed code runs on the system /usr/bin/python3.
SOLVE_PKGS="bubblewrap cmake g++ python3-sortedcontainers"

say() { printf '\033[1m[run.sh]\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_ensure() {  # apt_ensure PACKAGE ...: install the Debian packages that are not installed yet
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing with apt: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

pick_python() {
  for py in python3.13 python3.12 python3.11 python3; do
    if "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  say "Python >= 3.11 is required (apt-get install python3)"; exit 2
}

venv_ensure() {  # (re)install when pyproject.toml changed since the last install
  local stamp=$VENV/.installed want
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -x "$VENV/bin/coderefine" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  say "creating the virtualenv in .venv and installing coderefine"
  [ -x "$VENV/bin/python" ] || "$(pick_python)" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -e ".[dev]"
  echo "$want" > "$stamp"
}

model_ensure() {  # model_ensure SIZE: the llama-server build and the model file, each once per machine
  "$VENV/bin/coderefine" model build
  "$VENV/bin/coderefine" model pull "$1"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  setup)
    target=${1:-test}
    apt_ensure $SOLVE_PKGS
    venv_ensure
    if [ "$target" = solve ]; then model_ensure 1.5b; else model_ensure 0.5b; fi
    ;;
  solve)
    apt_ensure $SOLVE_PKGS
    venv_ensure
    model_ensure 1.5b
    exec "$VENV/bin/coderefine" solve "$@"
    ;;
  test)
    apt_ensure $SOLVE_PKGS docker.io mmdebstrap
    venv_ensure
    model_ensure 0.5b
    scripts/docker-engine.sh start
    trap 'scripts/docker-engine.sh stop' EXIT
    "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
