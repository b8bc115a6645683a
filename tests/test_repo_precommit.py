"""The hook under the real pre-commit, installed from this checkout through .pre-commit-hooks.yaml, in real git
repositories: it stops a commit whose tests fail and shows a fix; it never loses unstaged work nor the index,
with or without --apply, and not when it is interrupted or killed in the middle of a run."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from git_repo import ENV, git, make_repo, write
from repo_server import ScriptedReplies
from terminal import default_sigint

pytestmark = pytest.mark.slow
CHECKOUT = Path(__file__).resolve().parent.parent
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"
GOOD = "def add(a, b):\n    return a + b\n"
BUGGY = GOOD.replace("a + b", "a - b")
TEST = "from calc import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"
FIX = "```python\ndef add(a, b):\n    return a + b\n```"


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """This checkout's package as a one-commit repository (pre-commit installs a hook repository at a commit;
    the working tree may hold changes not yet committed)."""
    root = tmp_path_factory.mktemp("hook-repo")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy(CHECKOUT / name, root / name)
    for package in ("coderefine", "sandbox"):
        shutil.copytree(CHECKOUT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    make_repo(root, {})
    return root, git(root, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def home():
    """pre-commit's cache, shared by the tests of this module so the hook's environment is built once; outside
    pytest's private tmp folders, so that the sandbox's uid can reach pytest in it."""
    folder = Path(tempfile.mkdtemp(prefix="coderefine-pre-commit-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


@pytest.fixture
def user(tmp_path, hook_repo, home, monkeypatch):
    """A user's repository with a passing test, then a staged change that breaks it, and unstaged work on top:
    an edit of the same file and of another one."""
    root = make_repo(tmp_path / "user", {"calc.py": GOOD, "test_calc.py": TEST, "notes.txt": "notes\n"})
    write(root, {"calc.py": BUGGY})
    git(root, "add", "calc.py")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("CODEREFINE_CACHE", str(tmp_path / "cache"))
    return root


def configure(root: Path, hook_repo, *args: str) -> None:
    repo, rev = hook_repo
    quoted = ", ".join(f'"{a}"' for a in args)
    write(root, {".pre-commit-config.yaml": f"repos:\n- repo: {repo}\n  rev: {rev}\n  hooks:\n  - id: coderefine\n"
                                             f"    args: [{quoted}]\n"})
    git(root, "add", ".pre-commit-config.yaml")


def fake_model(server) -> tuple[str, ...]:
    return ("--model", "openai/fake", "--api-base", server.api_base, "--backend", "bwrap", "--calls", "2")


def pre_commit(root: Path, home: Path, *, popen: bool = False):
    command = [str(PRE_COMMIT), "run"]
    env = {**os.environ, **ENV, "PRE_COMMIT_HOME": str(home)}
    if popen:
        return subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True, preexec_fn=default_sigint)
    install(root, home, env)
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=600)


def install(root: Path, home: Path, env: dict) -> None:
    """The hook's environment; then made readable to the sandbox's unprivileged uid, which imports pytest from
    it (pre-commit makes its folders private; see the sandbox note in README.md)."""
    subprocess.run([str(PRE_COMMIT), "install-hooks"], cwd=root, env=env, check=True, capture_output=True,
                   timeout=900)
    subprocess.run(["chmod", "-R", "o+rX", str(home)], check=True)


def state(root: Path) -> tuple:
    """What the user must get back: every file in the working tree, the index, and no leftover stash."""
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
             if p.is_file() and ".git" not in p.parts}
    return files, git(root, "ls-files", "-s"), git(root, "diff", "--cached"), git(root, "stash", "list")


def test_failing_tests_stop_the_commit_with_a_fix_shown_and_unstaged_work_kept(user, hook_repo, home):
    write(user, {"calc.py": BUGGY + "# not staged yet\n", "notes.txt": "notes, edited\n"})
    with ScriptedReplies([FIX]) as server:
        configure(user, hook_repo, *fake_model(server))
        before = state(user)
        done = pre_commit(user, home)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "coderefine" in done.stdout and "Failed" in done.stdout
    assert "-    return a - b\n+    return a + b" in done.stdout and "not applied (give --apply" in done.stdout
    assert state(user) == before


def test_with_apply_the_fix_is_written_unstaged_and_the_commit_still_stops(user, hook_repo, home):
    write(user, {"notes.txt": "notes, edited\n"})
    with ScriptedReplies([FIX]) as server:
        configure(user, hook_repo, *fake_model(server), "--apply")
        files, index, staged, stashes = state(user)
        done = pre_commit(user, home)
    assert done.returncode == 1 and "applied to calc.py" in done.stdout, done.stdout
    assert (user / "calc.py").read_text() == GOOD and (user / "notes.txt").read_text() == "notes, edited\n"
    assert state(user)[1:] == (index, staged, stashes)       # the index is the user's to update
    git(user, "add", "calc.py")
    assert pre_commit(user, home).returncode == 0


def test_with_apply_and_unstaged_work_in_the_same_file_pre_commit_keeps_the_work(user, hook_repo, home):
    write(user, {"calc.py": BUGGY + "# not staged yet\n"})
    with ScriptedReplies([FIX]) as server:
        configure(user, hook_repo, *fake_model(server), "--apply")
        before = state(user)
        done = pre_commit(user, home)
    assert done.returncode == 1
    assert "Stashed changes conflicted with hook auto-fixes" in done.stdout + done.stderr
    assert state(user) == before


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def hook_pids(pid: int) -> list[int]:
    def command(p: int) -> bytes:
        try:
            return Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            return b""
    return [p for p in descendants(pid) if b"hook" in command(p) and b"coderefine" in command(p)]


@pytest.mark.parametrize("how", ["SIGINT to pre-commit and the hook", "SIGKILL to the hook"])
def test_a_hook_stopped_in_the_middle_of_a_run_leaves_files_index_and_stash_intact(user, hook_repo, home, how):
    write(user, {"calc.py": BUGGY + "# not staged yet\n", "notes.txt": "notes, edited\n"})
    with ScriptedReplies([], stall=120) as server:
        configure(user, hook_repo, *fake_model(server), "--apply")
        before = state(user)
        install(user, home, {**os.environ, **ENV, "PRE_COMMIT_HOME": str(home)})
        process = pre_commit(user, home, popen=True)
        deadline = time.monotonic() + 120
        while not server.requests and time.monotonic() < deadline:   # the hook waits for the model now
            time.sleep(0.2)
        assert server.requests, "the hook never asked the model"
        if how.startswith("SIGINT"):
            os.killpg(process.pid, signal.SIGINT)                       # Ctrl-C in the terminal
        else:
            pids = hook_pids(process.pid)
            assert pids, "no hook process to kill"
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
        output, _ = process.communicate(timeout=120)
    assert process.returncode != 0, output
    assert state(user) == before, output


@pytest.mark.model
def test_the_real_model_proposes_a_diff_that_makes_the_tests_pass(tmp_path, hook_repo, home):
    """The 0.5B model through the installed hook (the model files where every test finds them: no
    CODEREFINE_CACHE of its own, no reply cache): the printed diff, applied with git, fixes the bug."""
    code = ('def mean(values):\n    """The arithmetic mean of a non-empty list of numbers."""\n'
            "    return sum(values) / (len(values) - 1)\n")
    tests = ("from stats import mean\n\n\ndef test_mean():\n    assert mean([2, 4, 6]) == 4\n\n\n"
             "def test_one():\n    assert mean([5]) == 5\n")
    root = make_repo(tmp_path / "user", {"stats.py": code.replace(" - 1)", ")"), "test_stats.py": tests})
    write(root, {"stats.py": code})
    git(root, "add", "stats.py")
    configure(root, hook_repo, "--model", "local/qwen2.5-coder-0.5b", "--backend", "bwrap", "--seed", "2",
              "--no-cache")
    done = pre_commit(root, home)
    assert done.returncode == 1, done.stdout
    patch = done.stdout[done.stdout.index("--- a/stats.py"):done.stdout.index("\ntests: ") + 1]
    subprocess.run(["git", "apply", "-"], input=patch, cwd=root, text=True, check=True)
    assert (root / "stats.py").read_text() != code
    passed = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_stats.py"],
                            cwd=root, capture_output=True, text=True)
    assert passed.returncode == 0, passed.stdout
