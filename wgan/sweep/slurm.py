"""A sweep on a SLURM cluster: one job array through submitit, and what SLURM says of it.

:func:`submit` writes a fresh submitit folder per sweep (``<runs>/.sweeps/<scale>-<UTC
time>``: job ids restart on a fresh cluster, and a reused folder would hand back an
earlier cluster's results), submits the data job first when the runs read an image
cache, then the runs as one job array that starts after it (``afterok``), and writes
``sweep.json`` there: which run is which array task and where its logs are.
:func:`slurm_states` asks ``squeue`` and then ``sacct`` what became of them. Every sweep of
a scale counts, not only the last: :func:`queued` (the runs a new sweep leaves alone) and
:func:`newest_jobs` (what ``sweep status`` shows) read every manifest (:func:`manifests`).

submitit is an optional dependency (``pip install -e '.[cluster]'``), imported here only.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from wgan.paths import runs_dir
from wgan.sweep import ClusterUnavailable
from wgan.sweep.data import needs
from wgan.sweep.pack import check_runs_per_gpu, submit_packed
from wgan.sweep.registry import RegisteredRun
from wgan.sweep.task import TERM_WAIT_S, TrainTask, prepare_task

MANIFEST = "sweep.json"
SWEEPS_DIR = ".sweeps"


def check_cluster() -> str:
    """The partitions ``sinfo`` lists; raises when SLURM cannot be reached.

    Raises
    ------
    ClusterUnavailable
        No ``sinfo``/``sbatch`` on the PATH, or the controller does not answer.
    """
    missing = [tool for tool in ("sinfo", "sbatch", "squeue") if shutil.which(tool) is None]
    if missing:
        raise ClusterUnavailable(
            f"No SLURM client here ({', '.join(missing)} not on the PATH). Run the sweep on a "
            "cluster's login node, or use --executor local."
        )
    try:
        done = subprocess.run(["sinfo", "-h", "-o", "%P %a %D %T"], capture_output=True,
                              text=True, timeout=30)
    except subprocess.TimeoutExpired as err:
        raise ClusterUnavailable("sinfo did not answer within 30 s: the SLURM controller "
                                 "(slurmctld) is unreachable.") from err
    if done.returncode != 0:
        raise ClusterUnavailable(
            f"sinfo failed (exit {done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
            ". The SLURM controller (slurmctld) is down or unreachable from this machine."
        )
    return done.stdout.strip()


def parse_time(text: str) -> int:
    """Minutes in a SLURM time limit: ``MM``, ``HH:MM:SS``, ``D-HH`` or ``D-HH:MM[:SS]``.

    Raises
    ------
    ValueError
        For anything else.
    """
    match = re.fullmatch(r"(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?", text.strip())
    if not match:
        raise ValueError(f"The '--time' parameter must be a SLURM time limit (MM, HH:MM:SS or "
                         f"D-HH:MM:SS). Got {text!r} instead.")
    days, first, second, third = match.groups()
    if days is not None:
        minutes = int(days) * 1440 + int(first) * 60 + int(second or 0)
    elif third is not None:
        minutes = int(first) * 60 + int(second) + (int(third) > 0)
    elif second is not None:
        minutes = int(first) + (int(second) > 0)
    else:
        minutes = int(first)
    if minutes < 1:
        raise ValueError(f"The '--time' parameter must be at least a minute. Got {text!r}.")
    return minutes


def _submitit() -> Any:
    try:
        import submitit
    except ImportError as err:
        raise ClusterUnavailable(
            "The SLURM executor needs submitit: pip install -e '.[cluster]'."
        ) from err
    return submitit


@dataclass(frozen=True)
class Resources:
    """What each job of the array asks SLURM for (``None``: the cluster's default)."""

    partition: str | None = None
    gpus_per_job: int = 0
    time_min: int = 60
    array_parallelism: int = 16
    cpus_per_job: int | None = None
    mem: str | None = None
    account: str | None = None
    qos: str | None = None


def sweeps_root(root: str | Path | None = None) -> Path:
    """Where the sweeps' submitit folders go: ``<runs>/.sweeps``."""
    return Path(root if root is not None else runs_dir()) / SWEEPS_DIR


def submit(runs: list[RegisteredRun], scale: str, resources: Resources, *,
           root: str | Path | None = None, runs_per_gpu: int = 1) -> dict[str, Any]:
    """Submit the data job (when needed) and ``runs`` as one job array; return the manifest.

    With ``runs_per_gpu`` above 1, that many runs share each array task and its GPU
    (:func:`wgan.sweep.pack.submit_packed`); the manifest gives each run its task's job id.

    Raises
    ------
    ClusterUnavailable
        When submitit is missing or SLURM does not answer.
    ValueError
        For a ``runs_per_gpu`` that is not a positive int.
    """
    check_runs_per_gpu(runs_per_gpu)
    check_cluster()
    submitit = _submitit()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S.%fZ")
    folder = sweeps_root(root) / f"{scale}-{stamp}"
    executor = submitit.SlurmExecutor(folder=folder / "%j", max_num_timeout=100)
    params: dict[str, Any] = {"time": resources.time_min,
                              "array_parallelism": resources.array_parallelism,
                              "job_name": f"wgan-{scale}"}
    optional = {"partition": resources.partition, "cpus_per_task": resources.cpus_per_job,
                "mem": resources.mem, "account": resources.account, "qos": resources.qos,
                "gpus_per_node": resources.gpus_per_job or None}
    params |= {k: v for k, v in optional.items() if v is not None}
    executor.update_parameters(**params)
    manifest: dict[str, Any] = {"scale": scale, "folder": str(folder), "created": stamp,
                                "data_job": None, "runs": []}
    data = needs(runs)
    if data:
        executor.update_parameters(job_name=f"wgan-{scale}-data", gpus_per_node=None)
        job = executor.submit(prepare_task, data)
        manifest["data_job"] = {"job_id": job.job_id, "stdout": str(job.paths.stdout),
                                "stderr": str(job.paths.stderr)}
        # the array waits for the cache; if the data job fails, SLURM cancels the array
        executor.update_parameters(**params, dependency=f"afterok:{job.job_id}",
                                   additional_parameters={"kill-on-invalid-dep": "yes"})
    if runs_per_gpu > 1:  # K runs per array task, trained at once on its GPU
        runs, jobs = submit_packed(executor, runs, runs_per_gpu, TERM_WAIT_S)
    else:
        jobs = executor.map_array(TrainTask(term_wait_s=TERM_WAIT_S, allocation=True),
                                  [r.config.to_dict() for r in runs],
                                  [str(r.run_dir) for r in runs])
    manifest["runs"] = [{"key": r.key, "run_dir": str(r.run_dir), "job_id": job.job_id,
                         "stdout": str(job.paths.stdout), "stderr": str(job.paths.stderr)}
                        for r, job in zip(runs, jobs, strict=True)]
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def wait(manifest: dict[str, Any], poll_s: float = 5.0) -> dict[str, str]:
    """Block until every job of ``manifest`` has ended; return each run's final SLURM state."""
    ids = [entry["job_id"] for entry in manifest["runs"]]
    while True:
        states = slurm_states(ids)
        if all(states[i] in FINAL or states[i] == "UNKNOWN" for i in ids):
            return {e["key"]: states[e["job_id"]] for e in manifest["runs"]}
        time.sleep(poll_s)


FINAL = ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL",
         "BOOT_FAIL", "DEADLINE", "PREEMPTED")
