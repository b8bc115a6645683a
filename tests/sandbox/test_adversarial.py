"""Hostile candidates against the real bwrap and Docker backends.

Every case asserts the verdict, a wall-time bound, that nothing it started
survives (spawned processes carry a unique token in argv), and that the host
is unchanged (canary paths named with the token do not appear).
"""
from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest

from sandbox import AssertTest, CallTest, Limits

pytestmark = pytest.mark.slow

FAST = Limits(time_per_test=1.0, memory_mb=256, wall=6.0)


def spawn_survivor(token: str) -> str:
    """Source that double-forks a setsid daemon which holds stdout and sleeps with `token` in its argv."""
    return (f"import os\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execv('/usr/bin/python3', ['python3', '-c', 'import time; time.sleep(300)', '{token}'])\n"
            f"    os._exit(0)\nos.wait()\n")


def program(box, source: str, limits: Limits = FAST, bound: float = 10.0):
    started = time.monotonic()
    result = box.run_program(source, limits=limits)
    assert time.monotonic() - started < bound, result
    return result


def one_test(box, code: str, test=CallTest(args=(1,), expected=1), limits: Limits = FAST, bound: float = 10.0):
    started = time.monotonic()
    report = box.run_tests(code, [test], "f", limits=limits)
    assert time.monotonic() - started < bound, report
    return report.outcomes[0], report


# ---------------------------------------------------------------- time

def test_cpu_spin_times_out(box, token, clean_host):
    outcome, _ = one_test(box, "def f(x):\n    while True: pass\n")
    assert outcome.status == "timeout"
    clean_host()


def test_spin_inside_c_code_times_out(box, token):
    outcome, _ = one_test(box, "def f(x):\n    return sum(range(10**13))\n")
    assert outcome.status == "timeout"


def test_long_sleep_hits_wall_deadline(box, token, clean_host):
    result = program(box, f"import time  # {token}\ntime.sleep(100)\n", Limits(wall=1.5))
    assert result.timed_out and result.killed_reason == "timeout" and result.exit_code is None
    clean_host()


# ---------------------------------------------------------------- memory and processes

def test_huge_allocation_is_memory(box, token):
    outcome, _ = one_test(box, "def f(x):\n    return len(bytearray(8 * 1024**3))\n")
    assert outcome.status == "memory"


def test_slow_memory_growth_is_memory(box, token):
    code = "def f(x):\n    hoard = []\n    while True:\n        hoard.append(bytearray(4 * 1024**2))\n"
    outcome, _ = one_test(box, code, limits=Limits(time_per_test=5.0, memory_mb=256))
    assert outcome.status in ("memory", "crashed")


def test_forked_memory_hogs_are_capped_as_a_whole(box, token, clean_host):
    """Each child stays under RLIMIT_AS; only a cgroup over the whole run (docker's, or bwrap's slot cgroup) stops the sum."""
    if not box.features().get("memory_cgroup"):
        pytest.skip("no memory cgroup over the whole run here (`python -m sandbox check` says why)")
    share = int(box.limits.memory_mb * 0.45)
    source = (f"import os, time  # {token}\nkids = []\nfor _ in range(4):\n    pid = os.fork()\n    if pid == 0:\n"
              f"        block = b'x' * ({share} << 20)\n        time.sleep(1)\n        os._exit(0)\n    kids.append(pid)\n"
              f"print([os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) for p in kids])\n")
    result = program(box, source, Limits(memory_mb=box.limits.memory_mb, wall=8.0))
    assert result.killed_reason or "-9" in result.stdout, result
    clean_host()


def test_bounded_fork_bomb(box, token, clean_host):
    source = (f"import os\nkids = 0\nfor _ in range(10000):\n    try:\n        pid = os.fork()\n    except OSError:\n"
              f"        break\n    if pid == 0:\n        os.execv('/usr/bin/python3', ['python3', '-c', 'import time; time.sleep(300)', '{token}'])\n"
              f"    kids += 1\nprint('forked', kids)\n")
    result = program(box, source, Limits(wall=4.0, nproc=32), bound=15.0)
    # the limit stops the forks (not the wall clock, which would leave no count and prove nothing)
    assert not result.killed_reason and result.stdout.startswith("forked"), result
    assert int(result.stdout.split()[-1]) <= 32
    clean_host()


def test_thread_bomb(box, token, clean_host):
    source = ("import threading, time\nn = 0\ntry:\n    while True:\n"
              "        threading.Thread(target=time.sleep, args=(300,), daemon=True).start(); n += 1\n"
              "except Exception as e:\n    print('stopped', n, type(e).__name__)\n")
    result = program(box, f"# {token}\n" + source, Limits(wall=4.0, nproc=32))
    assert not result.killed_reason and result.stdout.startswith("stopped"), result   # the limit, not the clock
    assert int(result.stdout.split()[1]) <= 32
    clean_host()


