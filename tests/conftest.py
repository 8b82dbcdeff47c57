"""Shared test settings.

The unit tests train tiny networks whose operations are far too small to gain from a second
thread; with two threads on a busy 2-core machine they were up to 18x slower. One thread
keeps the suite's time predictable.
"""

import torch

torch.set_num_threads(1)
