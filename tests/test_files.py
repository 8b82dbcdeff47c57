"""Atomic writes and locks: an interrupted write keeps the old file, a lock has one holder."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from wgan.files import (
    atomic_path,
    atomic_write_bytes,
    is_locked,
    is_temporary,
    locked,
    temporary_path,
)


def test_a_write_creates_parent_directories_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "x.bin"
    atomic_write_bytes(path, b"abc")
    assert path.read_bytes() == b"abc"
    assert [p.name for p in path.parent.iterdir()] == ["x.bin"]


def test_a_temporary_file_is_hidden_beside_its_target_and_named_by_the_process(
    tmp_path: Path,
) -> None:
    temporary = temporary_path(tmp_path / "status.json")
    assert temporary == tmp_path / f".status.json.{os.getpid()}.tmp"
    assert is_temporary(temporary)
    assert not is_temporary(tmp_path / "status.json")
    assert not is_temporary(tmp_path / ".lock")


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    atomic_write_bytes(path, b'{"status": "running"}')
    with pytest.raises(OSError, match="disk full"), atomic_path(path) as temporary:
        temporary.write_bytes(b'{"status": "fin')
        raise OSError("disk full")
    assert path.read_bytes() == b'{"status": "running"}'
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


def test_a_write_killed_midway_leaves_the_old_file_and_a_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    atomic_write_bytes(path, b"old")
    killed = subprocess.run(
        [sys.executable, "-c",
         "import os, signal, sys\n"
         "from pathlib import Path\n"
         "from wgan.files import atomic_path\n"
         "with atomic_path(Path(sys.argv[1])) as temporary:\n"
         "    temporary.write_bytes(b'torn')\n"
         "    os.kill(os.getpid(), signal.SIGKILL)\n",
         str(path)],
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert path.read_bytes() == b"old"
    left = [p for p in tmp_path.iterdir() if p != path]
    assert len(left) == 1 and is_temporary(left[0])


def test_a_lock_excludes_a_second_holder_until_released(tmp_path: Path) -> None:
    path = tmp_path / "run" / ".lock"
    assert not is_locked(path)  # no file, no lock
    with locked(path):
        assert is_locked(path)  # asked through a second open file description
        probe = subprocess.run(
            [sys.executable, "-c",
             "import sys\nfrom pathlib import Path\nfrom wgan.files import is_locked\n"
             "sys.exit(0 if is_locked(Path(sys.argv[1])) else 1)\n", str(path)],
            check=False,
        )
        assert probe.returncode == 0, "another process sees the lock held"
    assert not is_locked(path)


def test_a_second_holder_waits_and_says_so(
    tmp_path: Path, capfd: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / ".lock"
    order: list[str] = []

    def second() -> None:
        with locked(path, "Waiting for the first holder..."):
            order.append("second")

    with locked(path):
        waiter = threading.Thread(target=second)
        waiter.start()
        while "Waiting for the first holder..." not in capfd.readouterr().err:
            waiter.join(0.05)
        assert waiter.is_alive()
        order.append("first")
    waiter.join()
    assert order == ["first", "second"]


def test_a_lock_dies_with_its_holder(tmp_path: Path) -> None:
    path = tmp_path / ".lock"
    with subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom pathlib import Path\nfrom wgan.files import locked\n"
         "with locked(Path(sys.argv[1])):\n"
         "    print('held', flush=True)\n"
         "    time.sleep(60)\n", str(path)],
        stdout=subprocess.PIPE, text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            assert is_locked(path)
        finally:
            holder.kill()
    assert not is_locked(path)  # killed: the operating system released its lock