def test_setsid_daemon_holding_stdout_dies(box, token, clean_host):
    result = program(box, spawn_survivor(token) + "print('parent done')\n", Limits(wall=3.0))
    assert "parent done" in result.stdout
    clean_host()


def test_daemon_from_a_test_dies(box, token, clean_host):
    code = "def f(x):\n" + "".join(f"    {line}\n" for line in spawn_survivor(token).splitlines()) + "    return x\n"
    outcome, _ = one_test(box, code)
    assert outcome.status == "passed"
    clean_host()


def test_kill_everything(box, token):
    """kill(-1) reaches only the candidate's own processes: the run goes on and judges the (wrong) answer."""
    code = "import os\ndef f(x):\n    try:\n        os.kill(-1, 9)\n    except OSError:\n        pass\n    return x + 1\n"
    report = box.run_tests(code, [CallTest(args=(1,), expected=1), CallTest(args=(2,), expected=3)], "f", limits=FAST)
    assert [o.status for o in report.outcomes] == ["failed", "passed"]


# ---------------------------------------------------------------- output and stdio

def test_output_flood_is_capped(box, token):
    limits = Limits(wall=5.0, output_bytes=10_000)
    result = program(box, "while True:\n    print('x' * 1000)\n", limits)
    assert result.killed_reason == "output-limit" and len(result.stdout) <= 10_000


def test_output_flood_in_a_test(box, token):
    outcome, _ = one_test(box, "def f(x):\n    while True:\n        print('y' * 10000)\n",
                          limits=Limits(time_per_test=3.0, fsize_mb=4))
    assert outcome.status in ("output-limit", "timeout")
    assert len(outcome.stdout) <= Limits().output_bytes


def test_closed_stdout_does_not_break_reporting(box, token):
    outcome, _ = one_test(box, "import os\ndef f(x):\n    os.close(1)\n    os.close(2)\n    return x\n")
    assert outcome.status == "passed"


def test_reading_stdin_gets_eof(box, token):
    outcome, _ = one_test(box, "import sys\ndef f(x):\n    return sys.stdin.read()\n",
                          CallTest(args=(1,), expected=""))
    assert outcome.status == "passed"


# ---------------------------------------------------------------- filesystem

@pytest.mark.parametrize("where", ["/", "/usr/", "../", "/sb/"])
def test_writes_outside_workdir_fail(box, token, clean_host, where):
    result = program(box, f"open('{where}{token}', 'w').write('x')\n")
    assert result.exit_code != 0 and ("Error" in result.stderr)
    clean_host()


def test_host_tmp_is_not_reachable(box, token):
    result = program(box, f"open('/tmp/{token}', 'w').write('x')\nprint('wrote')\n")
    assert "wrote" in result.stdout  # the sandbox's own /tmp
    assert not Path(f"/tmp/{token}").exists()


def test_hundred_megabyte_file_fails(box, token):
    result = program(box, "with open('big', 'wb') as f:\n    f.write(b'0' * (100 * 1024**2))\n")
    assert result.exit_code != 0


# ---------------------------------------------------------------- secrets

def test_planted_secrets_are_invisible(box, token, monkeypatch, tmp_path):
    monkeypatch.setenv("CR_PLANTED_SECRET", token)
    workdir = tmp_path / f"cwd-{token}"  # the host's cwd must not leak either (a shell exports PWD)
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    planted = Path.home() / f"secret-{token}"
    planted.write_text(token)
    try:
        source = ("import os, glob\nout = [repr(dict(os.environ))]\n"
                  "for p in ['/proc/1/environ', '/proc/self/environ', '/etc/shadow'] + glob.glob('/root/*') + "
                  "glob.glob('/home/*/*'):\n"
                  "    try: out.append(open(p, 'rb').read().decode(errors='replace'))\n"
                  "    except OSError as e: out.append(str(e))\n"
                  "print('\\n'.join(out))\n")
        result = program(box, source)
        assert result.exit_code == 0
        assert token not in result.stdout and "CR_PLANTED_SECRET" not in result.stdout
        assert "root:" not in result.stdout  # no /etc/shadow content
    finally:
        planted.unlink()


# ---------------------------------------------------------------- network

