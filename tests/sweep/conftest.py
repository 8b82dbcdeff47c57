"""Fixtures of the sweep tests."""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from wgan.sweep import ClusterUnavailable
from wgan.sweep.costs import Cost
from wgan.sweep.registry import RegisteredRun
from wgan.sweep.slurm import check_cluster


@pytest.fixture
def cluster() -> None:
    """A SLURM cluster answers here; else skip (fail with ``CI=true``: .ci/run starts one)."""
    if shutil.which("sinfo") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true and no sinfo: .ci/run brings a cluster up with "
                        "tools/slurm_up.sh before the tests")
        pytest.skip("no SLURM cluster here (no sinfo; tools/slurm_up.sh starts one)")
    try:
        check_cluster()
    except ClusterUnavailable as err:
        if os.environ.get("CI") == "true":
            pytest.fail(str(err))
        pytest.skip(str(err))


@pytest.fixture
def terminated_pool() -> Callable[[list[RegisteredRun], str], None]:
    """``terminated_pool(runs, options)``: ``run_local(runs, costs, <options>)`` in a process
    group of its own, sent SIGTERM once the first two runs have 5 metrics rows each; returns
    when the pool and every worker have ended (fails the test if a worker outlives it)."""

    def terminate(runs: list[RegisteredRun], options: str) -> None:
        script = (
            "import pickle, sys\n"
            "from wgan.sweep.local import run_local\n"
            "runs, costs = pickle.loads(sys.stdin.buffer.read())\n"
            f"run_local(runs, costs, {options})\n"
        )
        costs = {r.key: Cost(None, "", "") for r in runs}
        pool = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                start_new_session=True)
        pool.stdin.write(pickle.dumps((runs, costs)))
        pool.stdin.close()
        started = [r.run_dir / "metrics.jsonl" for r in runs[:2]]
        while not all(p.is_file() and p.read_text().count("\n") >= 5 for p in started):
            time.sleep(0.2)
        os.killpg(pool.pid, signal.SIGTERM)
        pool.wait(timeout=120)
        for _ in range(600):  # the workers end too, taking no other task from the queue
            if subprocess.run(["pgrep", "-g", str(pool.pid)], capture_output=True).returncode:
                return
            time.sleep(0.1)
        pytest.fail("a worker of the pool outlived the signal")

    return terminate
