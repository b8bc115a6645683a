#!/usr/bin/env bash
# Start, stop or inspect the local Docker engine the sandbox's docker backend (and CI) uses.
#
#   scripts/docker-engine.sh start    install packages if missing, start dockerd, build the images
#   scripts/docker-engine.sh stop     stop the dockerd this script started (by its pid file)
#   scripts/docker-engine.sh status   say whether the engine answers and the image exists
#
# Docker Hub is unreachable here, so the base image is a Debian rootfs made by
# mmdebstrap and loaded with `docker import`; the Dockerfile's BASE argument
# points at it. Users with Docker Hub can simply `docker build .` instead.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${CODEREFINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/coderefine}/docker-engine"
PIDFILE="$STATE/dockerd.pid"
LOG="$STATE/dockerd.log"
BASE_IMAGE="local/python-base"
IMAGE="coderefine-sandbox:latest"

say() { echo "docker-engine: $*" >&2; }

engine_answers() { timeout 5 docker info >/dev/null 2>&1; }

install_missing() {
  local need=()
  command -v bwrap >/dev/null || need+=(bubblewrap)
  command -v dockerd >/dev/null || need+=(docker.io)
  command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
  if ((${#need[@]})); then
    say "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

start_daemon() {
  if engine_answers; then say "engine already answers"; return; fi
  mkdir -p "$STATE"
  say "starting dockerd (log: $LOG)"
  nohup dockerd --iptables=false --bridge=none >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 60); do
    engine_answers && { say "engine ready (pid $(cat "$PIDFILE"))"; return; }
    sleep 0.5
  done
  say "dockerd did not answer within 30 s; see $LOG"; tail -20 "$LOG" >&2; exit 1
}

build_images() {
  if ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    say "building $BASE_IMAGE with mmdebstrap (about a minute)"
    local tar="$STATE/rootfs.tar"
    mmdebstrap --quiet --variant=apt --include=python3,python3-pytest,python3-sortedcontainers bookworm "$tar"
    docker import "$tar" "$BASE_IMAGE" >/dev/null
    rm -f "$tar"
  fi
  say "building $IMAGE"
  # The Dockerfile copies nothing, so an empty context keeps .venv and caches out of the build.
  mkdir -p "$STATE/context"
  docker build --quiet --build-arg "BASE=$BASE_IMAGE" -t "$IMAGE" -f "$ROOT/Dockerfile" "$STATE/context" >/dev/null
  docker image prune --force >/dev/null  # dangling layers from earlier builds
}

stop_daemon() {
  if [[ -f "$PIDFILE" ]]; then
    local pid; pid="$(cat "$PIDFILE")"
    if kill -0 "$pid" 2>/dev/null; then
      say "stopping dockerd (pid $pid)"
      kill "$pid"
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    fi
    rm -f "$PIDFILE"
  else
    say "no pid file at $PIDFILE: nothing started by this script"
  fi
}

case "${1:-}" in
  start) install_missing; start_daemon; build_images ;;
  stop) stop_daemon ;;
  status)
    if engine_answers; then
      echo "engine: answers"
      docker image inspect "$IMAGE" >/dev/null 2>&1 && echo "image: $IMAGE present" || echo "image: $IMAGE missing"
    else
      echo "engine: not reachable"; exit 1
    fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
