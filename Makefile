# Wasserstein GAN, replicated: one Makefile drives the environment, the experiments and the book.
#
#   make execute            run every notebook at SCALE (default quick), then build the book
#   make execute SCALE=paper DRY_RUN=1   the paper scale's code path on a CPU in minutes
#   make test               unit tests (+ the browser test when the book is built) + nbval at smoke
#
# Variables can be overridden on the command line: make execute SCALE=paper DEVICE=cuda

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
SCALE ?= quick
DEVICE ?= auto
SEED ?= 0
# torch threads per notebook. One thread avoids thrashing on small models and busy machines.
THREADS ?= 1
# training runs at a time in `make runs` (each with cores / JOBS torch threads), and notebooks
# at a time in `make execute`
JOBS ?= $(shell env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null || echo 1)
PYTEST_ARGS ?=
# DRY_RUN=1 (with SCALE=paper): every setting of the paper scale, but iteration, image, sample
# and seed counts capped to a handful (wgan.plan.scale.Scale.cap), on a synthetic LSUN-format lmdb;
# runs in runs/paper-dry, claims in runs/claims/paper-dry, every page marked as a dry run.
DRY_RUN ?= 0

BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.py))
EXECUTED := $(patsubst notebooks/%.py,book/executed/%.ipynb,$(NOTEBOOKS))
PAIRED := $(NOTEBOOKS:.py=.ipynb)
PACKAGE := $(shell find wgan -name '*.py' 2>/dev/null)
PARAMS := _build/params/$(SCALE)_$(DEVICE)_$(SEED)
MATHJAX := book/_static/mathjax/tex-chtml.js
MATHJAX_VERSION := 3.2.2
DRY_DIR := _build/dry-run
DRY_LSUN := $(DRY_DIR)/bedroom_train_lmdb
DRY_IMAGES := 640

ifeq ($(DRY_RUN),1)
ifneq ($(SCALE),paper)
$(error DRY_RUN=1 is a dry run of the paper scale: use it with SCALE=paper, not SCALE=$(SCALE))
endif
PARAMS := _build/params/$(SCALE)_$(DEVICE)_$(SEED)_dry
DRY_ENV := WGAN_DRY_RUN=1 WGAN_LSUN_ROOT=$(CURDIR)/$(DRY_LSUN) WGAN_CACHE_DIR=$(CURDIR)/$(DRY_DIR)/cache
DRY_DATA := $(DRY_LSUN)/data.mdb
else ifneq ($(DRY_RUN),0)
$(error DRY_RUN must be 0 or 1, not $(DRY_RUN))
endif

.PHONY: help venv runs execute book browser test unit nbval lint sync bench wheels gpu-check clean distclean

help: ## List the targets and the variables they read
	@echo "Targets:"
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | \
	  awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'
	@echo "Variables (current value):"
	@echo "  SCALE=$(SCALE)   smoke | quick | paper (make test always uses smoke)"
	@echo "  DEVICE=$(DEVICE)   auto | cpu | cuda"
	@echo "  SEED=$(SEED)"
	@echo "  DRY_RUN=$(DRY_RUN)   1: with SCALE=paper, the paper's settings with counts capped (CPU, minutes)"
	@echo "  THREADS=$(THREADS)   torch threads per notebook (make -jN runs N notebooks at once)"
	@echo "  JOBS=$(JOBS)   training runs at a time in make runs (python -m wgan sweep run), notebooks at a time in make execute"
	@echo "  VENV=$(VENV)   PYTHON=$(PYTHON)"

# ---------------------------------------------------------------- environment
venv: $(STAMP) ## Create the virtual environment (redone when pyproject.toml changes)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# ---------------------------------------------------------------- experiments
# The yardstick's digit judge (wgan.quality.yardstick, a minute or two of one core) trains
# beside the sweep, into the cache the chapters read it from.
runs: $(STAMP) | $(DRY_DATA) ## Train every run the notebooks read at SCALE, JOBS at a time (skips finished ones)
	$(DRY_ENV) OMP_NUM_THREADS=1 $(BIN)/python -m wgan data judge & judge=$$!; \
	  status=0; $(DRY_ENV) $(BIN)/python -m wgan sweep run --scale $(SCALE) --device $(DEVICE) \
	  --seed $(SEED) --jobs $(JOBS) || status=$$?; wait $$judge; exit $$status

# The notebooks run JOBS at a time (each on THREADS torch threads) once `make runs` is done;
# the claims ledger waits for all of them.
execute: ## Train the runs (make runs), run every notebook at SCALE with papermill (JOBS at a time), build the book
	$(MAKE) --no-print-directory -j$(JOBS) $(EXECUTED)
	$(MAKE) --no-print-directory book
	@$(BIN)/python tools/notebook_timings.py $(EXECUTED)
	@echo "Book: $(CURDIR)/_build/html/index.html"

