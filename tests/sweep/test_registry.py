"""The registry lists every run the chapters read, once, in the directories they use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wgan.experiments.images import run_experiment
from wgan.experiments.mixture import ring_specs, run_mixture
from wgan.paths import project_root, runs_dir
from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec, config_hash
from wgan.sweep.registry import chapter_families, registry, select
from wgan.training.config import TrainConfig

EXECUTED = project_root() / "book" / "executed"


@pytest.mark.parametrize("scale", ["smoke", "quick", "paper"])
def test_every_run_is_listed_once_under_its_scale(scale: str, tmp_path: Path) -> None:
    runs = registry(Scale(scale), root=tmp_path)
    assert len({r.run_dir for r in runs}) == len(runs)
    for run in runs:
        assert run.run_dir == tmp_path / scale / f"{run.name}-{config_hash(run.config)}"
        assert run.chapters and all(c[:2].isdigit() for c in run.chapters)


def test_shared_runs_name_every_chapter_that_reads_them(tmp_path: Path) -> None:
    chapters = {r.name: r.chapters for r in registry(Scale("quick"), root=tmp_path)}
    assert chapters["wgan-dcgan"] == ("04_loss_curves", "05_architectures")
    assert chapters["wgan-mlp-mlp-hilr"] == ("04_loss_curves",)
    assert chapters["gan-nobn"] == ("05_architectures",)


def test_a_run_listed_by_two_families_appears_once_with_both_chapters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wgan.sweep.registry

    config = TrainConfig(dataset="ring8", generator="mlp", critic="mlp")
    first = [RunSpec("shared", config, ("03_mixture",)), RunSpec("own", config.replace(seed=1))]
    second = [RunSpec("shared", config, ("08_lipschitz",))]
    monkeypatch.setattr(wgan.sweep.registry, "SOURCES", (lambda scale, **_: first,
                                                         lambda scale, **_: second))
    runs = registry(Scale("quick"), root=tmp_path)
    assert [(r.name, r.chapters) for r in runs] == [
        ("shared", ("03_mixture", "08_lipschitz")), ("own", ())]


def test_registry_names_the_directory_the_chapter_helpers_train_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WGAN_RUNS_READ_ONLY", "1")  # nothing trains: the error names the dir
    listed = {r.run_dir for r in registry(Scale("smoke"), seed=4, device="cpu", root=tmp_path)}
    for call in (lambda: run_mixture("gan", Scale("smoke"), seed=5, device="cpu", root=tmp_path),
                 lambda: run_experiment("gan-nobn", Scale("smoke"), seed=4, device="cpu",
                                        root=tmp_path)):
        with pytest.raises(ValueError, match="forbids training") as raised:
            call()
        named = Path(str(raised.value).split("'")[1])
        assert named in listed


def test_registry_follows_the_seed_and_device(tmp_path: Path) -> None:
    names = {r.config.seed for r in registry(Scale("smoke"), seed=7, root=tmp_path)
             if r.name.startswith("mixture")}
    assert names == {7, 8}
    devices = {r.config.device for r in registry(Scale("smoke"), device="cpu", root=tmp_path)}
    assert devices == {"cpu"}
    assert len(ring_specs(Scale("paper"))) == 2 * 10 + 1 * 10  # methods x seeds, ablation x seeds


def test_select_by_name_or_key_and_unknown_names_are_refused(tmp_path: Path) -> None:
    runs = registry(Scale("smoke"), root=tmp_path)
    assert {r.name for r in select(runs, ["mixture-gan"])} == {"mixture-gan"}
    assert len(select(runs, [runs[0].key])) == 1
    assert select(runs, []) == runs
    with pytest.raises(ValueError, match="names no run of the registry: \\['nope'\\]"):
        select(runs, ["nope"])


def _smoke_book() -> dict[str, object] | None:
    """The parameters of the smoke book executed in this checkout, if there is one."""
    notebooks = sorted(EXECUTED.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        return None
    params = json.loads(notebooks[0].read_text())["metadata"]["papermill"]["parameters"]
    return params if params.get("scale") == "smoke" else None


def test_the_smoke_books_run_directories_are_exactly_the_registrys() -> None:
    params = _smoke_book()
    if params is None or not (runs_dir() / "smoke").is_dir():
        pytest.skip("no smoke book executed here (make execute SCALE=smoke; CI runs it first)")
    on_disk = {p.name for p in (runs_dir() / "smoke").iterdir()
               if p.is_dir() and not p.name.startswith(".")}
    listed = {r.key for r in registry(Scale("smoke"), seed=int(params["seed"]),
                                      device=str(params["device"]))}
    assert on_disk == listed, (f"trained but not registered: {sorted(on_disk - listed)}; "
                               f"registered but not trained: {sorted(listed - on_disk)}")


def test_chapter_families_name_the_networks_a_chapter_trains() -> None:
    assert chapter_families("03_mixture", Scale("smoke")) == ("toy",)
    assert chapter_families("04_loss_curves", Scale("quick")) == ("mlp", "conv")
    assert chapter_families("08_lipschitz", Scale("paper")) == ("toy", "conv")
    assert chapter_families("02_theory", Scale("quick")) == ("toy",)  # its fits
    with pytest.raises(ValueError, match=r"chapter '03_mixtures'.*the chapters with runs: "
                                         r"02_theory, 03_"):
        chapter_families("03_mixtures", Scale("smoke"))
