#!/usr/bin/env bash
# One prepared GPU check, in at most 8 minutes, from the repository root of a copy of the tree:
#
#   1. installs the packages the machine lacks from the wheels in .whl/ (pip --no-index, into
#      /tmp/gpu_check_site; torch is never installed) and uses the checkout via PYTHONPATH;
#   2. runs the CUDA tests: tests/training/test_graphs.py (graphed steps against uncaptured
#      ones, a graphed run killed and resumed) and the two earlier CUDA tests;
#   3. runs the benchmark (python -m wgan.speed.bench): the authors' loop against ours at the
#      paper's sizes, with and without whole-step CUDA graphs, and the fraction of the floor;
#   4. measures K training processes sharing the GPU (python -m wgan.speed.concurrent):
#      summed generator iterations/s for K = 1 and 4, graphs off and on;
#   5. times `wgan train` at the paper's settings (DCGAN 64x64 on the embedded photos, the
#      CUDA defaults, checkpoints and sample grids included): gen it/s after the warm-up;
#   6. trains chapter 4's quick runs (`wgan sweep run --scale quick`, device auto) for its
#      budget: runs finished, and generator iterations/s summed over the runs;
#   7. the smoke book on the GPU (tools/gpu_smoke_book.py): its runs with --device cuda, then
#      every notebook through papermill with device=cuda, the ledger last;
#   8. writes ONE table (markdown) and the same figures as JSON, with the device, torch,
#      the commit and the date: to $1, or $OUT/gpu_check.md when $OUT is set, or
#      _build/gpu_check.md; the whole log beside it (gpu_check.log).
#
# Without a CUDA device it skips what needs one and says so in the table (a few seconds).
# Budgets (seconds, each part under `timeout`; 460 together, so that the check with its
# installs ends within 8 minutes): GPU_CHECK_TESTS_S (default 100), GPU_CHECK_BENCH_S (75),
# GPU_CHECK_CONCURRENT_S (65), GPU_CHECK_TRAIN_S (45), GPU_CHECK_QUICK_S (65),
# GPU_CHECK_BOOK_S (110). Other settings: PYTHON (default .venv/bin/python if present, else
# python3), GPU_CHECK_WHEELS (default .whl), GPU_CHECK_COMMIT (the commit to report where the
# copy has no .git).
#
# The wheels: `make wheels` here (tools/gpu_wheels.py: what the GPU image lacks, ~50 MiB).
# The device tool of this workplace: carry [".whl"] and run `bash tools/gpu_check.sh`.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
export PYTHONUNBUFFERED=1

REPORT=${1:-}
if [ -z "$REPORT" ]; then
  if [ -n "${OUT:-}" ]; then REPORT=$OUT/gpu_check.md; else REPORT=_build/gpu_check.md; fi
fi
mkdir -p "$(dirname "$REPORT")"
REPORT=$(cd "$(dirname "$REPORT")" && pwd)/$(basename "$REPORT")
LOG=${REPORT%.md}.log
WORK=$(mktemp -d /tmp/gpu_check.XXXXXX)
exec > >(tee "$LOG") 2>&1

T_TESTS=${GPU_CHECK_TESTS_S:-100}
T_BENCH=${GPU_CHECK_BENCH_S:-75}
T_CONCURRENT=${GPU_CHECK_CONCURRENT_S:-65}
T_TRAIN=${GPU_CHECK_TRAIN_S:-45}
T_QUICK=${GPU_CHECK_QUICK_S:-65}
T_BOOK=${GPU_CHECK_BOOK_S:-110}
WHEELS=${GPU_CHECK_WHEELS:-.whl}
PY=${PYTHON:-}
if [ -z "$PY" ]; then
  if [ -x .venv/bin/python ]; then PY=$ROOT/.venv/bin/python; else PY=python3; fi
fi

log() { printf '[%s +%4ss] %s\n' "$(date -u +%H:%M:%S)" "$SECONDS" "$*"; }
note() { printf '%s\t%s\n' "$1" "$2" >>"$WORK/notes.tsv"; log "$1: $2"; }  # part, message
: >"$WORK/notes.tsv"

