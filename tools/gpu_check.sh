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
#      summed generator iterations/s for K = 1, 4, 8, graphs off and on;
#   5. writes ONE table (markdown) and the same figures as JSON, with the device, torch,
#      the commit and the date: to $1, or $OUT/gpu_check.md when $OUT is set, or
#      _build/gpu_check.md; the whole log beside it (gpu_check.log).
#
# Without a CUDA device it skips what needs one and says so in the table (a few seconds).
# Budgets (seconds, each part under `timeout`): GPU_CHECK_TESTS_S (default 170),
# GPU_CHECK_BENCH_S (110), GPU_CHECK_CONCURRENT_S (150). Other settings: PYTHON (default
# .venv/bin/python if present, else python3), GPU_CHECK_WHEELS (default .whl),
# GPU_CHECK_COMMIT (the commit to report where the copy has no .git).
#
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

T_TESTS=${GPU_CHECK_TESTS_S:-170}
T_BENCH=${GPU_CHECK_BENCH_S:-110}
T_CONCURRENT=${GPU_CHECK_CONCURRENT_S:-150}
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
    --processes 1 4 8 --compile off reduce-overhead --seconds 8 --warmup 5 \
    --json "$WORK/concurrent.json"
  rc=$?
  [ $rc -eq 0 ] || note concurrent "exit code $rc$([ $rc -eq 124 ] && echo ' (budget reached: the K values measured before are kept)')"
else
  note skipped "K runs at once (summed it/s for K = 1, 4, 8): no CUDA device"
fi

# ---------------------------------------------------------------- 5. the table
log "writing $REPORT and ${REPORT%.md}.json"
"$PY" - "$WORK" "$REPORT" "$SECONDS" <<'EOF' || log "the report could not be written"
import json, re, sys, xml.etree.ElementTree as ET
from pathlib import Path
work, report, seconds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
rows = []  # (part, what, value)

def load(name):
    path = work / name
    return json.loads(path.read_text()) if path.is_file() else None

machine = load("machine.json") or {}
for key in ("device", "capability", "memory GiB", "multiprocessors", "torch", "cuda", "cudnn",
            "python", "cpus", "commit", "date"):
    if key in machine:
        rows.append(("machine", key, str(machine[key])))
rows.append(("machine", "check wall time", f"{seconds} s"))

for xml in sorted(work.glob("tests_*.xml")):
    for case in ET.parse(xml).getroot().iter("testcase"):
        name = case.get("name")
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                message = (node.get("message") or "").splitlines()
                outcome = f"{'failed' if tag == 'failure' else tag}: {message[0][:160] if message else ''}"
                break
        out = case.findtext("system-out") or ""
        worst = re.findall(r"worst column difference / scale ([0-9.e+-]+)", out)
        extra = f"; worst difference / scale {worst[0]}" if worst else ""
        rows.append(("tests", name, f"{outcome} ({float(case.get('time', 0)):.1f} s{extra})"))

for mode in ("off", "reduce-overhead"):
    bench = load(f"bench_{mode}.json")
    if bench is None:
        continue
    for row in bench["rows"]:
        what = f"{row['setting']}: {row['loop']}"
        if row["loop"].startswith("authors") and mode != "off":
            what += " (again, beside graphs)"
        rows.append(("bench", what, f"{row['gen it/s']} gen it/s; floor {row['floor it/s']} "
                     f"it/s ({row['of floor']} of it); x{row['x authors']} the authors'"))
    rates = ", ".join(f"{k} {v:,.0f}" for k, v in bench["matmul_gflops"].items())
    rows.append(("bench", f"matmul GFLOP/s (compile={mode} run)", rates))

for row in load("concurrent.json") or []:
    graphs = "whole-step CUDA graphs" if row["compile"] == "reduce-overhead" else "no graphs"
    rows.append(("K runs", f"{row['processes']} processes, {graphs}",
                 f"{row['sum it/s']} gen it/s summed (one process: {row['min it/s']}-"
                 f"{row['max it/s']}; started up to {row['late s']} s late)"))

notes = work / "notes.tsv"
for line in notes.read_text().splitlines() if notes.is_file() else []:
    part, _, message = line.partition("\t")
    rows.append((part, "note", message))

def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")

title = f"GPU check: {machine.get('device', 'unknown device')}, {machine.get('date', '')}"
lines = [f"# {title}", "", "| part | what | value |", "| --- | --- | --- |"]
lines += [f"| {cell(p)} | {cell(w)} | {cell(v)} |" for p, w, v in rows]
report.write_text("\n".join(lines) + "\n")
report.with_suffix(".json").write_text(json.dumps(
    {"machine": machine, "rows": [dict(part=p, what=w, value=v) for p, w, v in rows],
     "bench": {m: load(f"bench_{m}.json") for m in ("off", "reduce-overhead")},
     "concurrent": load("concurrent.json")}, indent=1))
print("\n".join(lines))
EOF
log "done in ${SECONDS}s: $REPORT"
