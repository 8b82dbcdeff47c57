"""The stack benchmark: a row per stack size, rates from the iterations it ran. No timings
are asserted: the benchmark is the measurement."""

from __future__ import annotations

import pytest

from wgan.speed import stack_rates
from wgan.speed.stack_rates import ring_config
from wgan.training.fast import cpu_name


def test_one_row_per_stack_size_with_the_ratio_of_its_rates() -> None:
    table = stack_rates.stack_rates(ring_config(hidden=8, batch_size=16), (1, 3), warmup=1,
                                    iters=2, rounds=1)
    assert table["K"].tolist() == [1, 3]
    assert (table[["alone", "stacked", "ratio"]] > 0).all().all()
    # one turn each: the ratio is that turn's stacked rate over its lone rate
    assert table["ratio"].tolist() == pytest.approx((table["stacked"] / table["alone"]).tolist())


def test_stack_sizes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="'stacks'"):
        stack_rates.stack_rates(ring_config(), (0,))


def test_main_prints_the_cpu_and_a_row_per_size(capsys: pytest.CaptureFixture[str]) -> None:
    stack_rates.main(["--stacks", "1", "2", "--hidden", "8", "--batch-size", "16",
                      "--warmup", "0", "--iters", "1", "--rounds", "1"])
    out = capsys.readouterr().out
    assert f"cpu: {cpu_name()}" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:2] == ["K", "alone"])
    assert [line.split()[0] for line in lines[header + 1:header + 3]] == ["1", "2"]
