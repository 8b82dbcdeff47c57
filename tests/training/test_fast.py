"""Speed switches: what "auto" resolves to, what each switch does, and that the fast step
computes what the float32 step computes (exactly where it can, statistically where it
rounds)."""

from __future__ import annotations

import copy
import html
import json
import os

import numpy as np
import pytest
import torch

from wgan.plan.scale import Scale
from wgan.plan.spec import RunSpec
from wgan.report.provenance import provenance
from wgan.speed.equivalence import curve_distances, learning_curves
from wgan.training.algorithm1 import critic_step, generator_step, make_optimizer, prior
from wgan.training.config import TrainConfig
from wgan.training.fast import (
    FLOAT32,
    MEASURED_DEFAULTS,
    Speed,
    auto_speed,
    autocast,
    cpu_bfloat16_note,
    cpu_has_native_bfloat16,
    cpu_name,
    machine_kind,
    network_family,
    prepare_models,
    resolve_speed,
)
from wgan.training.models import build_critic, build_generator
from wgan.training.run import train

CPU = torch.device("cpu")
SHAPE = (1, 16, 16)
BF16 = Speed("bfloat16", channels_last=True, compile="off")


def tiny_config(**overrides) -> TrainConfig:
    base = dict(dataset="digits", image_size=16, ngf=8, ndf=8, nz=8, batch_size=16, n_critic=2,
                critic_warmup=False, generator_iters=10, checkpoint_every=1000,
                sample_every=1000, device="cpu")
    return TrainConfig(**(base | overrides))


def seed_curves(config: TrainConfig, seeds: list[int], name: str, root) -> np.ndarray:
    """The W-estimate curves of ``config`` run once per seed, under ``root``."""
    specs = [RunSpec(name, config.replace(seed=s)) for s in seeds]
    return learning_curves(specs, Scale("smoke"), root)


def tiny_nets(seed: int = 0):
    torch.manual_seed(seed)
    return (build_generator("dcgan", SHAPE, nz=8, ngf=8), build_critic("dcgan", SHAPE, ndf=8))


@pytest.mark.parametrize(
    ("overrides", "family"),
    [
        ({}, "conv"),
        ({"generator": "mlp"}, "conv"),
        ({"generator": "mlp", "critic": "mlp"}, "mlp"),
        ({"generator": "mlp", "critic": "mlp", "dataset": "ring8"}, "toy"),
    ],
)
def test_network_family_follows_architectures_and_data(overrides, family):
    assert network_family(TrainConfig(**overrides)) == family


# Pretend CPUs: torch.cpu.get_capabilities() of each kind, cut to the flags that matter.
XEON_WITHOUT_BF16 = {"architecture": "x86_64", "avx512_f": True, "avx512_bw": True,
                     "avx512_vnni": True, "avx512_bf16": False, "amx_bf16": False}
EPYC_WITH_BF16 = XEON_WITHOUT_BF16 | {"avx512_bf16": True}
SAPPHIRE_RAPIDS = EPYC_WITH_BF16 | {"amx_bf16": True, "amx_tile": True}
GRAVITON3 = {"architecture": "arm64", "neon": True, "bf16": True, "sve": True}
GRAVITON2 = {"architecture": "arm64", "neon": True, "bf16": False}
LAPTOP_AVX2 = {"architecture": "x86_64", "avx2": True}
CONFIGS = {"conv": TrainConfig(), "mlp": TrainConfig(generator="mlp", critic="mlp"),
           "toy": TrainConfig(dataset="ring8", generator="mlp", critic="mlp")}


def pretend_cpu(monkeypatch, capabilities: dict[str, object]) -> None:
    """Make this machine's CPU report ``capabilities`` (what cpuinfo read from the CPU)."""
    monkeypatch.setattr(torch.cpu, "get_capabilities", lambda: capabilities)


