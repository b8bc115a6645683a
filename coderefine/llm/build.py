"""Builds llama.cpp's `llama-server` once per machine from the sources vendored in llama-cpp-python.

llama-cpp-python 0.3.36 is source-only on PyPI; its sdist carries llama.cpp,
including `tools/server`. Building just the `llama-server` target (static, no
curl) is the cheapest route to a fast, parallel-slot OpenAI-compatible server
on a CPU without any binary downloads.
"""
from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import deque
from pathlib import Path
from typing import Callable

from filelock import FileLock

from coderefine.paths import cache_dir

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
CMAKE_FLAGS = ("-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_SERVER=ON", "-DCMAKE_BUILD_TYPE=Release",
               "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF")
# llama.cpp's AMX kernels crashed (SIGSEGV in ggml_backend_amx_mul_mat at the first decode) on the
# Sapphire Rapids VMs we build on; the AVX-512 path is stable, so x86 builds leave AMX out.
NO_AMX = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
_PERCENT = re.compile(r"^\[\s*(\d+)%\]")

Progress = Callable[[str, int], None]
"""Called as progress(step, percent): step is "download", "configure" or "compile"."""


class BuildError(RuntimeError):
    """llama-server could not be built; the message names the step, the log and what to do."""


def server_binary(root: Path | None = None) -> Path:
    return (root or cache_dir()) / "llama.cpp" / LLAMA_CPP_PYTHON_VERSION / "llama-server"


def is_built(root: Path | None = None) -> bool:
    binary = server_binary(root)
    return binary.is_file() and os.access(binary, os.X_OK)


def build_server(*, root: Path | None = None, source_dir: Path | None = None, jobs: int | None = None,
                 force: bool = False, progress: Progress | None = None) -> Path:
    """Returns the cached binary, building it first when missing (or when force=True).

    source_dir is a llama.cpp checkout; when None the pinned sdist is fetched from PyPI.
    """
    binary = server_binary(root)
    if is_built(root) and not force:
        return binary
    _require_tools()
    binary.parent.mkdir(parents=True, exist_ok=True)
    # Held while building: concurrent builds (several `solve` runs on a fresh machine) would overwrite one
    # another's log and staged binary; a waiting one uses the binary the first one built.
    with FileLock(f"{binary}.lock"):
        if is_built(root) and not force:
            return binary
        return _build(binary, source_dir, jobs, progress)


def _build(binary: Path, source_dir: Path | None, jobs: int | None, progress: Progress | None) -> Path:
    """Builds in a temporary folder beside the binary, so an interrupted build leaves the cached one intact."""
    with tempfile.TemporaryDirectory(prefix="llama-build-", dir=binary.parent) as tmp:
        work = Path(tmp)
        src = source_dir or _fetch_sources(work, progress)
        if not (src / "CMakeLists.txt").is_file():
            raise BuildError(f"{src} is not a llama.cpp source tree (no CMakeLists.txt)")
        build = work / "build"
        log = binary.parent / "build.log"
        with log.open("w") as log_file:
            _run_step("configure", ["cmake", "-S", str(src), "-B", str(build), *cmake_flags()],
                      log_file, log, progress)
            _run_step("compile", ["cmake", "--build", str(build), "--target", "llama-server",
                                  "-j", str(jobs or os.cpu_count() or 1)], log_file, log, progress)
        built = next((p for p in (build / "bin" / "llama-server", build / "llama-server") if p.is_file()), None)
        if built is None:
            raise BuildError(f"the build finished but produced no llama-server binary; see {log}")
        staged = binary.with_name(binary.name + ".new")
        shutil.copy2(built, staged)
        os.replace(staged, binary)
    return binary


def cmake_flags(machine: str | None = None) -> list[str]:
    flags = list(CMAKE_FLAGS)
    if (machine or platform.machine()).lower() in ("x86_64", "amd64"):
        flags += [f"-DCMAKE_C_FLAGS={NO_AMX}", f"-DCMAKE_CXX_FLAGS={NO_AMX}"]
    return flags


def _require_tools() -> None:
    missing = [tool for tool in ("cmake", "c++", "make") if shutil.which(tool) is None]
    if missing:
        raise BuildError(f"building llama-server needs {', '.join(missing)}; "
                         "install them with `apt-get install -y cmake build-essential`")


def _fetch_sources(work: Path, progress: Progress | None) -> Path:
    if progress:
        progress("download", 0)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
           "--disable-pip-version-check", "--quiet", "-d", str(work),
           f"llama-cpp-python=={LLAMA_CPP_PYTHON_VERSION}"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    sdists = list(work.glob("llama_cpp_python-*.tar.gz"))
    if result.returncode != 0 or not sdists:
        tail = "\n  ".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise BuildError(f"could not download the llama-cpp-python {LLAMA_CPP_PYTHON_VERSION} sdist "
                         f"from PyPI:\n  {tail}\nCheck network access to PyPI and run `coderefine model build` again.")
    with tarfile.open(sdists[0]) as tar:
        tar.extractall(work / "src", filter="data")
    if progress:
        progress("download", 100)
    return next((work / "src").glob("llama_cpp_python-*")) / "vendor" / "llama.cpp"


def _run_step(step: str, cmd: list[str], log_file, log: Path, progress: Progress | None) -> None:
    """Streams the step's output into the log, reporting cmake's [NN%] markers as progress."""
    log_file.write(f"$ {' '.join(cmd)}\n")
    log_file.flush()
    tail: deque[str] = deque(maxlen=15)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    best = 0  # cmake's percentages are per target and jump back; the bar only moves forward
    for line in proc.stdout:
        log_file.write(line)
        tail.append(line.rstrip())
        if progress and (match := _PERCENT.match(line)) and int(match.group(1)) > best:
            best = int(match.group(1))
            progress(step, best)
    if proc.wait() != 0:
        raise BuildError(f"llama-server build failed at the {step} step (exit {proc.returncode}). "
                         f"Last lines of {log}:\n  " + "\n  ".join(tail)
                         + "\nFix the cause (compiler, cmake, disk space) and run `coderefine model build` again.")
    if progress:
        progress(step, 100)
