"""Print how long papermill took for each executed notebook, read from its metadata, and the
CPU it ran on (a time means little without it).

Usage: python tools/notebook_timings.py book/executed/*.ipynb
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from wgan.training.fast import cpu_bfloat16_note, cpu_name


def main(paths: list[str]) -> int:
    """Print one line per notebook (seconds and scale), the total and the CPU."""
    total = 0.0
    print("Notebook timings (papermill):")
    for path in paths:
        metadata = json.loads(Path(path).read_text())["metadata"].get("papermill", {})
        seconds = float(metadata.get("duration") or 0.0)
        scale = metadata.get("parameters", {}).get("scale", "?")
        total += seconds
        print(f"  {Path(path).stem:<28} {seconds:8.1f} s  (scale {scale})")
    print(f"  {'total':<28} {total:8.1f} s")
    print(f"on {cpu_name()}; {cpu_bfloat16_note()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
