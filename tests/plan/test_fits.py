"""wgan.plan.fits and fetch_fit: a fit made once into its directory, then only read back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wgan.experiments import theory_fits
from wgan.plan.fetch import READ_ONLY_VARIABLE, fetch, fetch_fit
from wgan.plan.fits import (
    FIT_NAME,
    RESULT_NAME,
    FitConfig,
    family_of,
    fit,
    is_fit,
    length_of,
    load_fit,
)
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec, config_hash, run_dir
from wgan.training.config import TrainConfig

TINY = {"theta": 0.3, "hidden": 4, "steps": 3, "batch_size": 8, "lr": 1e-3, "eval_samples": 16}
CONFIG = FitConfig.of(theory_fits.js_fit, TINY, seed=2, steps=3)
SPEC = RunSpec("tiny-js", CONFIG, ("02_theory",))
SMOKE = Scale("smoke")


def _fits_counted(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Replace the tiny fit's function by itself, counting its calls (in the list)."""
    calls: list[dict] = []
    original = theory_fits.js_fit

    def counted(**kwargs: object) -> dict:
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(theory_fits, "js_fit", counted)
    return calls


def test_a_fit_is_made_once_then_read_back_not_fitted_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _fits_counted(monkeypatch)
    made = fit(CONFIG, tmp_path / "fit")
    assert len(calls) == 1 and calls[0]["seed"] == 2 and calls[0]["theta"] == 0.3
    assert json.loads((tmp_path / "fit" / FIT_NAME).read_text()) == CONFIG.to_dict()
    assert set(made.detail) == {"threads", "git_sha"} and made.seconds > 0
    again = fit(CONFIG, tmp_path / "fit")
    assert len(calls) == 1, "a made fit was fitted again"
    assert again.result == made.result and again.config == CONFIG
    assert load_fit(tmp_path / "fit").result == made.result


def test_a_fit_stopped_before_its_result_is_fitted_again_from_its_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fit").mkdir()
    (tmp_path / "fit" / FIT_NAME).write_text(json.dumps(CONFIG.to_dict()))  # claimed, no result
    with pytest.raises(ValueError, match="has not finished"):
        load_fit(tmp_path / "fit")
    calls = _fits_counted(monkeypatch)
    assert fit(CONFIG, tmp_path / "fit").result.keys() == {"js"}
    assert len(calls) == 1 and (tmp_path / "fit" / RESULT_NAME).is_file()


def test_the_same_seed_fits_the_same_result(tmp_path: Path) -> None:
    assert fit(CONFIG, tmp_path / "a").result == fit(CONFIG, tmp_path / "b").result


def test_a_directory_holding_another_fit_or_other_files_is_refused(tmp_path: Path) -> None:
    fit(CONFIG, tmp_path / "fit")
    other = FitConfig.of(theory_fits.js_fit, {**TINY, "theta": 0.1}, seed=2, steps=3)
    with pytest.raises(ValueError, match="holds another fit"):
        fit(other, tmp_path / "fit")
    (tmp_path / "stray").mkdir()
    (tmp_path / "stray" / "notes.txt").write_text("not a fit")
    with pytest.raises(ValueError, match="not empty and holds no fit"):
        fit(CONFIG, tmp_path / "stray")


def test_read_only_fetch_fit_refuses_to_fit_and_reads_made_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")
    with pytest.raises(ValueError, match=r"forbids training, and the fit .*/smoke/tiny-js-\w{8}' "
                                         r"is missing"):
        fetch_fit(SPEC, SMOKE, tmp_path)
    assert not list(tmp_path.iterdir())
    monkeypatch.delenv(READ_ONLY_VARIABLE)
    made = fetch_fit(SPEC, SMOKE, tmp_path)
    assert made.run_dir == run_dir(SPEC, SMOKE, tmp_path)
    monkeypatch.setenv(READ_ONLY_VARIABLE, "1")
    calls = _fits_counted(monkeypatch)
    assert fetch_fit(SPEC, SMOKE, tmp_path).result == made.result and not calls


def test_fetch_and_fetch_fit_each_refuse_the_others_spec(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a fit: fetch it with fetch_fit"):
        fetch(SPEC, SMOKE, tmp_path)
    run = RunSpec("toy", TrainConfig(dataset="ring8", generator="mlp", critic="mlp"))
    with pytest.raises(ValueError, match="is a training run: fetch it with fetch"):
        fetch_fit(run, SMOKE, tmp_path)


def test_a_config_is_plain_data_named_by_its_function() -> None:
    assert CONFIG.task == "wgan.experiments.theory_fits:js_fit"
    assert CONFIG.function() is theory_fits.js_fit
    assert FitConfig.from_dict(json.loads(json.dumps(CONFIG.to_dict()))) == CONFIG
    assert is_fit(CONFIG.to_dict()) and not is_fit(TrainConfig().to_dict())
    assert config_hash(CONFIG) != config_hash(FitConfig.of(theory_fits.js_fit, TINY, seed=3,
                                                           steps=3))
    assert (CONFIG.device, family_of(CONFIG), length_of(CONFIG)) == ("cpu", "toy", 3)
    ring = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", generator_iters=7)
    assert (family_of(ring), length_of(ring)) == ("toy", 7)


@pytest.mark.parametrize(("changes", "message"), [
    ({"task": "no_colon"}, "import path 'package.module:function'"),
    ({"steps": 0}, "'steps' parameter of FitConfig must be positive"),
    ({"seed": 1.5}, "'seed' parameter of FitConfig must be an int"),
    ({"params": {"theta": float("nan")}}, "JSON values only"),
    ({"params": {"sampler": print}}, "JSON values only"),
])
def test_invalid_settings_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FitConfig(**{**CONFIG.to_dict(), **changes})


def test_a_task_naming_no_function_says_so() -> None:
    with pytest.raises(ValueError, match="names no function"):
        FitConfig("wgan.experiments.theory_fits:no_such_fit").function()
