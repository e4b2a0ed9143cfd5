# Thin front over `python -m analysis`; `make` alone lists the targets.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install reports demo-data clean-data lint format test mutation lab lock clean

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

# --compile-bytecode: the .pyc files are written once, here. Where PYTHONDONTWRITEBYTECODE is set (it is on the
# machines this project is built on) Python never writes them, and every kernel, worker and command would compile
# pandas, scipy and matplotlib again: about 2.5 s of CPU each.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP) ## Create .venv (if missing) and install the pinned dependencies

reports: $(STAMP) ## Clean the raw data and build every report (the main job)
	$(PY) -m analysis run

demo-data: $(STAMP) ## Regenerate the synthetic demo raw data (seed 2004)
	$(PY) -m analysis demo-data --seed 2004

clean-data: $(STAMP) ## Clean data/raw into data/processed only
	$(PY) -m analysis clean

lint: $(STAMP) ## Check lint, import order and formatting (ruff), as make test does
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP) ## Fix import order and reformat the code and notebooks (ruff)
	$(VENV)/bin/ruff check --fix --select I .
	$(VENV)/bin/ruff format .

# ruff first (seconds), then one pytest session: the unit tests, nbval (--nbval-lax: only cells marked NBVAL_CHECK_OUTPUT are
# compared) on every notebook in notebooks/, one real batch run on the demo data, the browser test.
# `make test PYTEST_ARGS="--durations=30"` adds pytest options.
# Tests run in a shuffled order (pytest-randomly); each notebook's nbval cells keep their order (tests/conftest.py).
# The seed is fixed to one whose whole-suite order has been run green; `make test SEED=random` (or any number)
# shuffles anew, to hunt order dependence.
# Two pytest-xdist workers (WORKERS=0: one process); --dist loadfile keeps each file (and each notebook's cells, in
# order) on one worker, handed out in tests/conftest.py's order (--no-loadscope-reorder: the demo batch's files, then
# the long ones, then the short); the demo batch is built once for both (tests/conftest.py build_demo_batch, a file lock).
# (--dist loadgroup did not group here, xdist 3.8 with pytest 9.2: even a static xdist_group mark was split.)
# nbval judges the demo batch's execution of each notebook (tests/nbval_batch.py; NBVAL_EXECUTE=1 executes them).
SEED ?= 1326845448
WORKERS ?= 2
PYTEST_ARGS ?=
test: $(STAMP) lint ## Run the whole test suite (ruff, pytest, nbval, batch run, browser test)
	$(PY) -m pytest tests $(wildcard notebooks/*.ipynb) --nbval-lax --nbval-current-env -p randomly --randomly-seed=$(SEED) \
		-n $(WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# Mutation testing (issue 14 item 17): stats/, the key figures and the cache key, against their fast tests
# (pyproject.toml [tool.mutmut]). CPU-heavy: niced, one child; `make mutation JOBS=2` on a quiet machine.
# Survivors: .venv/bin/mutmut results; one mutant's diff: .venv/bin/mutmut show NAME.
JOBS ?= 1
mutation: $(STAMP) ## Mutation run (mutmut) on the statistics, key figures and cache key; prints the survivors
	nice -n 19 $(VENV)/bin/mutmut run --max-children $(JOBS)
	$(VENV)/bin/mutmut results

# Jupyter refuses to run as root unless told to (containers and CI machines often are root).
lab: $(STAMP) ## Open JupyterLab on the project's environment
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks$(if $(filter 0,$(shell id -u)), --allow-root)

lock: ## Re-resolve requirements.lock from pyproject.toml
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements.lock

clean: ## Delete generated data and reports (never the raw data)
	rm -rf data/processed data/processed.generations  # the link and its generations (data/processed.py)
	find reports -mindepth 1 ! -name README.md -exec rm -rf {} +
