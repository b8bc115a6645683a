"""The build path (cmake configure, build the llama-server target, cache the binary) on tiny sources.

The full llama.cpp build takes ~8 minutes on 2 cores; tests/test_local_model.py runs
it through the same function when the machine has no cached binary yet.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from coderefine.llm import build as llama_build

CMAKELISTS = """cmake_minimum_required(VERSION 3.16)
project(tiny C)
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bin)
add_executable(llama-server main.c)
"""


def tiny_source(folder: Path, main_c: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "CMakeLists.txt").write_text(CMAKELISTS)
    (folder / "main.c").write_text(main_c)
    return folder


def test_flags_keep_the_server_static_without_curl_and_without_amx_on_x86():
    flags = llama_build.cmake_flags("x86_64")
    assert {"-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_SERVER=ON", "-DBUILD_SHARED_LIBS=OFF"} <= set(flags)
    assert any("-mno-amx-int8" in f for f in flags)
    assert not any("amx" in f for f in llama_build.cmake_flags("aarch64"))


@pytest.mark.slow
def test_build_compiles_the_target_and_caches_the_binary(tmp_path):
    src = tiny_source(tmp_path / "src", '#include <stdio.h>\nint main(void){puts("tiny server");return 0;}\n')
    steps = []
    binary = llama_build.build_server(root=tmp_path / "cache", source_dir=src,
                                      progress=lambda step, pct: steps.append((step, pct)))
    assert binary == llama_build.server_binary(tmp_path / "cache") and llama_build.is_built(tmp_path / "cache")
    assert subprocess.run([binary], capture_output=True, text=True).stdout == "tiny server\n"
    assert ("configure", 100) in steps and ("compile", 100) in steps
    (src / "main.c").write_text("this would not compile")
    assert llama_build.build_server(root=tmp_path / "cache", source_dir=src) == binary   # cached: no rebuild


@pytest.mark.slow
def test_a_failing_build_names_the_step_and_the_log(tmp_path):
    src = tiny_source(tmp_path / "src", "int main(void) { return syntax error }\n")
    with pytest.raises(llama_build.BuildError, match=r"failed at the compile step(.|\n)*build.log(.|\n)*error"):
        llama_build.build_server(root=tmp_path / "cache", source_dir=src)
    assert not llama_build.is_built(tmp_path / "cache")


def test_a_folder_without_sources_is_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(llama_build.BuildError, match="not a llama.cpp source tree"):
        llama_build.build_server(root=tmp_path / "cache", source_dir=tmp_path / "empty")
