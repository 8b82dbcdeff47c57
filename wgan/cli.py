"""Command line: ``python -m wgan train``, ``sample``, ``sweep list|run|status`` and
``data prepare|judge``.

The training options carry the names of the authors' script where it has one
(``--dataset``, ``--dataroot``, ``--imageSize``, ``--batchSize``, ``--nz``, ``--ngf``,
``--ndf``, ``--lrD``, ``--lrG``, ``--clamp_upper``, ``--Diters``, ``--adam``, ``--beta1``,
``--mlp_G``, ``--mlp_D``, ``--noBN``, ``--niter``, ``--experiment``), with dashed
spellings beside them. Settings are read, in increasing priority, from
:class:`~wgan.training.config.TrainConfig`'s defaults (the paper's), ``--config FILE`` and the
options given. Bad input exits with status 2 and a message; a diverged run with 1.

Examples
--------
Train the paper's WGAN on the embedded digits at 32x32 for 200 generator iterations::

    python -m wgan train --dataset digits --imageSize 32 --niter 200 --out runs/digits

Draw a grid of 64 samples from its last checkpoint::

    python -m wgan sample runs/digits --out digits.png

Train every run of the quick book in two processes, or of the paper book on SLURM::

    python -m wgan sweep run --scale quick --jobs 2
    python -m wgan sweep run --scale paper --executor slurm --partition gpu --gpus-per-job 1
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import torch

from wgan.paths import runs_dir
from wgan.plan.scale import Scale
from wgan.plan.spec import config_hash
from wgan.sweep import ClusterUnavailable
from wgan.sweep.pack import RUNS_PER_GPU
from wgan.sweep.stacks import STACK_SIZE
from wgan.training.algorithm1 import prior
from wgan.training.batches import TOY_DATASETS
from wgan.training.config import (
    ALGORITHMS,
    ARCHITECTURES,
    LIPSCHITZ,
    OPTIMIZERS,
    WGAN_GP_PROCEDURE,
    TrainConfig,
)
from wgan.training.run import train
from wgan.training.rundir import load_run

DEFAULTS = TrainConfig()
EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 1
EXIT_NO_CLUSTER = 3

# (flags, TrainConfig field, type, help); the default is appended from TrainConfig.
CONFIG_OPTIONS: list[tuple[tuple[str, ...], str, type, str]] = [
    (("--algorithm",), "algorithm", str, f"training procedure, one of {', '.join(ALGORITHMS)}: "
     "Algorithm 1, or the standard GAN with the -log D trick"),
    (("--dataset",), "dataset", str, "dataset name: digits, photos (embedded), folder, lsun "
     f"(read from --dataroot), or a toy distribution ({', '.join(TOY_DATASETS)})"),
    (("--dataroot", "--data-root"), "data_root", str,
     "path of the dataset on disk (lsun: the ..._lmdb directory; folder: the image directory)"),
    (("--data-limit",), "data_limit", int,
     "train on the first N images of the dataset only (None: all of them)"),
    (("--image-size", "--imageSize"), "image_size", int,
     "side of the square images in pixels, a multiple of 16"),
    (("--batch-size", "--batchSize"), "batch_size", int, "m, samples per batch"),
    (("--nz",), "nz", int, "dimension of the noise z"),
    (("--ngf",), "ngf", int, "base channel count of the convolutional generator"),
    (("--ndf",), "ndf", int, "base channel count of the convolutional critic"),
    (("--mlp-hidden",), "mlp_hidden", int, "width of the MLP hidden layers"),
    (("--lrD", "--lr-d"), "lr_d", float, "learning rate of the critic (alpha)"),
    (("--lrG", "--lr-g"), "lr_g", float, "learning rate of the generator (alpha)"),
    (("--clamp", "--clip-value", "--clamp_upper"), "clip_value", float,
     "c: critic weights are clipped to [-c, c]"),
    (("--lipschitz",), "lipschitz", str,
     f"how the critic is kept Lipschitz, one of {', '.join(LIPSCHITZ)}: weight clipping "
     "(the paper's), the gradient penalty (WGAN-GP) or spectral normalization"),
    (("--gp-weight",), "gp_weight", float, "lambda, the weight of the gradient penalty"),
    (("--n-critic", "--Diters"), "n_critic", int,
     "critic iterations per generator iteration (n_critic)"),
    (("--optimizer-d",), "optimizer_d", str, f"critic optimizer, one of {', '.join(OPTIMIZERS)}"),
    (("--optimizer-g",), "optimizer_g", str,
     f"generator optimizer, one of {', '.join(OPTIMIZERS)}"),
    (("--beta1",), "beta1", float, "Adam's beta1"),
    (("--beta2",), "beta2", float, "Adam's beta2"),
    (("--generator",), "generator", str,
     f"generator architecture, one of {', '.join(ARCHITECTURES)}"),
    (("--critic",), "critic", str,
     f"critic (or GAN discriminator) architecture, one of {', '.join(ARCHITECTURES)}"),
    (("--generator-iters", "--niter"), "generator_iters", int,
     "generator iterations to run (the authors' --niter counted epochs; this counts "
     "generator iterations)"),
    (("--sample-every",), "sample_every", int,
     "save a grid of samples from a fixed noise batch every this many generator iterations"),
    (("--checkpoint-every",), "checkpoint_every", int,
     "write a checkpoint every this many generator iterations"),
    (("--snapshot-every",), "snapshot_every", int,
     "keep the generator's weights every this many generator iterations (0: none)"),
    (("--seed",), "seed", int, "seed of every random number generator of the run"),
    (("--device",), "device", str, "auto, cpu or cuda[:N] (auto: a GPU when there is one)"),
]


def build_parser() -> argparse.ArgumentParser:
    """The ``wgan`` argument parser, with the ``train`` and ``sample`` commands."""
    parser = argparse.ArgumentParser(
        prog="wgan", description="Wasserstein GAN (Arjovsky, Chintala & Bottou, 2017): train "
        "with Algorithm 1 or the GAN baseline, and draw samples from a run.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train_parser = commands.add_parser(
        "train", help="train a WGAN (or the GAN baseline); resumes an interrupted run",
        description="Train with Algorithm 1 (defaults: the paper's) or the GAN baseline. "
        "Running again with the same settings and output directory resumes the run.",
    )
    for flags, name, kind, text in CONFIG_OPTIONS:
        train_parser.add_argument(*flags, dest=name, type=kind, default=argparse.SUPPRESS,
                                  metavar=name.upper(),
                                  help=f"{text} (default: {getattr(DEFAULTS, name)})")
    train_parser.add_argument(
        "--no-warmup", dest="critic_warmup", action="store_const", const=False,
        default=argparse.SUPPRESS,
        help="run n_critic critic iterations throughout, without the authors' 100 during the "
        "first 25 generator iterations and every 500th (default: with the warm-up)",
    )
    train_parser.add_argument(
        "--adam", action="store_true", default=argparse.SUPPRESS,
        help="use Adam(lr, betas=(beta1, beta2)) for both networks instead of RMSProp "
        "(default: RMSProp)",
    )
    train_parser.add_argument(
        "--wgan-gp", action="store_true", default=argparse.SUPPRESS,
        help="start from WGAN-GP's published settings (Adam lr 1e-4, betas (0, 0.9), "
        "lipschitz gp, lambda 10, n_critic 5, no warm-up, critic dcgan_nobn) instead of the "
        "paper's; the options given override them; not with --config (default: the paper's)",
    )
    train_parser.add_argument("--mlp_G", dest="generator", action="store_const", const="mlp",
                              default=argparse.SUPPRESS, help="same as --generator mlp")
    train_parser.add_argument("--mlp_D", dest="critic", action="store_const", const="mlp",
                              default=argparse.SUPPRESS, help="same as --critic mlp")
    train_parser.add_argument("--noBN", dest="generator", action="store_const",
                              const="dcgan_nobn", default=argparse.SUPPRESS,
                              help="same as --generator dcgan_nobn (Figure 7's generator)")
    train_parser.add_argument(
        "--config", dest="config_file", metavar="FILE", default=None,
        help="YAML or JSON file of TrainConfig settings; options given here override it "
        "(default: none)",
    )
    train_parser.add_argument(
        "--out", "--experiment", dest="out", metavar="RUN_DIR", default=None,
        help="run directory for metrics, samples and checkpoints (default: "
        "<runs dir>/<algorithm>-<dataset>-<hash of the settings>, where the runs dir is "
        "$WGAN_RUNS_DIR or ./runs of the checkout)",
    )
    train_parser.add_argument(
        "--resume", metavar="RUN_DIR", default=None,
        help="resume the run in RUN_DIR with the settings stored there (no other settings "
        "may be given) (default: none)",
    )
    train_parser.add_argument(
        "--progress", action=argparse.BooleanOptionalAction, default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )

    sample_parser = commands.add_parser(
        "sample", help="write a grid of samples from a run's generator",
        description="Write a PNG grid of samples drawn from a run's last checkpoint (or a "
        "kept snapshot).",
    )
    sample_parser.add_argument("run_dir", metavar="RUN_DIR", help="a run directory")
    sample_parser.add_argument("--out", metavar="PNG", default=None,
                               help="output file (default: RUN_DIR/samples/sample.png)")
    sample_parser.add_argument("--n", type=int, default=64,
                               help="number of samples (default: 64)")
    sample_parser.add_argument("--iteration", type=int, default=None,
                               help="generator iteration of a kept snapshot (default: the "
                               "last checkpoint)")
    sample_parser.add_argument("--seed", type=int, default=0,
                               help="seed of the noise (default: 0)")
    sample_parser.add_argument("--device", default="cpu", help="device (default: cpu)")
    _add_sweep_parsers(commands)
    return parser


def _book_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", default="quick", choices=("smoke", "quick", "paper"),
                        help="the book's scale (default: quick)")
    parser.add_argument("--seed", type=int, default=0, help="the book's seed (default: 0)")
    parser.add_argument("--device", default="auto",
                        help="the book's device, part of every run's config (default: auto)")


def _add_sweep_parsers(commands: argparse._SubParsersAction) -> None:
    sweep = commands.add_parser(
        "sweep", help="every training run of the book: list, train (locally or on SLURM), "
        "watch", description="The runs every chapter of the book reads (wgan.sweep.registry), "
        "trained outside the notebooks into the run directories the notebooks read.",
    )
    actions = sweep.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every run with its chapters, state and cost")
    _book_options(listing)
    listing.add_argument("--markdown", action="store_true",
                         help="print a Markdown table (default: aligned text)")
    listing.add_argument("--gpu", action=argparse.BooleanOptionalAction, default=None,
                         help="price the runs for a machine with a GPU (--gpu), where device "
                         "auto trains the image networks on the GPU and the toy networks on "
                         "the CPU (wgan.training.device), or without one (--no-gpu) "
                         "(default: as this machine)")
    listing.add_argument("--runs-per-gpu", type=int, default=RUNS_PER_GPU, metavar="K",
                         help="runs sharing one GPU: a GPU run costs 1/K of its time in "
                         f"GPU-hours (default: {RUNS_PER_GPU}, measured)")
    listing.add_argument("--no-stack", dest="stack", action="store_false",
                         help="price every run alone (default: a toy seed as a member of the "
                         "stack sweep run trains it in, at its lone time over the stack's "
                         "measured speedup)")
    status = actions.add_parser("status", help="what each run directory and SLURM say")
    _book_options(status)
    run = actions.add_parser(
        "run", help="train the unfinished runs (skips finished ones, resumes partial ones)")
    _book_options(run)
    run.add_argument("runs", nargs="*", metavar="RUN",
                     help="only these runs (directory or RunSpec names; default: all)")
    run.add_argument("--executor", choices=("local", "slurm"), default="local",
                     help="local: a pool of processes here; slurm: one job array through "
                     "submitit (default: local)")
    run.add_argument("--jobs", type=int, default=None,
                     help="local: processes at a time, CPU and GPU runs together; the CPU "
                     "runs get what the GPU runs leave, at least one (default: the number "
                     "of cores)")
    run.add_argument("--threads", type=int, default=None,
                     help="local: torch threads per CPU run (default: the cores the GPU "
                     "runs leave // the CPU runs at a time)")
    run.add_argument("--no-stack", dest="stack", action="store_false",
                     help="local: train every run alone (default: the toy runs on the CPU "
                     "that differ only in their seed train as one batched model, up to "
                     f"{STACK_SIZE} seeds a process, each writing its own run directory: "
                     "wgan.sweep.stacks)")
    run.add_argument("--runs-per-gpu", type=int, default=None, metavar="K",
                     help="local: runs at a time on each GPU, each its own process pinned "
                     f"to it (default: {RUNS_PER_GPU}, measured); slurm: runs per array task, "
                     "trained at once as processes on the task's GPU (default: 1)")
    run.add_argument("--partition", default=None, help="slurm: partition (default: the "
                     "cluster's)")
    run.add_argument("--gpus-per-job", type=int, default=0,
                     help="slurm: GPUs per run (default: 0)")
    run.add_argument("--cpus-per-job", type=int, default=None,
                     help="slurm: CPUs per run (default: the cluster's)")
    run.add_argument("--time", default="60", help="slurm: time limit of a job, MM or "
                     "HH:MM:SS; a job reaching it is checkpointed and requeued (default: 60)")
    run.add_argument("--array-parallelism", type=int, default=16,
                     help="slurm: array tasks running at once (default: 16)")
    run.add_argument("--account", default=None, help="slurm: account (default: none)")
    run.add_argument("--qos", default=None, help="slurm: quality of service (default: none)")
    run.add_argument("--mem", default=None, help="slurm: memory per job, e.g. 16G "
                     "(default: the cluster's)")
    run.add_argument("--wait", action="store_true",
                     help="slurm: block until every job has ended (default: return)")

    data = commands.add_parser("data", help="prepare the image caches and the digit judge")
    data_actions = data.add_subparsers(dest="action", required=True, metavar="ACTION")
    prepare = data_actions.add_parser(
        "prepare", help="build every image cache the runs of a scale read, once")
    _book_options(prepare)
    data_actions.add_parser(
        "judge", help="train the yardstick's digit judge into the cache, once (chapters 4, 5)")


def _registry(args: argparse.Namespace) -> list:
    from wgan.sweep.registry import registry

    return registry(args.scale, seed=args.seed, device=args.device)


def _sweep_list(args: argparse.Namespace) -> int:
    from wgan.sweep.listing import cache_lines, markdown_lines, rows, table_lines, total_hours

    table = rows(_registry(args), gpu=args.gpu, runs_per_gpu=args.runs_per_gpu,
                 stack=args.stack)
    if args.markdown:
        print("\n".join(markdown_lines(table)))
        return 0
    print("\n".join(cache_lines([row.run for row in table])))
    folder = runs_dir() / args.scale.folder
    gpu = torch.cuda.is_available() if args.gpu is None else args.gpu
    print(f"Runs at scale {args.scale} (runs dir {folder}): {len(table)}; cost of the whole "
          f"run on the device it trains on {'with' if gpu else 'without'} a GPU (--gpu, "
          "--no-gpu), from the rates of runs measured on disk or on a GPU (wgan.sweep.costs)"
          + ("; a toy seed priced as a member of a stack of K seeds trained as one model "
             "('stack of K' in its rate: its lone time over the stack's measured speedup, "
             "wgan.sweep.stacks; --no-stack)" if args.stack else ""))
    print("\n".join(table_lines(table)))
    print(f"Total: {total_hours(table)}")
    return 0


def _sweep_status(args: argparse.Namespace) -> int:
    from wgan.sweep.listing import rows
    from wgan.sweep.slurm import FAILED, failure_lines, manifests, newest_jobs, slurm_states

    table = rows(_registry(args))
    sweeps = manifests(args.scale.name)
    newest = newest_jobs(sweeps)
    jobs = {row.run.key: newest[row.run.key][1] for row in table if row.run.key in newest}
    # the data job of each sweep shown: when it fails, SLURM cancels that sweep's array
    shown = {newest[key][0]["folder"] for key in jobs}
    data_jobs = [(m["folder"], m["data_job"]) for m in sweeps
                 if m["data_job"] and m["folder"] in shown]
    states = slurm_states([e["job_id"] for e in jobs.values()]
                          + [job["job_id"] for _, job in data_jobs])
    if sweeps:
        print(f"Sweeps at scale {args.scale.name}: {len(sweeps)}, the last {sweeps[-1]['folder']}"
              "; each run's job is that of the last sweep that has it")
    for folder, data_job in data_jobs:
        print(f"Data job {data_job['job_id']} ({folder}): {states[data_job['job_id']]}")
        if states[data_job["job_id"]] in FAILED:
            print("\n".join(failure_lines(data_job)))
    for row in table:
        entry = jobs.get(row.run.key)
        slurm = f"{entry['job_id']} {states[entry['job_id']]}" if entry else "-"
        print(f"{row.run.key:40s} {row.state!s:24s} {slurm}")
        if entry and states[entry["job_id"]] in FAILED:
            print("\n".join(failure_lines(entry)))
    return 0


def _sweep_run(args: argparse.Namespace) -> int:
    from wgan.sweep.listing import rows
    from wgan.sweep.registry import select

    table = rows(select(_registry(args), args.runs), stack=args.stack)
    todo = [row for row in table if not row.state.terminal]
    print(f"{len(table) - len(todo)} of {len(table)} runs already finished or diverged; "
          f"{len(todo)} to train ({sum(r.state.state == 'partial' for r in todo)} resumed).")
    if not todo:
        return 0
    if args.executor == "local":
        from wgan.sweep.local import run_local
        from wgan.training.fast import cpu_bfloat16_note, cpu_name

        started = time.perf_counter()
        outcomes = run_local([r.run for r in todo], {r.run.key: r.cost for r in todo},
                             jobs=args.jobs, threads=args.threads, runs_per_gpu=RUNS_PER_GPU
                             if args.runs_per_gpu is None else args.runs_per_gpu,
                             stack=args.stack)
        print(f"Trained {len(outcomes)} runs in {time.perf_counter() - started:.0f} s "
              f"({sum(o.seconds for o in outcomes):.0f} s summed over the runs) on {cpu_name()}; "
              f"{cpu_bfloat16_note()}.")
        failed = [o for o in outcomes if o.status == "failed"]
        for outcome in failed:
            print(f"wgan sweep: {outcome.run.key} failed: {outcome.error}", file=sys.stderr)
        return 1 if failed else 0
    from wgan.sweep.slurm import Resources, parse_time, queued, submit, wait

    waiting = queued(args.scale.name)
    skipped = [row for row in todo if row.run.key in waiting]
    if skipped:
        todo = [row for row in todo if row.run.key not in waiting]
        print(f"{len(skipped)} of them already queued or running in a sweep at scale "
              f"{args.scale.name}: not submitted again.")
        if not todo:
            return 0
    resources = Resources(args.partition, args.gpus_per_job, parse_time(args.time),
                          args.array_parallelism, args.cpus_per_job, args.mem, args.account,
                          args.qos)
    manifest = submit([r.run for r in todo], args.scale.name, resources,
                      runs_per_gpu=1 if args.runs_per_gpu is None else args.runs_per_gpu)
    if manifest["data_job"]:
        print(f"Data job {manifest['data_job']['job_id']}: log {manifest['data_job']['stdout']}")
    array = manifest["runs"][0]["job_id"].split("_")[0]
    print(f"Job array {array}: {len(manifest['runs'])} runs; submitit folder "
          f"{manifest['folder']}")
    for entry in manifest["runs"]:
        print(f"  {entry['job_id']:>10s} {entry['key']}: log {entry['stdout']}")
    print(f"Watch: python -m wgan sweep status --scale {args.scale.name}")
    if not args.wait:
        return 0
    final = wait(manifest)
    bad = {key: state for key, state in final.items() if state != "COMPLETED"}
    for key, state in bad.items():
        print(f"wgan sweep: {key} ended {state}", file=sys.stderr)
    return 1 if bad else 0


def _data_prepare(args: argparse.Namespace) -> int:
    from wgan.sweep.data import needs, prepare

    data = needs(_registry(args))
    if not data:
        print(f"The runs at scale {args.scale} read no image cache.")
    prepare(data)
    return 0


def _data_judge(args: argparse.Namespace) -> int:
    from wgan.paths import cache_dir
    from wgan.quality.yardstick import YARDSTICK_VERSION, yardstick

    judge = yardstick()
    print(f"Yardstick v{YARDSTICK_VERSION}: {judge.accuracy:.1%} of the held-out digits "
          f"classified right; cached in {cache_dir() / 'quality'}")
    return 0


_NOT_SETTINGS = ("command", "config_file", "out", "resume", "progress", "adam", "wgan_gp")


def resolve_config(args: argparse.Namespace) -> tuple[TrainConfig, Path]:
    """The run's config and directory from parsed ``train`` arguments.

    Raises
    ------
    ValueError
        For conflicting options or invalid settings.
    """
    given = {k: v for k, v in vars(args).items() if k not in _NOT_SETTINGS}
    if getattr(args, "adam", False):
        given.setdefault("optimizer_d", "adam")
        given.setdefault("optimizer_g", "adam")
    if args.resume is not None:
        extra = sorted(given) + [flag for flag, value in
                                 (("--config", args.config_file), ("--out", args.out),
                                  ("--wgan-gp", getattr(args, "wgan_gp", False))) if value]
        if extra:
            raise ValueError(
                f"--resume takes every setting from RUN_DIR/config.json; drop {extra}, or "
                "start a new run with --out instead."
            )
        run_dir = Path(args.resume)
        if not (run_dir / "config.json").is_file():
            raise ValueError(f"--resume {str(run_dir)!r}: that directory holds no run "
                             "(no config.json).")
        return TrainConfig.from_file(run_dir / "config.json"), run_dir
    if getattr(args, "wgan_gp", False):
        if args.config_file:
            raise ValueError("--wgan-gp and --config both set every setting; give one of them.")
        base = TrainConfig(**WGAN_GP_PROCEDURE)
    else:
        base = TrainConfig.from_file(args.config_file) if args.config_file else TrainConfig()
    config = base.replace(**given)
    if args.out is not None:
        return config, Path(args.out)
    name = f"{config.algorithm}-{config.dataset}-{config_hash(config)}"
    return config, runs_dir() / name


def _train(args: argparse.Namespace) -> int:
    config, run_dir = resolve_config(args)
    print("Options:")
    for key, value in config.to_dict().items():
        print(f"  {key}: {json.dumps(value)}")
    print(f"Random seed: {config.seed}")
    print(f"Run directory: {run_dir}", flush=True)
    result = train(config, run_dir, progress=args.progress)
    if result.status == "diverged":
        print(f"wgan: {result.detail['message']}", file=sys.stderr)
        return EXIT_DIVERGED
    last = result.metrics.iloc[-1]
    column = "w_estimate" if config.algorithm == "wgan" else "js_lower_bound"
    print(f"Finished {int(last['gen_iter'])} generator iterations "
          f"({int(last['critic_iters_total'])} critic iterations); last {column} "
          f"{last[column]:.6g}. Metrics: {run_dir / 'metrics.jsonl'}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from torchvision.utils import save_image  # torchvision takes seconds to import

    if args.n <= 0:
        raise ValueError(f"--n must be a positive number of samples. Got {args.n} instead.")
    result = load_run(args.run_dir, allow_unfinished=True)
    if len(result.detail["sample_shape"]) != 3:
        raise ValueError(
            f"The run in {args.run_dir!r} was trained on {result.config.dataset!r}, whose "
            f"samples have shape {tuple(result.detail['sample_shape'])}, not images; load its "
            "generator with wgan.training.rundir.load_run(...).load_generator() to plot them."
        )
    generator = result.load_generator(args.iteration, device=args.device)
    z = prior(args.n, result.config.nz, generator=torch.Generator().manual_seed(args.seed))
    with torch.no_grad():
        images = generator(z.to(args.device)).float().cpu()
    out = Path(args.out) if args.out else result.run_dir / "samples" / "sample.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    save_image(images, out, nrow=math.ceil(math.sqrt(args.n)), normalize=True,
               value_range=(-1.0, 1.0))
    print(f"Wrote {args.n} samples to {out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``wgan`` and ``python -m wgan``; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    commands = {("train", None): _train, ("sample", None): _sample,
                ("sweep", "list"): _sweep_list, ("sweep", "status"): _sweep_status,
                ("sweep", "run"): _sweep_run, ("data", "prepare"): _data_prepare,
                ("data", "judge"): _data_judge}
    command = commands[args.command, getattr(args, "action", None)]
    try:
        if hasattr(args, "scale"):  # $WGAN_DRY_RUN is read here, once
            args.scale = Scale.from_env(args.scale)
        return command(args)
    except (ValueError, TypeError) as err:
        print(f"wgan {args.command}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ClusterUnavailable as err:
        print(f"wgan {args.command}: error: {err}", file=sys.stderr)
        return EXIT_NO_CLUSTER

