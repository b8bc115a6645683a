# The sandbox image for the docker backend: Python, pytest, sortedcontainers, and a non-root user.
#   docker build -t coderefine-sandbox:latest .
# CI (no Docker Hub) builds FROM an mmdebstrap-made base: see scripts/docker-engine.sh.
ARG BASE=python:3.11-slim
FROM ${BASE}
# Candidates may import sortedcontainers (LeetCodeDataset preludes do). Install only what the
# base lacks, so a base that already has both (the mmdebstrap one) builds without network.
RUN missing=""; \
    python3 -c "import pytest" 2>/dev/null || missing="pytest"; \
    python3 -c "import sortedcontainers" 2>/dev/null || missing="$missing sortedcontainers"; \
    [ -z "$missing" ] || python3 -m pip install --no-cache-dir $missing
# A fixed uid with no passwd entry: the sandbox only needs a number that owns nothing.
USER 10001:10001
WORKDIR /work
CMD ["sleep", "infinity"]
