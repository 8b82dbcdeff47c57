"""Whole-step CUDA graphs (compile="reduce-overhead"): warm-up, capture and replay on the CPU
with a stand-in for torch.cuda's graphs; on a GPU, that a graphed run computes what the
uncaptured run computes and resumes after a kill as an uninterrupted graphed run does."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

from wgan.training.algorithm1 import (
    critic_step,
    gradient_penalty,
    interpolation_weights,
    make_optimizer,
    prior,
)
from wgan.training.config import TrainConfig
from wgan.training.fast import Speed, prepare_models, resolve_speed
from wgan.training.graphs import CapturedStep, StepGraphs
from wgan.training.models import build_critic, build_generator
from wgan.training.run import _Loop, train
from wgan.training.rundir import load_run

needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def tiny_config(**overrides: object) -> TrainConfig:
    """DCGAN nets on 16x16 digits, 2 critic steps per generator step, no critic warm-up."""
    base = dict(dataset="digits", image_size=16, ngf=8, ndf=8, nz=8, batch_size=16, n_critic=2,
                critic_warmup=False, generator_iters=6, checkpoint_every=1000,
                sample_every=1000, device="cuda", precision="float32", channels_last=False)
    config = TrainConfig(**(base | overrides))
    if config.lipschitz == "gp":  # the penalty is per sample: no BatchNorm in the critic
        config = config.replace(critic="dcgan_nobn")
    return config


# ---------------------------------------------------------------- on the CPU
class FakeGraph:
    """CPU stand-in for torch.cuda.CUDAGraph: replaying runs again what the step recorded
    while being captured (see :func:`recording_step`)."""

    capturing: FakeGraph | None = None

    def __init__(self) -> None:
        self.program: list = []

    def replay(self) -> None:
        for op in self.program:
            op()


class FakeStream:
    def wait_stream(self, other: object) -> None:
        pass


@contextlib.contextmanager
def fake_capture(graph: FakeGraph, capture_error_mode: str = "global"):
    FakeGraph.capturing = graph
    try:
        yield
    finally:
        FakeGraph.capturing = None


@pytest.fixture
def fake_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "Stream", FakeStream)
    monkeypatch.setattr(torch.cuda, "current_stream", FakeStream)
    monkeypatch.setattr(torch.cuda, "stream", lambda stream: contextlib.nullcontext())
    monkeypatch.setattr(torch.cuda, "CUDAGraph", FakeGraph)
    monkeypatch.setattr(torch.cuda, "graph", fake_capture)


def recording_step(log: list[str]):
    """A step ``(x, y) -> {"out": 2 sum(x) (+ y)}`` writing into one output tensor, which
    records itself into the graph being captured, as a CUDA graph records kernels."""

    def step(x: torch.Tensor, y: torch.Tensor | None) -> dict[str, torch.Tensor]:
        out = torch.empty(())

        def run() -> None:
            out.copy_(2 * x.sum() + (0 if y is None else y.sum()))

        run()
        if FakeGraph.capturing is not None:
            FakeGraph.capturing.program.append(run)
            log.append("capture")
        else:
            log.append("eager")
        return {"out": out}

    return step


def test_step_runs_eagerly_then_is_captured_once_and_replayed_on_fresh_inputs(fake_cuda):
    log: list[str] = []
    step = CapturedStep(recording_step(log), warmup=2)
    outs = [step(torch.full((3,), float(i)), None) for i in range(5)]
    assert log == ["eager", "eager", "capture"]  # two warm-up calls, one capture
    assert [o["out"].item() for o in outs[:2]] == [0.0, 6.0]
    # every later call: the inputs copied into the static ones, the graph replayed, the
    # static outputs returned (read before the next call: they are overwritten)
    assert step.replays == 3 and step.calls == 5
    assert outs[2]["out"] is outs[3]["out"] is outs[4]["out"]
    assert outs[4]["out"].item() == 2 * 3 * 4.0
    assert outs[3] is not outs[4]  # a new dict each call: callers may add keys to it


def test_captured_step_passes_none_inputs_and_refuses_other_shapes(fake_cuda):
    log: list[str] = []
    step = CapturedStep(recording_step(log), warmup=1)
    step(torch.ones(3), torch.ones(2))
    assert step(torch.ones(3), torch.ones(2))["out"].item() == 8.0  # captured with y
    with pytest.raises(ValueError, match=r"inputs of the shapes it was captured with\. "
                                         r"Got \(4,\) for an input of shape \(3,\)"):
        step(torch.ones(4), torch.ones(2))
    nothing = CapturedStep(recording_step(log), warmup=1)
    nothing(torch.ones(3), None)
    assert nothing(torch.full((3,), 2.0), None)["out"].item() == 12.0


def test_captured_step_needs_a_warmup():
    with pytest.raises(ValueError, match="The 'warmup' parameter of CapturedStep must be at "
                                         "least 1"):
        CapturedStep(lambda: {}, warmup=0)


def test_step_graphs_refuse_a_cpu_device():
    with pytest.raises(ValueError, match=r"Whole-step CUDA graphs \(compile='reduce-overhead'\) "
                                         r"need a CUDA device\. Got device 'cpu'"):
        StepGraphs(lambda *a: {}, lambda *a: {}, torch.device("cpu"))


def test_a_run_with_graphs_on_the_cpu_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="'reduce-overhead' \\(CUDA graphs\\), which needs a "
                                         "CUDA device"):
        train(tiny_config(device="cpu", compile="reduce-overhead"), tmp_path / "run")


def test_graphs_with_the_update_cosine_are_refused():
    config = TrainConfig(compile="reduce-overhead", log_update_cosine=True)
    with pytest.raises(ValueError, match="cannot capture log_update_cosine=True"):
        resolve_speed(config, torch.device("cuda"))  # no GPU needed to refuse


def test_graphs_compile_nothing_and_say_so():
    speed = Speed("bfloat16", channels_last=True, compile="reduce-overhead")
    assert speed.describe() == "bfloat16 autocast, channels-last, whole-step CUDA graphs"
    torch.manual_seed(0)
    generator = build_generator("dcgan", (1, 16, 16), nz=8, ngf=8)
    critic = build_critic("dcgan", (1, 16, 16), ndf=8)
    prepare_models(generator, critic, speed)
    assert generator._compiled_call_impl is None and critic._compiled_call_impl is None


def test_a_loop_without_graphs_has_plain_optimizers(tmp_path: Path):
    loop = _Loop(tiny_config(device="cpu", compile="off"), tmp_path)
    assert loop.graphs is None
    for optimizer in (loop.optimizer_d, loop.optimizer_g):
        assert not optimizer.param_groups[0]["capturable"]


@pytest.mark.parametrize("name", ["rmsprop", "adam"])
def test_make_optimizer_builds_capturable_optimizers(name: str):
    params = [torch.nn.Parameter(torch.zeros(2))]
    assert make_optimizer(name, params, 1e-3, capturable=True).param_groups[0]["capturable"]
    assert not make_optimizer(name, params, 1e-3).param_groups[0]["capturable"]


def test_penalty_weights_drawn_beforehand_are_the_ones_drawn_inside():
    """What a graphed loop does (eps drawn outside, then the step) equals what the
    uncaptured step does (eps drawn inside), bit for bit, on the same stream."""
    real = torch.rand(8, 1, 16, 16) * 2 - 1
    fake = torch.rand(8, 1, 16, 16) * 2 - 1
    torch.manual_seed(0)
    critic = build_critic("dcgan_nobn", (1, 16, 16), ndf=8)
    inside = gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(5))
    eps = interpolation_weights(real, generator=torch.Generator().manual_seed(5))
    assert eps.shape == (8, 1, 1, 1)
    assert torch.equal(gradient_penalty(critic, real, fake, eps=eps), inside)
    results = []
    for drawn_outside in (False, True):
        torch.manual_seed(0)
        critic = build_critic("dcgan_nobn", (1, 16, 16), ndf=8)
        generator = build_generator("dcgan", (1, 16, 16), nz=8, ngf=8)
        optimizer = make_optimizer("rmsprop", critic.parameters(), 1e-3)
        noise = torch.Generator().manual_seed(6)
        z = prior(8, 8, generator=noise)
        eps = interpolation_weights(real, generator=noise) if drawn_outside else None
        stats = critic_step(critic, generator, real, z, optimizer, 0.01, "gp", 10.0, noise, eps)
        results.append((stats, list(critic.parameters()), noise.get_state()))
    (stats_a, params_a, state_a), (stats_b, params_b, state_b) = results
    assert all(torch.equal(stats_a[k], stats_b[k]) for k in stats_a)
    assert all(torch.equal(a, b) for a, b in zip(params_a, params_b, strict=True))
    assert torch.equal(state_a, state_b)  # the stream stands at the same place after


# ---------------------------------------------------------------- on a GPU
def iterate(config: TrainConfig, tmp_path: Path, n: int) -> tuple[pd.DataFrame, _Loop]:
    loop = _Loop(config, tmp_path / config.compile)
    return pd.DataFrame([loop._iteration() for _ in range(n)]), loop


@pytest.fixture
def deterministic_cudnn(monkeypatch: pytest.MonkeyPatch) -> None:
    """cuDNN's deterministic algorithms: without them two uncaptured float32 runs already
    differ (by up to 1e-5 of a column's scale on an H200), which would hide what graphs do."""
    monkeypatch.setattr(torch.backends.cudnn, "deterministic", True)


# RMSProp: graphed and uncaptured steps are bit for bit the same (seen on an H200). Adam:
# its capturable form computes the bias corrections on the GPU in float32 rather than on the
# host in float64, so the updates differ in the last bits (6.8e-5 of a column's scale after
# 8 iterations there).
@pytest.mark.parametrize(
    ("overrides", "tolerance"),
    [
        ({"lipschitz": "clip"}, 0.0),
        ({"lipschitz": "gp", "optimizer_d": "adam", "optimizer_g": "adam"}, 5e-4),
        ({"lipschitz": "sn"}, 0.0),
        ({"algorithm": "gan", "optimizer_d": "adam", "optimizer_g": "adam"}, 5e-4),
        ({"lipschitz": "clip", "precision": "bfloat16", "channels_last": True}, 0.0),
        ({"lipschitz": "gp", "precision": "bfloat16", "channels_last": True}, 0.0),
        ({"lipschitz": "sn", "precision": "bfloat16"}, 0.0),
    ],
    ids=["clip", "gp-adam", "sn", "gan", "clip-bf16-cl", "gp-bf16-cl", "sn-bf16"],
)
@pytest.mark.gpu
@needs_cuda
def test_graphed_iterations_compute_the_uncaptured_iterations(
    tmp_path: Path, overrides: dict, tolerance: float, deterministic_cudnn: None
):
    """Eight generator iterations (16 critic steps, each step captured after 3 warm-up
    calls, so 13 critic and 5 generator replays): the same metrics and the same weights
    as without graphs, to ``tolerance`` relative to each column's scale (0: exactly)."""
    config = tiny_config(generator_iters=8, **overrides)
    eager, eager_loop = iterate(config.replace(compile="off"), tmp_path, 8)
    graphed, graphed_loop = iterate(config.replace(compile="reduce-overhead"), tmp_path, 8)
    assert graphed_loop.graphs.describe()["generator"] == {"calls": 8, "replays": 5}
    assert graphed_loop.optimizer_d.param_groups[0]["capturable"]
    scale = eager.abs().max().clip(lower=1e-6)
    worst = ((graphed - eager).abs() / scale).max()
    print(f"\n{'-'.join(map(str, overrides.values()))}: worst column difference / scale "
          f"{worst.max():.2e}\n{worst.to_string()}")
    assert (worst <= tolerance).all(), worst
    for a, b in zip(eager_loop.critic.parameters(), graphed_loop.critic.parameters(),
                    strict=True):
        torch.testing.assert_close(b, a, rtol=0, atol=tolerance * a.abs().max().item())


TRAIN_SCRIPT = """
import os, signal, sys
import torch
torch.backends.cudnn.deterministic = True
from wgan.training.config import TrainConfig
from wgan.training.run import train
config = TrainConfig.from_dict({config})
done = []
def stop():  # called after each iteration's files are written
    done.append(1)
    if len(done) == {kill_after}:
        os.kill(os.getpid(), signal.SIGKILL)
    return False
train(config, sys.argv[1], progress=False, stop=stop)
"""


def train_in_a_process(config: TrainConfig, run_dir: Path, kill_after: int = 0) -> int:
    """Train (or resume) ``config`` in a new process with cuDNN's deterministic algorithms,
    killed with SIGKILL after ``kill_after`` iterations (0: never); its exit code.

    Each run in a fresh process: a process that trained before may have chosen other cuDNN
    algorithms for the same convolutions (seen on an H200: fresh processes agreed exactly,
    a fresh one and a used one by up to 1e-5 of a column's scale)."""
    script = TRAIN_SCRIPT.format(config=repr(config.to_dict()), kill_after=kill_after)
    return subprocess.run([sys.executable, "-c", script, str(run_dir)], timeout=300,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"}).returncode


# Seen on an H200 (fresh processes, deterministic cuDNN): clip with RMSProp resumed exactly;
# the penalty with Adam differed in the last bits of one value of 14 (4.2e-7 of the scale).
@pytest.mark.parametrize(
    ("overrides", "tolerance"),
    [({"lipschitz": "clip"}, 0.0),
     ({"lipschitz": "gp", "optimizer_d": "adam", "optimizer_g": "adam"}, 1e-5)],
    ids=["clip-rmsprop", "gp-adam"])
@pytest.mark.gpu
@needs_cuda
def test_graphed_run_killed_and_resumed_matches_the_uninterrupted_graphed_run(
    tmp_path: Path, overrides: dict, tolerance: float
):
    """Killed (SIGKILL) after iteration 10, past the checkpoint at 8, and resumed in a new
    process, which warms up and captures its graphs again from the checkpoint's capturable
    optimizer states: its metrics are those of the uninterrupted graphed run, to
    ``tolerance`` relative to each column's scale (0: exactly)."""
    config = tiny_config(compile="reduce-overhead", generator_iters=14, checkpoint_every=4,
                         **overrides)
    run_dir = tmp_path / "killed"
    assert train_in_a_process(config, run_dir, kill_after=10) == -signal.SIGKILL
    assert len((run_dir / "metrics.jsonl").read_text().splitlines()) == 10
    assert train_in_a_process(config, run_dir) == 0
    assert train_in_a_process(config, tmp_path / "whole") == 0
    resumed, whole = load_run(run_dir), load_run(tmp_path / "whole")
    assert resumed.status == whole.status == "finished"
    a = resumed.metrics.drop(columns="wall_time")
    b = whole.metrics.drop(columns="wall_time")
    worst = ((a - b).abs() / b.abs().max().clip(lower=1e-6)).max()
    print(f"\nresumed against whole, worst column difference / scale {worst.max():.2e}")
    assert a["gen_iter"].tolist() == list(range(1, 15))
    assert a["critic_iters_total"].tolist() == b["critic_iters_total"].tolist()
    if tolerance == 0:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert (worst <= tolerance).all(), worst