@pytest.mark.parametrize(
    ("capabilities", "native"),
    [(XEON_WITHOUT_BF16, False), (LAPTOP_AVX2, False), (GRAVITON2, False),
     (EPYC_WITH_BF16, True), (SAPPHIRE_RAPIDS, True), (GRAVITON3, True)],
)
def test_native_bfloat16_is_read_from_the_cpu_flags(capabilities, native):
    assert cpu_has_native_bfloat16(capabilities) is native
    assert cpu_bfloat16_note(capabilities).startswith(
        "this CPU has bfloat16" if native else "this CPU has no bfloat16")


def test_this_machines_flags_are_read_without_error():
    assert isinstance(cpu_has_native_bfloat16(), bool)
    assert cpu_name().endswith(f", {os.cpu_count()} cores") and "unknown" not in cpu_name()
    assert machine_kind(CPU) in ("cpu", "cpu-bf16")


@pytest.mark.parametrize(("capabilities", "kind"),
                         [(XEON_WITHOUT_BF16, "cpu"), (EPYC_WITH_BF16, "cpu-bf16")])
def test_auto_resolves_to_the_measured_default_of_the_cpu_kind_and_family(
        monkeypatch, capabilities, kind):
    pretend_cpu(monkeypatch, capabilities)
    assert machine_kind(CPU) == kind
    for family, config in CONFIGS.items():
        assert resolve_speed(config, CPU) == MEASURED_DEFAULTS[(kind, family)]


def test_auto_is_bfloat16_for_image_networks_only_on_a_cpu_with_bfloat16(monkeypatch):
    pretend_cpu(monkeypatch, XEON_WITHOUT_BF16)
    assert {resolve_speed(c, CPU).precision for c in CONFIGS.values()} == {"float32"}
    assert resolve_speed(CONFIGS["conv"], CPU) == Speed("float32", True, "off")
    pretend_cpu(monkeypatch, SAPPHIRE_RAPIDS)
    assert resolve_speed(CONFIGS["conv"], CPU) == Speed("bfloat16", True, "off")
    assert resolve_speed(CONFIGS["mlp"], CPU).precision == "bfloat16"
    assert resolve_speed(CONFIGS["toy"], CPU) == FLOAT32  # measured faster in float32
    # an explicit precision is kept whatever the CPU
    assert resolve_speed(TrainConfig(precision="float32"), CPU).precision == "float32"
    pretend_cpu(monkeypatch, XEON_WITHOUT_BF16)
    assert resolve_speed(TrainConfig(precision="bfloat16"), CPU).precision == "bfloat16"


def test_every_machine_kind_has_every_family():
    kinds = {kind for kind, _ in MEASURED_DEFAULTS}
    families = {family for _, family in MEASURED_DEFAULTS}
    assert kinds == {"cpu", "cpu-bf16", "cuda"}
    assert set(MEASURED_DEFAULTS) == {(k, f) for k in kinds for f in families}
    with pytest.raises(ValueError, match=r"'family' parameter of auto_speed must be one of "
                                         r"'conv', 'mlp', 'toy'\. Got 'rnn' instead"):
        auto_speed(CPU, "rnn")


@pytest.mark.parametrize(("capabilities", "speed"),
                         [(XEON_WITHOUT_BF16, "float32, channels-last, not compiled"),
                          (EPYC_WITH_BF16, "bfloat16 autocast, channels-last, not compiled")])
def test_a_run_records_what_auto_resolved_to_on_its_cpu(
        monkeypatch, tmp_path, tiny_image_config, capabilities, speed):
    pretend_cpu(monkeypatch, capabilities)
    result = train(tiny_image_config.replace(device="cpu"), tmp_path / "run")
    assert result.detail["speed"] == speed  # status.json
    assert json.loads((tmp_path / "run" / "status.json").read_text())["speed"] == speed


def test_a_run_resumed_on_a_cpu_of_the_other_kind_says_so(monkeypatch, tmp_path,
                                                          tiny_image_config):
    config = tiny_image_config.replace(device="cpu")
    pretend_cpu(monkeypatch, EPYC_WITH_BF16)
    asked: list[int] = []
    train(config, tmp_path / "run", stop=lambda: asked.append(1) or len(asked) == 2)
    pretend_cpu(monkeypatch, XEON_WITHOUT_BF16)
    with pytest.warns(RuntimeWarning, match="resumed at generator iteration 2 in float32, "
                                            "channels-last, not compiled; it trained in "
                                            "bfloat16 autocast"):
        result = train(config, tmp_path / "run")
    assert result.detail["speed"] == "float32, channels-last, not compiled"


