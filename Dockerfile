# The sandbox image for the docker backend: Python, pytest, and a non-root user.
#   docker build -t coderefine-sandbox:latest .
# CI (no Docker Hub) builds FROM an mmdebstrap-made base: see scripts/docker-engine.sh.
ARG BASE=python:3.11-slim
FROM ${BASE}
RUN python3 -c "import pytest" 2>/dev/null || python3 -m pip install --no-cache-dir pytest
# A fixed uid with no passwd entry: the sandbox only needs a number that owns nothing.
USER 10001:10001
WORKDIR /work
CMD ["sleep", "infinity"]
