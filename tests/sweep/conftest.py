"""Fixtures of the sweep tests."""

from __future__ import annotations

import os
import shutil

import pytest

from wgan.sweep import ClusterUnavailable
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
