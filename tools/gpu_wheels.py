"""Wheels of the packages a GPU machine lacks, for tools/gpu_check.sh (``make wheels``).

A lent GPU machine has its own torch and no package registry. This script lists what the
check imports (the package with its ``notebooks`` and ``cluster`` extras, and pytest, with
their requirements, read from this environment's installed metadata), leaves out what the
machine's image already holds (:data:`IMAGE_LIST`), and downloads a wheel of each remaining
package, at the version installed here, for the machine's Python and platform::

    python tools/gpu_wheels.py               # into .whl/ (what gpu_check.sh installs from)
    python tools/gpu_wheels.py --list        # only print the name==version lines

gpu_check.sh installs them with ``pip --no-index --no-deps``: torch is never among them.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
IMAGE_LIST = Path(__file__).with_name("gpu_image_packages.txt")
"""The packages of the GPU machine's image, one per line (``#`` starts a comment)."""
WANTED = (("wgan", ("notebooks", "cluster")), ("pytest", ()))
"""What the check imports: (distribution, extras)."""
PLATFORMS = ("manylinux_2_28_x86_64", "manylinux_2_27_x86_64", "manylinux_2_17_x86_64",
             "manylinux2014_x86_64", "manylinux1_x86_64")


def normalize(name: str) -> str:
    """PEP 503's form of a distribution name: ``Jupyter_Client`` -> ``jupyter-client``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(wanted: tuple[tuple[str, tuple[str, ...]], ...] = WANTED) -> dict[str, str]:
    """Every distribution installed here that ``wanted`` needs, itself included.

    Parameters
    ----------
    wanted : tuple of (str, tuple of str)
        Distribution names and the extras asked of each.

    Returns
    -------
    dict of str to str
        Normalized name -> installed version, in the order met.

    Raises
    ------
    ValueError
        When a wanted distribution is not installed here (make venv first).
    """
    found: dict[str, str] = {}
    asked: set[tuple[str, str]] = set()

    def walk(name: str, extras: tuple[str, ...]) -> None:
        key = normalize(name)
        for extra in ("", *extras):
            if (key, extra) in asked:
                continue
            asked.add((key, extra))
            found.setdefault(key, distribution(name).version)
            for line in distribution(name).requires or []:
                requirement = Requirement(line)
                if requirement.marker is not None and not requirement.marker.evaluate(
                        {"extra": extra}):
                    continue
                if requirement.marker is None and extra:
                    continue  # met with extra ""
                try:
                    distribution(requirement.name)
                except PackageNotFoundError:
                    continue  # not needed on this platform or Python
                walk(requirement.name, tuple(requirement.extras))

    for name, extras in wanted:
        try:
            distribution(name)
        except PackageNotFoundError as err:
            raise ValueError(f"{name} is not installed in {sys.prefix}: run `make venv` and "
                             "call this script with .venv/bin/python.") from err
        walk(name, extras)
    return found


def image_packages(path: Path = IMAGE_LIST) -> set[str]:
    """The normalized names listed in ``path``."""
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return {normalize(line) for line in lines if line}


def missing(found: dict[str, str], image: set[str]) -> dict[str, str]:
    """The packages of ``found`` that the image lacks, the project itself left out."""
    return {name: version for name, version in found.items()
            if name not in image and name != "wgan"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", default=str(ROOT / ".whl"), help="folder of the wheels")
    parser.add_argument("--python-version", default="3.12", help="the GPU machine's Python")
    parser.add_argument("--list", action="store_true", help="print name==version and stop")
    args = parser.parse_args(argv)
    pins = [f"{name}=={version}"
            for name, version in missing(requirements(), image_packages()).items()]
    if args.list:
        print("\n".join(pins))
        return 0
    dest = Path(args.dest)
    dest.mkdir(parents=True, exist_ok=True)
    for stale in dest.glob("*.whl"):
        stale.unlink()  # one version of each: two stop the whole install
    platforms = [flag for platform in PLATFORMS for flag in ("--platform", platform)]
    for pin in pins:  # one at a time, so a failure names its package
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                   "--only-binary=:all:", "--implementation", "cp",
                   "--python-version", args.python_version, *platforms, "-d", str(dest), pin]
        if subprocess.run(command, check=False).returncode != 0:
            print(f"gpu_wheels: no wheel of {pin} for CPython {args.python_version} on "
                  "x86-64 Linux could be downloaded", file=sys.stderr)
            return 1
    wheels = sorted(dest.glob("*.whl"))
    size = sum(w.stat().st_size for w in wheels) / 2**20
    print(f"gpu_wheels: {len(wheels)} wheels, {size:.1f} MiB in {dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
