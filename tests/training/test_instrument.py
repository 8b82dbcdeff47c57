"""The update/gradient cosine: against updates computed by hand from the optimizer formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from wgan.training.config import TrainConfig
from wgan.training.instrument import COSINE_COLUMNS, UpdateCosine, update_cosine
from wgan.training.run import METRIC_COLUMNS, train

# A tiny model, f(x) = W x + b with W of shape (2, 3), trained on the squared error
# 0.5 * sum_i |f(x_i) - y_i|^2 against a new batch at every step. The targets alternate
# between about +8 and -1, so the gradient turns and, with beta1 = 0.5 or 0.9, Adam's
# momentum takes some steps uphill (hand-computed cosines down to -0.30 at steps 4 and 6).
STEPS = 6


def _batches(seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(4, 3)), (8.0 if t % 2 == 0 else -1.0) + rng.normal(size=(4, 2)))
            for t in range(STEPS)]


def _hand_gradient(w: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """d/dW and d/db of 0.5 * sum |W x_i + b - y_i|^2, in closed form."""
    residual = x @ w.T + b - y  # (4, 2)
    return residual.T @ x, residual.sum(axis=0)


def _hand_cosines(rule: str, lr: float, beta1: float = 0.0, beta2: float = 0.999,
                  alpha: float = 0.99, eps: float = 1e-8) -> list[float]:
    """Run ``rule`` in float64 numpy from the formulas of RMSProp and Adam (Kingma & Ba)."""
    torch.manual_seed(0)
    init = nn.Linear(3, 2).double()  # float32 weights, held exactly in float64
    w, b = init.weight.detach().numpy().copy(), init.bias.detach().numpy().copy()
    state = {"m": [np.zeros_like(w), np.zeros_like(b)], "v": [np.zeros_like(w), np.zeros_like(b)]}
    cosines = []
    for t, (x, y) in enumerate(_batches(), start=1):
        grads = _hand_gradient(w, b, x, y)
        updates = []
        for i, g in enumerate(grads):
            state["v"][i] = (alpha if rule == "rmsprop" else beta2) * state["v"][i] + (
                1 - (alpha if rule == "rmsprop" else beta2)) * g**2
            if rule == "rmsprop":  # Tieleman & Hinton: w -= lr g / (sqrt(v) + eps)
                updates.append(-lr * g / (np.sqrt(state["v"][i]) + eps))
            else:  # Adam with bias correction
                state["m"][i] = beta1 * state["m"][i] + (1 - beta1) * g
                m_hat = state["m"][i] / (1 - beta1**t)
                v_hat = state["v"][i] / (1 - beta2**t)
                updates.append(-lr * m_hat / (np.sqrt(v_hat) + eps))
        w, b = w + updates[0], b + updates[1]
        delta = np.concatenate([u.ravel() for u in updates])
        descent = -np.concatenate([g.ravel() for g in grads])
        cosines.append(delta @ descent / np.linalg.norm(delta) / np.linalg.norm(descent))
    return cosines


def _watched_cosines(optimizer_factory) -> list[float]:
    torch.manual_seed(0)  # the initial weights of the hand computation
    model = nn.Linear(3, 2)
    optimizer = optimizer_factory(model.parameters())
    watch = UpdateCosine(optimizer)
    recorded = []
    for x, y in _batches():
        loss = 0.5 * (model(torch.tensor(x, dtype=torch.float32))
                      - torch.tensor(y, dtype=torch.float32)).square().sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        recorded.append(watch.cosines[-1].item())
    return recorded


def test_rmsprop_cosine_matches_hand_computed_update() -> None:
    expected = _hand_cosines("rmsprop", lr=0.05)
    got = _watched_cosines(lambda p: torch.optim.RMSprop(p, lr=0.05))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4)


@pytest.mark.parametrize("beta1", [0.0, 0.5, 0.9])
def test_adam_cosine_matches_hand_computed_update(beta1: float) -> None:
    expected = _hand_cosines("adam", lr=0.05, beta1=beta1)
    got = _watched_cosines(lambda p: torch.optim.Adam(p, lr=0.05, betas=(beta1, 0.999)))
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4)


def test_adam_momentum_against_reversed_gradient_gives_cosine_minus_one() -> None:
    # One weight, loss c_t * w: gradients +1 then -0.1. Adam's first moment after two steps
    # is 0.9 * 0.1 + 0.1 * (-0.1) = 0.08 > 0, so the second step still moves w down while
    # the descent direction is up: in one dimension the cosine is exactly -1.
    w = nn.Parameter(torch.tensor([0.0]))
    optimizer = torch.optim.Adam([w], lr=0.01, betas=(0.9, 0.999))
    watch = UpdateCosine(optimizer)
    for c in (1.0, -0.1):
        optimizer.zero_grad()
        (c * w).sum().backward()
        optimizer.step()
    assert [v.item() for v in watch.cosines] == pytest.approx([1.0, -1.0], abs=1e-6)


@pytest.mark.parametrize("make", [
    lambda p: torch.optim.RMSprop(p, lr=1e-2),
    lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.0, 0.999)),
], ids=["rmsprop", "adam-beta1-0"])
def test_cosine_positive_without_momentum_on_random_gradients(make) -> None:
    torch.manual_seed(1)
    w = nn.Parameter(torch.randn(20))
    optimizer = make([w])
    watch = UpdateCosine(optimizer)
    for _ in range(50):
        optimizer.zero_grad()
        (torch.randn(20) * w).sum().backward()
        optimizer.step()
    assert min(v.item() for v in watch.cosines) > 0


def test_summary_gives_mean_min_and_negative_fraction_then_resets() -> None:
    w = nn.Parameter(torch.tensor([0.0]))
    optimizer = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    watch = UpdateCosine(optimizer)
    for c in (1.0, -0.1, -0.1, 5.0):
        optimizer.zero_grad()
        (c * w).sum().backward()
        optimizer.step()
    values = np.array([v.item() for v in watch.cosines])
    summary = watch.summary()
    assert tuple(summary) == COSINE_COLUMNS
    assert summary["update_cos_mean"].item() == pytest.approx(values.mean())
    assert summary["update_cos_min"].item() == pytest.approx(values.min())
    assert summary["update_cos_neg_frac"].item() == pytest.approx((values < 0).mean())
    assert 0 < summary["update_cos_neg_frac"].item() < 1
    assert watch.cosines == []


def test_summary_without_steps_raises() -> None:
    watch = UpdateCosine(torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1))
    with pytest.raises(RuntimeError, match="no optimizer step recorded"):
        watch.summary()


def test_step_without_gradients_is_not_recorded() -> None:
    optimizer = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=0.1)
    watch = UpdateCosine(optimizer)
    optimizer.step()
    assert watch.cosines == []


def test_remove_stops_recording() -> None:
    w = nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SGD([w], lr=0.1)
    watch = UpdateCosine(optimizer)
    watch.remove()
    w.sum().backward()
    optimizer.step()
    assert watch.cosines == []


def test_update_cosine_of_zero_update_is_positive_zero() -> None:
    got = update_cosine([torch.zeros(3)], [torch.ones(3)])
    assert got.item() == 0.0 and not got.signbit()


def test_update_cosine_spans_parameters_as_one_vector() -> None:
    # update (1, 0 | 0), gradient (-1, 0 | -1): cosine 1 / sqrt(2), not a mean of per-tensor ones
    got = update_cosine([torch.tensor([1.0, 0.0]), torch.tensor([0.0])],
                        [torch.tensor([-1.0, 0.0]), torch.tensor([-1.0])])
    assert got.item() == pytest.approx(2**-0.5)


def test_update_cosine_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="must be non-empty sequences of equal length"):
        update_cosine([torch.zeros(2)], [])


def test_update_cosine_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"must have the shape of its gradient.*\(2,\) and \(3,\)"):
        update_cosine([torch.zeros(2)], [torch.zeros(3)])


def test_update_cosine_watch_rejects_non_optimizer() -> None:
    with pytest.raises(TypeError, match=r"must be a torch\.optim\.Optimizer\. Got list instead"):
        UpdateCosine([])


def _toy_run_config(**changes: object) -> TrainConfig:
    """Well under a second: MLPs of width 8 on the ring of Gaussians."""
    return TrainConfig(
        dataset="ring8", generator="mlp", critic="mlp", mlp_hidden=8, nz=2, batch_size=8,
        n_critic=3, critic_warmup=False, generator_iters=5, checkpoint_every=5, seed=1,
    ).replace(**changes)


def test_run_logs_cosine_columns_when_switched_on(tmp_path) -> None:
    result = train(_toy_run_config(log_update_cosine=True), tmp_path / "run")
    expected = ["gen_iter", "critic_iters_total", *METRIC_COLUMNS["wgan"], *COSINE_COLUMNS,
                "wall_time"]
    assert list(result.metrics.columns) == expected
    m = result.metrics
    assert ((m["update_cos_min"] >= -1) & (m["update_cos_min"] <= m["update_cos_mean"])
            & (m["update_cos_mean"] <= 1)).all()
    assert (m["update_cos_neg_frac"] == 0).all()  # RMSProp: never against the gradient


def test_run_cosine_is_observational(tmp_path) -> None:
    # Switching the instrument on changes the logged columns, never the training.
    config = _toy_run_config(optimizer_d="adam", optimizer_g="adam", beta1=0.9)
    plain = train(config, tmp_path / "plain").metrics
    watched = train(config.replace(log_update_cosine=True), tmp_path / "watched").metrics
    assert not set(COSINE_COLUMNS) & set(plain.columns)
    columns = list(METRIC_COLUMNS["wgan"])
    assert watched[columns].equals(plain[columns])


def test_config_rejects_non_bool_log_update_cosine() -> None:
    with pytest.raises(TypeError, match="'log_update_cosine' parameter of TrainConfig must be"):
        _toy_run_config(log_update_cosine="yes")