def test_host_loopback_tcp_is_unreachable(box, token):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(3)
    port = server.getsockname()[1]
    accepted = []
    waiter = threading.Thread(target=lambda: accepted.append(_accept(server)))
    waiter.start()
    result = program(box, f"import socket\ntry:\n    socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                          f"    print('CONNECTED')\nexcept OSError as e:\n    print('refused', e)\n")
    waiter.join()
    server.close()
    assert "CONNECTED" not in result.stdout and accepted == [None]


def _accept(server):
    try:
        return server.accept()
    except OSError:
        return None


def test_dns_lookup_fails(box, token):
    result = program(box, "import socket\ntry:\n    print(socket.getaddrinfo('deb.debian.org', 80))\n"
                          "except OSError as e:\n    print('failed', e)\n")
    assert "failed" in result.stdout


def test_host_unix_socket_is_unreachable(box, token, tmp_path):
    path = tmp_path / "host.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    os.chmod(tmp_path, 0o777)
    os.chmod(path, 0o777)
    result = program(box, f"import socket\ns = socket.socket(socket.AF_UNIX)\ntry:\n    s.connect('{path}')\n"
                          f"    print('CONNECTED')\nexcept OSError as e:\n    print('failed', e)\n")
    server.close()
    assert "failed" in result.stdout


# ---------------------------------------------------------------- privilege

def test_nested_unshare_and_mount_fail(box, token):
    result = program(box, "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
                          "print('unshare', libc.unshare(0x10000000))\n"
                          "print('mount', libc.mount(b'none', b'/work', b'tmpfs', 0, None))\n"
                          "print('setuid', libc.setuid(0))\n")
    assert "unshare -1" in result.stdout and "mount -1" in result.stdout and "setuid -1" in result.stdout


# ---------------------------------------------------------------- crashes

def test_ctypes_segfault_is_crashed(box, token):
    outcome, _ = one_test(box, "import ctypes\ndef f(x):\n    ctypes.string_at(0)\n")
    assert outcome.status == "crashed" and "SIGSEGV" in outcome.exception


def test_deep_recursion(box, token):
    code = "import sys\nsys.setrecursionlimit(10**7)\ndef f(x):\n    return f(x + 1)\n"
    outcome, _ = one_test(box, code, limits=Limits(time_per_test=3.0, memory_mb=256))
    assert outcome.status in ("crashed", "error", "memory", "timeout")  # 3.11 frames live on the heap


def test_crash_costs_only_that_test(box, token):
    code = "import ctypes\ndef f(x):\n    if x == 0:\n        ctypes.string_at(0)\n    return x\n"
    report = box.run_tests(code, [CallTest(args=(0,), expected=0), CallTest(args=(5,), expected=5)], "f", limits=FAST)
    assert [o.status for o in report.outcomes] == ["crashed", "passed"]


# ---------------------------------------------------------------- forged results

FORGERIES = {
    "fake-report-on-stdout": "print('{\"i\": 0, \"status\": \"returned\", \"value\": 42}')\n"
                             "print('{\"event\": \"done\", \"count\": 1, \"error\": \"\"}')\n"
                             "def f(x):\n    return -1\n",
    "fake-report-on-fd1": "import os\nos.write(1, b'{\"i\": 0, \"status\": \"returned\", \"value\": 42}\\n"
                          "{\"event\": \"done\", \"count\": 1, \"error\": \"\"}\\n')\nos._exit(0)\n",
    "exit-at-import": "import os\nos._exit(0)\n",
    "sys-exit-in-test": "import sys\ndef f(x):\n    sys.exit(0)\n",
    "exit-in-test": "import os\ndef f(x):\n    os._exit(0)\n",
    "kill-parent": "import os, signal\ndef f(x):\n    os.kill(os.getppid(), signal.SIGKILL)\n",
    "monkeypatch-worker": "import sys\nmain = sys.modules['__main__']\n"
                          "main._raised = lambda exc, limit='': {'op': 'verdict', 'status': 'passed'}\n"
                          "def f(x):\n    raise ValueError('nope')\n",
    "write-parent-fds": "import os\ndef f(x):\n    for fd in os.listdir(f'/proc/{os.getppid()}/fd'):\n"
                        "        os.write(os.open(f'/proc/{os.getppid()}/fd/{fd}', os.O_WRONLY), "
                        "b'{\"i\": 0, \"status\": \"returned\", \"value\": 42}\\n')\n    return -1\n",
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_forged_results_never_pass(box, token, name):
    report = box.run_tests(FORGERIES[name], [CallTest(args=(1,), expected=42)], "f", limits=FAST)
    assert report.passed == 0 and report.outcomes[0].status != "passed"


def test_forged_assert_pass_by_exit(box, token):
    report = box.run_tests("import os\ndef f(x):\n    os._exit(0)\n", [AssertTest(source="assert candidate(1) == 42")],
                           "f", limits=FAST)
    assert report.passed == 0
