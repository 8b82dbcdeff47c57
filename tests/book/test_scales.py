"""wgan.book.scales: the dry run switch, its cap and its run folder."""

from __future__ import annotations

import numpy as np
import pytest

from wgan.book.scales import DRY_RUN_VARIABLE, cap, dry_run, run_folder


@pytest.fixture
def dry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DRY_RUN_VARIABLE, "1")


@pytest.fixture(autouse=True)
def not_dry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DRY_RUN_VARIABLE, raising=False)


@pytest.mark.parametrize(("value", "expected"), [("", False), ("0", False), ("1", True)])
def test_dry_run_reads_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv(DRY_RUN_VARIABLE, value)
    assert dry_run() is expected


def test_dry_run_refuses_other_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DRY_RUN_VARIABLE, "yes")
    with pytest.raises(ValueError, match=r"WGAN_DRY_RUN must be '1' \(dry run\), '0' or unset\. "
                                         r"Got 'yes' instead\."):
        dry_run()


def test_cap_leaves_everything_alone_outside_a_dry_run() -> None:
    assert cap(100_000, 3) == 100_000
    assert cap([0, 1, 2, 3, 4], 2) == [0, 1, 2, 3, 4]
    assert run_folder("paper") == "paper"


def test_cap_keeps_a_handful_in_a_dry_run(dry: None) -> None:
    assert cap(100_000, 3) == 3
    assert cap(2, 3) == 2  # already fewer: unchanged
    assert cap((5e-5, 1e-3, 1e-2), 2) == (5e-5, 1e-3)
    assert cap([0, 1, 2, 3, 4], 2) == [0, 1, 2, 3, 4][:2]
    capped = cap(np.array([10, 30, 100]), 2)
    assert isinstance(capped, np.ndarray) and capped.tolist() == [10, 30]
    assert isinstance(cap(np.int64(7), 3), np.int64)


def test_cap_refuses_bad_arguments(dry: None) -> None:
    with pytest.raises(ValueError, match=r"'handful' parameter of cap must be a positive int\. "
                                         r"Got 0 instead\."):
        cap(10, 0)
    with pytest.raises(ValueError, match=r"'value' parameter of cap must be an int or a "
                                         r"sequence\. Got float instead\."):
        cap(2.5, 1)


def test_dry_runs_live_in_a_folder_of_their_own(dry: None) -> None:
    assert run_folder("paper") == "paper-dry"
    with pytest.raises(ValueError, match="'scale' parameter must be one of"):
        run_folder("huge")
