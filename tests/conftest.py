"""Shared test settings.

The unit tests train tiny networks whose operations are far too small to gain from a second
thread; with two threads on a busy 2-core machine they were up to 18x slower. One thread
keeps the suite's time predictable.

The digit judge of the yardstick (:func:`wgan.quality.yardstick.yardstick`) takes over a
minute to train: a test that points ``$WGAN_CACHE_DIR`` elsewhere asks for
:func:`judged_cache`, a cache folder holding a copy of the project's judge, trained once if
no book or earlier test left it there.
"""

import os
import shutil
from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def judged_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh cache folder holding the project's cached yardstick (trained now if missing)."""
    from wgan.paths import cache_dir
    from wgan.quality.yardstick import yardstick

    saved = os.environ.pop("WGAN_CACHE_DIR", None)
    try:
        yardstick()
        stored = sorted((cache_dir() / "quality").glob("yardstick-*.pt"))
    finally:
        if saved is not None:
            os.environ["WGAN_CACHE_DIR"] = saved
    cache = tmp_path_factory.mktemp("judged-cache")
    (cache / "quality").mkdir()
    for path in stored:
        shutil.copy2(path, cache / "quality" / path.name)
    return cache