def test_the_provenance_box_shows_the_runs_precision_and_the_cpus_kind(monkeypatch):
    # (a test of wgan.report.provenance, kept beside the capability rule it shows)
    monkeypatch.setattr("torch.cuda.is_available", lambda: False)
    pretend_cpu(monkeypatch, XEON_WITHOUT_BF16)
    record = provenance(Scale("smoke"), "auto", 0, dataset="toy", families=("toy", "conv"))
    row = dict(record.rows())["runs' precision"]
    assert row == ("toy networks: float32, contiguous NCHW, not compiled; conv networks: "
                   "float32, channels-last, not compiled; this CPU has no bfloat16 "
                   "instructions (no avx512_bf16, amx_bf16, bf16 or sve_bf16 among its "
                   "flags), so auto is float32 on it")
    assert f"speed=[{row}]" in record.line()
    assert f"<th>runs&#x27; precision</th><td>{html.escape(row)}</td>" in record._repr_html_()
    pretend_cpu(monkeypatch, SAPPHIRE_RAPIDS)
    record = provenance(Scale("smoke"), "auto", 0, dataset="digits", families=("conv",))
    assert dict(record.rows())["runs' precision"] == (
        "conv networks: bfloat16 autocast, channels-last, not compiled; this CPU has bfloat16 "
        "instructions (avx512_bf16, amx_bf16)")
    assert "runs' precision" not in dict(provenance(Scale("smoke"), "auto", 0).rows())


def test_auto_on_cuda_replays_image_steps_as_graphs_unless_cosines_are_logged():
    cuda = torch.device("cuda")  # resolving needs no GPU
    assert resolve_speed(TrainConfig(), cuda).compile == "reduce-overhead"
    assert resolve_speed(TrainConfig(generator="mlp", critic="mlp"), cuda).compile == (
        "reduce-overhead")
    assert resolve_speed(TrainConfig(log_update_cosine=True), cuda).compile == "off"
    assert resolve_speed(TrainConfig(dataset="ring8", generator="mlp", critic="mlp"),
                         cuda).compile == "off"
    with pytest.raises(ValueError, match="cannot capture log_update_cosine=True"):
        resolve_speed(TrainConfig(log_update_cosine=True, compile="reduce-overhead"), cuda)


def test_explicit_switches_override_auto():
    config = TrainConfig(precision="bfloat16", channels_last=False, compile="default")
    assert resolve_speed(config, CPU) == Speed("bfloat16", channels_last=False, compile="default")


def test_cuda_graphs_on_cpu_are_refused():
    with pytest.raises(ValueError, match="'reduce-overhead' \\(CUDA graphs\\), which needs a "
                                         "CUDA device"):
        resolve_speed(TrainConfig(compile="reduce-overhead"), CPU)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("precision", "float16", "The 'precision' parameter of TrainConfig must be one of "
                                 "'auto', 'float32', 'bfloat16'. Got 'float16' instead."),
        ("compile", "max", "The 'compile' parameter of TrainConfig must be one of 'auto', "
                           "'off', 'default', 'reduce-overhead'. Got 'max' instead."),
        ("channels_last", "yes", "The 'channels_last' parameter of TrainConfig must be 'auto', "
                                 "True or False. Got 'yes' instead."),
    ],
)
def test_invalid_speed_settings_are_refused(field, value, message):
    with pytest.raises(ValueError, match=message.replace("(", "\\(").replace(")", "\\)")):
        resolve_speed(TrainConfig(**{field: value}), CPU)


def test_channels_last_converts_conv_weights_in_place_and_keeps_the_state_dict():
    generator, critic = tiny_nets()
    before = copy.deepcopy(critic.state_dict())
    weight = critic.main.input[0].weight
    prepare_models(generator, critic, Speed("float32", channels_last=True, compile="off"))
    assert critic.main.input[0].weight is weight  # optimizers built earlier stay valid
    assert weight.is_contiguous(memory_format=torch.channels_last)
    after = critic.state_dict()
    assert list(after) == list(before)
    assert all(torch.equal(after[k], before[k]) for k in before)