log "gpu_check: report $REPORT, work folder $WORK, python $PY"

# ---------------------------------------------------------------- 1. packages
SITE=/tmp/gpu_check_site
shopt -s nullglob
wheels=("$WHEELS"/*.whl)
if [ ${#wheels[@]} -gt 0 ]; then
  log "installing ${#wheels[@]} wheels from $WHEELS into $SITE"
  if "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
      --target "$SITE" "${wheels[@]}"; then
    note install "installed from $WHEELS: $(cd "$WHEELS" && ls -- *.whl | sed 's/-py3-.*//; s/-cp3.*//' | tr '\n' ' ')"
  else
    note install "pip could not install the wheels in $WHEELS (see the log; they are built for the GPU machine's Python 3.12)"
  fi
else
  note install "no wheels in $WHEELS: nothing installed (the machine's own packages only)"
fi
export PYTHONPATH=$ROOT:$SITE${PYTHONPATH:+:$PYTHONPATH}

if ! "$PY" -c "import torch, wgan.training.run" 2>"$WORK/import.err"; then
  note skipped "torch or the package does not import with $PY ($(tail -1 "$WORK/import.err")): no test, bench or K runs"
  CUDA=0; TORCH=0
else
  TORCH=1
  if "$PY" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"; then
    CUDA=1
  else
    CUDA=0
  fi
fi

COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || true)
if [ -n "$COMMIT" ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  COMMIT="$COMMIT (uncommitted changes)"
fi
COMMIT=${COMMIT:-${GPU_CHECK_COMMIT:-unknown}}
export GPU_CHECK_COMMIT_RESOLVED=$COMMIT

"$PY" - "$WORK/machine.json" <<'EOF'
import json, os, platform, sys, time
info = {"device": "unknown", "python": platform.python_version(), "cpus": os.cpu_count(),
        "commit": os.environ["GPU_CHECK_COMMIT_RESOLVED"],
        "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
try:
    import torch
except ImportError:
    torch = None
    info["torch"] = "not importable"
else:
    info["torch"] = torch.__version__
if torch is not None and torch.cuda.is_available():
    p = torch.cuda.get_device_properties(0)
    info |= {"device": p.name, "capability": f"sm_{p.major}{p.minor}",
             "memory GiB": round(p.total_memory / 2**30, 1),
             "multiprocessors": p.multi_processor_count, "cuda": torch.version.cuda,
             "cudnn": torch.backends.cudnn.version()}
elif torch is not None:
    info["device"] = f"none (CPU only: {platform.processor() or platform.machine()})"
json.dump(info, open(sys.argv[1], "w"), indent=1)
print(info)
EOF

# ---------------------------------------------------------------- 2. CUDA tests
run_tests() {  # name, budget, node ids...
  local name=$1 budget=$2; shift 2
  local extra=()
  if "$PY" -c "import pytest_timeout" 2>/dev/null; then extra=(--timeout=120); fi
  log "tests ($name), at most ${budget}s: $*"
  timeout -k 10 "$budget" "$PY" -m pytest -q -rA -p no:cacheprovider ${extra[@]+"${extra[@]}"} \
    -o junit_logging=system-out --junitxml="$WORK/tests_$name.xml" "$@"
  local rc=$?
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then note tests "$name: stopped at its ${budget}s budget"; fi
  log "tests ($name) exit code $rc"
}
if [ "$TORCH" = 1 ]; then
  [ "$CUDA" = 1 ] || note skipped "CUDA tests: no CUDA device (they run and report 'skipped'; the CPU tests of test_graphs.py run)"
  start=$SECONDS
  run_tests graphs $((T_TESTS * 6 / 10)) tests/training/test_graphs.py
  left=$((T_TESTS - (SECONDS - start)))
  [ $left -lt 30 ] && left=30
  run_tests earlier $left \
    "tests/training/test_fast.py::test_cuda_graph_curves_agree_with_float32_within_the_seed_spread" \
    "tests/speed/test_bench.py::test_bench_runs_both_loops_on_cuda_with_cuda_graphs"
fi

# ---------------------------------------------------------------- 3. the benchmark
if [ "$CUDA" = 1 ]; then
  for mode in off reduce-overhead; do
    log "bench, compile=$mode, at most $((T_BENCH / 2))s"
    timeout -k 10 $((T_BENCH / 2)) "$PY" -m wgan.speed.bench --device cuda \
      --settings dcgan mlp --compile "$mode" --warmup 3 --iters 10 --rounds 3 --workers 2 \
      --json "$WORK/bench_$mode.json"
    rc=$?
    [ $rc -eq 0 ] || note bench "compile=$mode: exit code $rc$([ $rc -eq 124 ] && echo ' (budget reached)')"
  done
else
  note skipped "bench (authors' loop against ours, graphs off and on): no CUDA device"
fi

# ---------------------------------------------------------------- 4. K runs at once
if [ "$CUDA" = 1 ]; then
  log "K processes on one GPU, at most ${T_CONCURRENT}s"
  timeout -k 10 "$T_CONCURRENT" "$PY" -m wgan.speed.concurrent --device cuda --setting dcgan \
    --processes 1 4 --compile off reduce-overhead --seconds 6 --warmup 5 \
    --json "$WORK/concurrent.json"
  rc=$?
  [ $rc -eq 0 ] || note concurrent "exit code $rc$([ $rc -eq 124 ] && echo ' (budget reached: the K values measured before are kept)')"
else
  note skipped "K runs at once (summed it/s for K = 1, 4): no CUDA device"
fi

# ---------------------------------------------------------------- 5. a run at the paper's settings
if [ "$CUDA" = 1 ]; then
  log "wgan train at the paper's settings on photos 64x64, for ${T_TRAIN}s"
  WGAN_RUNS_DIR=$WORK/runs timeout -k 10 "$T_TRAIN" "$PY" -m wgan train --dataset photos \
    --device cuda --generator-iters 100000 --no-progress --out "$WORK/train"
  rc=$?
  [ $rc -eq 124 ] || note train "exit code $rc (expected 124: stopped by its budget)"
else
  note skipped "wgan train at the paper's settings (gen it/s with checkpoints and samples): no CUDA device"
fi

# ---------------------------------------------------------------- 6. chapter 4's quick runs
if [ "$CUDA" = 1 ]; then
  names=$("$PY" -c "from wgan.plan.scale import Scale; from wgan.sweep.registry import registry
print(' '.join(r.key for r in registry(Scale('quick')) if '04_loss_curves' in r.chapters))")
  log "chapter 4's quick runs ($(wc -w <<<"$names") runs, device auto), for ${T_QUICK}s"
  start=$SECONDS
  # timeout signals its whole process group: the sweep's workers checkpoint and stop with it
  WGAN_RUNS_DIR=$WORK/runs timeout -k 10 "$T_QUICK" "$PY" -m wgan sweep run --scale quick \
    --device auto --jobs 8 $names
  rc=$?
  echo $((SECONDS - start)) >"$WORK/quick_seconds"
  [ $rc -eq 0 ] || [ $rc -eq 124 ] || note quick "sweep run: exit code $rc"
else
  note skipped "chapter 4's quick runs on the GPU: no CUDA device"
fi

# ---------------------------------------------------------------- 7. the smoke book on the GPU
if [ "$CUDA" = 1 ]; then
  log "the smoke book with device=cuda (runs, then papermill), for ${T_BOOK}s"
  timeout -k 15 $((T_BOOK + 20)) "$PY" tools/gpu_smoke_book.py "$WORK" --device cuda \
    --seconds "$T_BOOK" || note book "tools/gpu_smoke_book.py: exit code $?"
else
  note skipped "the smoke notebooks through papermill with device=cuda: no CUDA device"
fi

# ---------------------------------------------------------------- 8. the table
log "writing $REPORT and ${REPORT%.md}.json"
"$PY" tools/gpu_check_report.py "$WORK" "$REPORT" "$SECONDS" || log "the report could not be written"
log "done in ${SECONDS}s: $REPORT"