"""SLURM states after which a job does not run again by itself (a requeued job goes back
to PENDING)."""
FAILED = ("FAILED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL", "DEADLINE")
"""The final states of a job that ended in error: ``sweep status`` shows its log's end."""


def _expand(job_id: str) -> list[str]:
    """``12_[0-2,5]`` -> ``12_0, 12_1, 12_2, 12_5``; other ids unchanged."""
    match = re.fullmatch(r"(\d+)_\[([\d,\-%]+)\]", job_id)
    if not match:
        return [job_id]
    out = []
    for part in match.group(2).split("%")[0].split(","):
        low, _, high = part.partition("-")
        out += [f"{match.group(1)}_{i}" for i in range(int(low), int(high or low) + 1)]
    return out


def slurm_states(job_ids: list[str]) -> dict[str, str]:
    """SLURM's state of each job id (``123`` or ``123_4``): ``squeue`` for the jobs it
    still knows, ``sacct`` for the others; ``UNKNOWN`` when neither says."""
    arrays = sorted({i.split("_")[0] for i in job_ids})
    states: dict[str, str] = {}
    if not arrays:
        return states
    queue = subprocess.run(["squeue", "-h", "-r", "-j", ",".join(arrays), "-o", "%i|%T"],
                           capture_output=True, text=True, timeout=60)
    for line in queue.stdout.splitlines():
        job, _, state = line.partition("|")
        for one in _expand(job.strip()):
            states[one] = state.strip()
    if shutil.which("sacct"):
        acct = subprocess.run(["sacct", "-n", "-P", "-X", "-j", ",".join(arrays), "-o",
                               "JobID,State"], capture_output=True, text=True, timeout=60)
        for line in acct.stdout.splitlines():
            job, _, state = line.partition("|")
            for one in _expand(job.strip()):
                states.setdefault(one, state.split()[0] if state.strip() else "UNKNOWN")
    return {i: states.get(i, "UNKNOWN") for i in job_ids}


