"""Write a small LSUN-format lmdb of synthetic rooms (the paper scale's dry run reads it).

Usage: python tools/sample_lsun.py PATH [N_IMAGES]   (PATH, e.g. .../bedroom_train_lmdb;
N_IMAGES defaults to 640). See wgan.data.lsun_sample.
"""

from __future__ import annotations

import sys

from wgan.data.lsun_sample import write_sample_lmdb

DEFAULT_IMAGES = 640


def main(args: list[str]) -> int:
    """Write the lmdb and say where it is."""
    if len(args) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    n_images = int(args[1]) if len(args) == 2 else DEFAULT_IMAGES
    path = write_sample_lmdb(args[0], n_images)
    print(f"wrote {n_images} synthetic rooms in LSUN's lmdb format to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