# A parameter change (scale, device, seed) re-executes every notebook.
$(PARAMS):
	mkdir -p $(@D)
	rm -f $(@D)/*
	touch $@

# The claims ledger reads the records the chapters write, and links the chapters the table of
# contents lists: it runs after all of them, and again when the table of contents changes.
book/executed/99_claims.ipynb: $(filter-out book/executed/99_claims.ipynb,$(EXECUTED)) _toc.yml

# The notebooks only read the runs `make runs` trained: WGAN_RUNS_READ_ONLY makes a chapter
# that asks for a run the registry (wgan.sweep.registry) does not know fail instead of training.
book/executed/%.ipynb: notebooks/%.py $(PARAMS) $(STAMP) $(PACKAGE) | runs $(DRY_DATA)
	mkdir -p $(@D)
	$(BIN)/jupytext --quiet --to ipynb --output $@.src.ipynb $<
	$(DRY_ENV) WGAN_RUNS_READ_ONLY=1 OMP_NUM_THREADS=$(THREADS) $(BIN)/papermill --cwd notebooks --log-level WARNING \
	  -p scale $(SCALE) -p device $(DEVICE) -p seed $(SEED) $@.src.ipynb $@.tmp.ipynb
	rm -f $@.src.ipynb
	mv $@.tmp.ipynb $@

book: $(STAMP) $(MATHJAX) ## Build the HTML book from the executed notebooks (no re-execution)
	@missing=0; for nb in $(EXECUTED); do \
	  test -f $$nb || { echo "missing $$nb: run 'make execute' first"; missing=1; }; done; \
	  test $$missing = 0
	$(BIN)/jupyter-book build --warningiserror --nitpick --keep-going --quiet .

# The dry run's LSUN: synthetic rooms in the format of bedroom_train_lmdb (wgan.data.lsun_sample).
$(DRY_LSUN)/data.mdb: | $(STAMP)
	rm -rf $(DRY_LSUN)
	$(BIN)/python tools/sample_lsun.py $(DRY_LSUN) $(DRY_IMAGES)

# MathJax is served from the build, not a CDN: the book must render offline.
$(MATHJAX):
	rm -rf book/_static/mathjax && mkdir -p book/_static/mathjax
	cd book/_static && npm pack --silent mathjax@$(MATHJAX_VERSION) >/dev/null
	tar -xzf book/_static/mathjax-$(MATHJAX_VERSION).tgz -C book/_static/mathjax \
	  --strip-components=2 package/es5
	rm book/_static/mathjax-$(MATHJAX_VERSION).tgz

# ---------------------------------------------------------------- checks
test: unit nbval ## Unit tests (with the browser test if the book is built), then nbval at smoke

unit: $(STAMP) ## Unit tests and the package's doctests (tests/test_book_browser.py skips when _build/html is missing)
	$(BIN)/pytest -q $(PYTEST_ARGS) --doctest-modules wgan tests

browser: $(STAMP) ## Headless Chromium over the built book; screenshots in tests/output/book/
	$(BIN)/pytest -q $(PYTEST_ARGS) tests/test_book_browser.py

nbval: $(STAMP) sync ## Run the notebooks (smoke scale, their default) through nbval
	cd notebooks && OMP_NUM_THREADS=$(THREADS) ../$(BIN)/pytest -q -p no:cacheprovider --nbval-lax \
	  $(notdir $(PAIRED))

lint: $(STAMP) ## ruff over the package, tests and notebook sources
	$(BIN)/ruff check wgan tests notebooks tools

sync: $(PAIRED) ## Regenerate the paired .ipynb files from their py:percent sources

notebooks/%.ipynb: notebooks/%.py $(STAMP)
	$(BIN)/jupytext --quiet --update --to ipynb $<

bench: $(STAMP) ## Training-step benchmark: the authors' loop against ours
	$(BIN)/python -m wgan.speed.bench --device $(DEVICE) --layers

# A lent GPU machine has its own torch and no package registry: the wheels it lacks travel with
# the tree (tools/gpu_wheels.py; about 50 MiB), and tools/gpu_check.sh installs them there.
wheels: $(STAMP) ## Download wheels of what a GPU machine lacks into .whl/ (for tools/gpu_check.sh)
	$(BIN)/python tools/gpu_wheels.py --dest .whl

gpu-check: $(STAMP) ## The prepared GPU check (tools/gpu_check.sh; skips what needs CUDA here)
	PYTHON=$(CURDIR)/$(BIN)/python bash tools/gpu_check.sh

clean: ## Remove the book, the executed notebooks and the smoke-scale and dry runs
	rm -rf _build book/executed runs/smoke runs/paper-dry runs/claims/paper-dry

distclean: clean ## Also remove the virtual environment, every run and the data cache
	rm -rf $(VENV) runs data/cache book/_static/mathjax