def manifests(scale: str, root: str | Path | None = None) -> list[dict[str, Any]]:
    """The manifest of every sweep submitted at ``scale``, oldest first."""
    return [json.loads(path.read_text())
            for path in sorted(sweeps_root(root).glob(f"{scale}-*/{MANIFEST}"))]


def newest_jobs(sweeps: list[dict[str, Any]]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Per run key, the newest of ``sweeps`` (oldest first) that has the run, and its entry.

    Returns
    -------
    dict
        ``key -> (manifest, entry)``, ``entry`` being the run's item of ``manifest["runs"]``
        (``job_id``, ``stdout``, ``stderr``).
    """
    return {entry["key"]: (manifest, entry) for manifest in sweeps for entry in manifest["runs"]}


def log_tail(path: str, lines: int = 15) -> str:
    """The last ``lines`` lines of a log file ("" when it does not exist yet)."""
    file = Path(path)
    if not file.is_file():
        return ""
    return "\n".join(file.read_text(errors="replace").splitlines()[-lines:])


def failure_lines(job: dict[str, Any]) -> list[str]:
    """What ``sweep status`` prints under a failed job: its logs' paths, then its error's end.

    Parameters
    ----------
    job : dict
        A manifest's ``data_job`` or an item of its ``runs``: ``stdout`` and ``stderr`` paths.
    """
    tail = log_tail(job["stderr"]) or "(nothing in it)"
    return [f"    log: {job['stderr']} (stdout: {job['stdout']})",
            *("    " + line for line in tail.splitlines())]


ACTIVE = ("PENDING", "RUNNING", "REQUEUED", "CONFIGURING", "COMPLETING", "SUSPENDED",
          "RESIZING", "REQUEUE_HOLD", "REQUEUE_FED")
"""SLURM states of a job that has yet to end."""


def queued(scale: str, root: str | Path | None = None) -> set[str]:
    """Keys of the runs whose job in any sweep at ``scale`` has not ended yet.

    Every sweep counts: a run still pending in an earlier sweep, left out of the later ones,
    must not be submitted again (the duplicate would hold an allocation while it waits on
    the run's lock).
    """
    entries = [entry for manifest in manifests(scale, root) for entry in manifest["runs"]]
    states = slurm_states([entry["job_id"] for entry in entries])
    return {entry["key"] for entry in entries if states[entry["job_id"]] in ACTIVE}