def test_bfloat16_critic_values_come_out_in_float32():
    generator, critic = tiny_nets()
    prepare_models(generator, critic, BF16)
    with autocast(BF16, CPU):
        values = critic(generator(prior(4, 8)))
    assert values.dtype == torch.float32


def test_float32_speed_adds_no_autocast():
    with autocast(FLOAT32, CPU):
        assert not torch.is_autocast_enabled("cpu")


def test_channels_last_float32_step_equals_contiguous_step():
    """Same arithmetic in another memory layout: the same losses and updates, to rounding."""
    results = []
    for speed in (FLOAT32, Speed("float32", channels_last=True, compile="off")):
        generator, critic = tiny_nets()
        prepare_models(generator, critic, speed)
        opt_d = make_optimizer("rmsprop", critic.parameters(), 5e-5)
        opt_g = make_optimizer("rmsprop", generator.parameters(), 5e-5)
        noise = torch.Generator().manual_seed(1)
        real = torch.rand(16, *SHAPE, generator=noise) * 2 - 1
        stats = critic_step(critic, generator, real, prior(16, 8, generator=noise), opt_d, 0.01)
        stats |= generator_step(critic, generator, prior(16, 8, generator=noise), opt_g)
        results.append((stats, [p.detach().clone() for p in critic.parameters()]))
    (stats_a, params_a), (stats_b, params_b) = results
    for key in stats_a:
        torch.testing.assert_close(stats_a[key], stats_b[key], rtol=1e-4, atol=1e-7)
    for a, b in zip(params_a, params_b, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6)


def test_steps_inside_one_autocast_context_use_the_updated_weights():
    """Two critic steps under one context give what two steps under two contexts give."""
    values = []
    for shared in (True, False):
        generator, critic = tiny_nets()
        prepare_models(generator, critic, BF16)
        opt_d = make_optimizer("rmsprop", critic.parameters(), 5e-5)
        noise = torch.Generator().manual_seed(2)
        real = torch.rand(16, *SHAPE, generator=noise) * 2 - 1
        z = prior(16, 8, generator=noise)
        if shared:
            with autocast(BF16, CPU):
                critic_step(critic, generator, real, z, opt_d, 0.01)
                second = critic_step(critic, generator, real, z, opt_d, 0.01)
        else:
            with autocast(BF16, CPU):
                critic_step(critic, generator, real, z, opt_d, 0.01)
            with autocast(BF16, CPU):
                second = critic_step(critic, generator, real, z, opt_d, 0.01)
        values.append(second["w_estimate"])
    assert torch.equal(values[0], values[1])


@pytest.mark.slow
def test_fast_and_float32_learning_curves_agree_within_the_seed_spread(tmp_path):
    """The fast path (bf16 autocast, channels-last) against float32, three seeds, short runs:
    switching the precision moves the W-estimate curve far less than switching the seed."""
    config = tiny_config()
    seeds = [0, 1, 2]
    reference = seed_curves(config.replace(precision="float32", channels_last=False),
                            seeds, "float32", tmp_path)
    fast = seed_curves(config.replace(precision="bfloat16", channels_last=True),
                       seeds, "fast", tmp_path)
    distances = curve_distances(reference, fast)
    assert distances.equivalent, distances
    assert distances.ratio < 0.5, f"bf16 curves are {distances.ratio:.2f} seed spreads away"
    assert not np.array_equal(reference, fast)  # the fast path did run in another precision


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_graph_curves_agree_with_float32_within_the_seed_spread(tmp_path):
    config = tiny_config(device="cuda", generator_iters=6)
    seeds = [0, 1, 2]
    reference = seed_curves(
        config.replace(precision="float32", channels_last=False, compile="off"), seeds,
        "float32", tmp_path)
    fast = seed_curves(
        config.replace(precision="bfloat16", channels_last=True, compile="reduce-overhead"),
        seeds, "graphs", tmp_path)
    assert curve_distances(reference, fast).equivalent
