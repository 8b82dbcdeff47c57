"""The benchmark: the authors'-loop baseline computes Algorithm 1 as
wgan.training.algorithm1 does, the
FLOP count matches its closed form, and the harness reports every loop. No timings are
asserted: the benchmark is the measurement."""

from __future__ import annotations

import copy
import itertools
import json
import math
import multiprocessing
import platform
import re

import pytest
import torch
from torch import nn

from wgan.speed import bench
from wgan.speed.bench import (
    PeakMatmulRates,
    bench_config,
    count_flops,
    load_authors_loop,
    matmul_rate,
    results_table,
    run_bench,
    steady_allocator,
    take_turns,
)
from wgan.training.algorithm1 import critic_step, generator_step, make_optimizer, prior
from wgan.training.config import TrainConfig
from wgan.training.models import build_critic

authors = load_authors_loop()
SHAPE = (1, 16, 16)


class ConstantImage(nn.Module):
    """A generator whose output ignores z: one learnt image for every sample."""

    def __init__(self) -> None:
        super().__init__()
        self.image = nn.Parameter(torch.linspace(-0.5, 0.5, math.prod(SHAPE)).reshape(SHAPE))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.image.expand(z.shape[0], *SHAPE)


def uint8_images(n: int, seed: int = 0) -> torch.Tensor:
    return torch.randint(0, 256, (n, *SHAPE), dtype=torch.uint8,
                         generator=torch.Generator().manual_seed(seed))


def test_decoded_images_scale_as_the_batch_stream_does():
    images = uint8_images(5)
    dataset = authors.DecodedImages(images)
    served = torch.stack([dataset[i][0] for i in range(len(dataset))])
    torch.testing.assert_close(served, images.float() / 127.5 - 1.0)
    assert served.min() >= -1.0 and served.max() <= 1.0


def test_decoded_images_refuse_float_input():
    with pytest.raises(ValueError, match=re.escape(
            "must be a uint8 tensor of shape (N, C, H, W). Got dtype torch.float32")):
        authors.DecodedImages(torch.zeros(2, *SHAPE))


def test_authors_loop_computes_what_the_project_steps_compute():
    """One generator iteration on one batch (the whole dataset, so order cannot matter)
    with a generator that ignores z (so the noise cannot matter): same losses, same nets."""
    images = uint8_images(8)
    torch.manual_seed(0)
    generator, critic = ConstantImage(), build_critic("mlp", SHAPE, mlp_hidden=16)
    ours_g, ours_d = copy.deepcopy(generator), copy.deepcopy(critic)
    logged = next(authors.authors_loop(generator, critic, images, device=torch.device("cpu"),
                                       batch_size=8, nz=4, lr=1e-3, clip_value=0.05,
                                       n_critic=1, critic_warmup=False, workers=0))
    real = images.float() / 127.5 - 1.0
    stats = critic_step(ours_d, ours_g, real, prior(8, 4),
                        make_optimizer("rmsprop", ours_d.parameters(), 1e-3), 0.05)
    stats |= generator_step(ours_d, ours_g, prior(8, 4),
                            make_optimizer("rmsprop", ours_g.parameters(), 1e-3))
    for key in ("loss_d", "loss_g", "f_real", "f_fake"):
        assert logged[key] == pytest.approx(stats[key].item(), rel=1e-5, abs=1e-8), key
    pairs = itertools.chain(zip(critic.parameters(), ours_d.parameters(), strict=True),
                            zip(generator.parameters(), ours_g.parameters(), strict=True))
    for theirs, ours in pairs:
        torch.testing.assert_close(theirs, ours)


