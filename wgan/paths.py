"""Where runs, caches and data live, found from the package rather than the working directory,
and which revision of the checkout is running.

Notebooks run with their own folder as the working directory (nbval, papermill
``--cwd notebooks``), so nothing here is relative to the current directory. Each location
can be moved with an environment variable.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def project_root() -> Path:
    """The checkout holding this package (its ``pyproject.toml``), or the working directory.

    An editable install (``pip install -e .``, what the Makefile does) finds the checkout;
    a plain install falls back to the current directory.
    """
    here = Path(__file__).resolve().parent.parent
    return here if (here / "pyproject.toml").is_file() else Path.cwd()


def runs_dir() -> Path:
    """Root of the training-run directories (``$WGAN_RUNS_DIR``, default ``<root>/runs``)."""
    return Path(os.environ.get("WGAN_RUNS_DIR", project_root() / "runs"))


def cache_dir() -> Path:
    """Root of the preprocessing cache (``$WGAN_CACHE_DIR``, default ``<root>/data/cache``)."""
    return Path(os.environ.get("WGAN_CACHE_DIR", project_root() / "data" / "cache"))


def git_revision() -> str:
    """Short SHA of the checkout, with ``+dirty`` when tracked files changed; else ``unknown``."""
    root = project_root()
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"],
            cwd=root, capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{sha}+dirty" if dirty else sha
