"""wgan.plan.scale: a scale as a value, the dry-run switch read once, its cap and folder."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from wgan.plan.scale import DRY_RUN_VARIABLE, SCALES, Scale

DRY = Scale("paper", dry=True)


@pytest.mark.parametrize(("value", "expected"), [("", False), ("0", False), ("1", True)])
def test_from_env_reads_the_dry_run_variable(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv(DRY_RUN_VARIABLE, value)
    assert Scale.from_env("paper") == Scale("paper", dry=expected)


def test_from_env_without_the_variable_is_not_dry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DRY_RUN_VARIABLE, raising=False)
    assert Scale.from_env("quick") == Scale("quick")
    assert Scale.from_env(DRY) is DRY  # a Scale passes through, whatever the environment


def test_from_env_refuses_other_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DRY_RUN_VARIABLE, "yes")
    with pytest.raises(ValueError, match=r"WGAN_DRY_RUN must be '1' \(dry run\), '0' or unset\. "
                                         r"Got 'yes' instead\."):
        Scale.from_env("paper")


def test_a_scale_reads_the_environment_only_when_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DRY_RUN_VARIABLE, "0")
    scale = Scale.from_env("paper")
    monkeypatch.setenv(DRY_RUN_VARIABLE, "1")
    assert scale.cap(100_000, 3) == 100_000 and scale.folder == "paper"


def test_unknown_names_and_non_bool_dry_are_refused() -> None:
    with pytest.raises(ValueError, match=r"'scale' parameter must be one of 'smoke', 'quick', "
                                         r"'paper'\. Got 'huge' instead"):
        Scale("huge")
    with pytest.raises(ValueError, match="'dry' parameter of Scale must be a bool"):
        Scale("paper", dry="1")  # type: ignore[arg-type]
    with pytest.raises(dataclasses.FrozenInstanceError):
        DRY.dry = False  # type: ignore[misc]


def test_pick_returns_the_value_of_the_scale() -> None:
    assert [Scale(n).pick(smoke=1, quick=2, paper=3) for n in SCALES] == [1, 2, 3]
    assert DRY.pick(smoke=1, quick=2, paper=3) == 3


def test_cap_leaves_everything_alone_outside_a_dry_run() -> None:
    scale = Scale("paper")
    assert scale.cap(100_000, 3) == 100_000
    assert scale.cap([0, 1, 2, 3, 4], 2) == [0, 1, 2, 3, 4]
    assert scale.folder == "paper" and str(scale) == "paper"


def test_cap_keeps_a_handful_in_a_dry_run() -> None:
    assert DRY.cap(100_000, 3) == 3
    assert DRY.cap(2, 3) == 2  # already fewer: unchanged
    assert DRY.cap((5e-5, 1e-3, 1e-2), 2) == (5e-5, 1e-3)
    assert DRY.cap([0, 1, 2, 3, 4], 2) == [0, 1]
    capped = DRY.cap(np.array([10, 30, 100]), 2)
    assert isinstance(capped, np.ndarray) and capped.tolist() == [10, 30]
    assert isinstance(DRY.cap(np.int64(7), 3), np.int64)


def test_cap_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"'handful' parameter of cap must be a positive int\. "
                                         r"Got 0 instead\."):
        DRY.cap(10, 0)
    with pytest.raises(ValueError, match=r"'value' parameter of cap must be an int or a "
                                         r"sequence\. Got float instead\."):
        DRY.cap(2.5, 1)


def test_dry_runs_live_in_a_folder_of_their_own() -> None:
    assert DRY.folder == "paper-dry" and str(DRY) == "paper (dry run)"