def test_authors_loop_stops_critic_steps_at_the_end_of_an_epoch():
    """12 batches per epoch and n_critic = 5: critic steps 5, 5, 2, then 5 again; with the
    warm-up, the first generator iteration takes the whole epoch (12 < 100)."""
    for warmup, expected in ((False, [5, 5, 2, 5]), (True, [12, 12, 12, 12])):
        torch.manual_seed(0)
        critic = build_critic("mlp", SHAPE, mlp_hidden=4)
        calls: list[int] = []
        critic.register_forward_hook(lambda module, inputs, output, calls=calls: calls.append(1))
        loop = authors.authors_loop(ConstantImage(), critic, uint8_images(96), nz=2,
                                    device=torch.device("cpu"), batch_size=8,
                                    critic_warmup=warmup, workers=0)
        steps = []
        for _ in range(4):
            before = len(calls)
            next(loop)
            steps.append((len(calls) - before - 1) // 2)  # two passes per step, one for G
        assert steps == expected


def test_authors_loop_clamps_every_critic_parameter_before_each_update():
    torch.manual_seed(0)
    critic = build_critic("mlp", SHAPE, mlp_hidden=4)
    with torch.no_grad():
        for p in critic.parameters():
            p.fill_(1.0)
    loop = authors.authors_loop(ConstantImage(), critic, uint8_images(16), nz=2,
                                device=torch.device("cpu"), batch_size=8, lr=1e-4,
                                clip_value=0.01, n_critic=1, critic_warmup=False, workers=0)
    next(loop)
    # One RMSProp step after the clamp moves a weight by at most lr / sqrt(1 - alpha).
    bound = 0.01 + 1e-4 / math.sqrt(0.01) + 1e-9
    assert all(p.abs().max() <= bound for p in critic.parameters())


def test_authors_loop_keeps_its_workers_across_epochs():
    """Two batches per epoch, five epochs: one worker process serves them all (a fork per
    epoch would make the whole process copy-on-write again, see authors_loop)."""
    torch.manual_seed(0)
    loop = authors.authors_loop(ConstantImage(), build_critic("mlp", SHAPE, mlp_hidden=4),
                                uint8_images(16), nz=2, device=torch.device("cpu"),
                                batch_size=8, n_critic=1, critic_warmup=False, workers=1)
    workers = set()
    for _ in range(10):
        next(loop)
        workers |= {child.pid for child in multiprocessing.active_children()}
    loop.close()
    assert len(workers) == 1


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_steady_allocator_applies_on_glibc():
    assert steady_allocator()


def test_flop_count_matches_the_closed_form_for_mlps():
    """Linear layer: 2 m n_in n_out FLOPs forward, as many per gradient (input, weight).
    Critic step: G forward; D forward twice; D weight gradients twice and input gradients
    twice except at the first layer. Generator step: G and D forward; D input gradients;
    G weight gradients, and input gradients except at the first layer."""
    m, h, d, nz = 8, 4, 2, 3
    config = TrainConfig(dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=h, nz=nz,
                         batch_size=m, n_critic=2)
    f_g = 2 * m * (nz * h + h * h + h * h + h * d)
    f_d = 2 * m * (d * h + h * h + h * h + h * 1)
    critic_flops = f_g + 4 * f_d + 2 * (f_d - 2 * m * d * h)
    generator_flops = 3 * f_g - 2 * m * nz * h + 2 * f_d
    assert count_flops(config, (d,)) == 2 * critic_flops + generator_flops


def test_take_turns_times_every_loop_once_per_round():
    counts = {"a": 0, "b": 0}

    def step(name):
        counts[name] += 1

    probes: list[int] = []
    rates = take_turns({name: (lambda n=name: step(n)) for name in counts},
                       device=torch.device("cpu"), warmup=2, iters=3, rounds=4,
                       probe=lambda: probes.append(1))
    assert counts == {"a": 2 + 3 * 4, "b": 2 + 3 * 4}
    assert len(probes) == 4
    assert {name: len(r) for name, r in rates.items()} == {"a": 4, "b": 4}
    assert all(r > 0 for r in itertools.chain(*rates.values()))


def test_matmul_rate_is_positive_and_finite():
    rate = matmul_rate(torch.device("cpu"), torch.float32, size=64, repeats=2)
    assert 0 < rate < math.inf


def test_peak_matmul_rates_keep_the_best_measurement_per_dtype(monkeypatch):
    measured = iter([1.0, 10.0, 3.0, 5.0, 2.0, 7.0])  # float32, bfloat16, float32, ...
    monkeypatch.setattr(bench, "matmul_rate", lambda device, dtype: next(measured))
    peak = PeakMatmulRates(torch.device("cpu"))
    for _ in range(3):
        peak()
    assert peak.rates == {"float32": 3.0, "bfloat16": 10.0}


def test_bench_config_turns_the_critic_warmup_off_and_refuses_unknown_settings():
    assert not bench_config("dcgan").critic_warmup
    assert bench_config("mlp", image_size=16).generator == "mlp"
    with pytest.raises(ValueError, match=re.escape(
            "The 'setting' parameter of bench_config must be one of 'dcgan', 'mlp'. "
            "Got 'resnet' instead.")):
        bench_config("resnet")


def test_run_bench_refuses_zero_rounds():
    with pytest.raises(ValueError, match=re.escape(
            "The 'rounds' parameter of run_bench must be at least 1. Got 0 instead.")):
        run_bench(bench_config("dcgan"), rounds=0)


def test_missing_baseline_file_says_to_use_a_checkout(monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "project_root", lambda: tmp_path)
    with pytest.raises(ValueError, match=re.escape("bench/authors_loop.py lives")):
        load_authors_loop()


@pytest.mark.slow
def test_bench_reports_both_loops_with_ratio_and_floor(capsys, tmp_path):
    config = bench_config("dcgan", dataset="digits", image_size=16, ngf=4, ndf=4, batch_size=8,
                          device="cpu")
    result = run_bench(config, warmup=0, iters=1, rounds=1, workers=0)
    table = results_table([result])
    assert list(table["loop"].str.split().str[0]) == ["authors", "ours"]
    assert table["x authors"].iloc[0] == 1.0 and table["x authors"].iloc[1] > 0
    assert result.flops == count_flops(config, SHAPE)
    assert (table["floor it/s"] > 0).all()
    bench.main(["--device", "cpu", "--settings", "mlp", "--dataset", "digits",
                "--image-size", "16", "--width", "8", "--batch-size", "8", "--warmup", "0",
                "--iters", "1", "--rounds", "1", "--workers", "0",
                "--json", str(tmp_path / "bench.json")])
    printed = capsys.readouterr().out
    assert "authors (float32)" in printed and "matmul GFLOP/s" in printed
    written = json.loads((tmp_path / "bench.json").read_text())
    assert [row["loop"].split()[0] for row in written["rows"]] == ["authors", "ours"]
    assert written["device"].startswith("cpu") and written["matmul_gflops"]["float32"] > 0


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_bench_runs_both_loops_on_cuda_with_cuda_graphs():
    config = bench_config("dcgan", dataset="digits", image_size=16, ngf=4, ndf=4, batch_size=8,
                          device="cuda", compile="reduce-overhead")
    result = run_bench(config, warmup=2, iters=1, rounds=1, workers=0)
    assert result.device.startswith("cuda") and result.speed.compile == "reduce-overhead"
    assert all(rate > 0 for rates in result.rates.values() for rate in rates)
    assert result.matmul_rate["bfloat16"] > 0
