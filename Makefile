# Two commands for everything (see README.md):
#   make lab    set up .venv if needed, then open JupyterLab on notebooks/ (127.0.0.1 only)
#   make test   set up .venv if needed, then run the unit tests and every notebook under nbval
# and:  make bench  (speed targets, as ratios against references timed in the same run)
#       make lint   (ruff)      make clean-notebooks  (strip outputs before committing)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Extra pip arguments, e.g. PIP_INSTALL_ARGS="--extra-index-url https://download.pytorch.org/whl/cpu"
PIP_INSTALL_ARGS ?=
# pytest workers; notebooks of one file stay on one worker (--dist loadscope)
JOBS   ?= 2
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# NumPy's OpenBLAS on one thread. Our matrices are small, and when the cores are shared (two test
# workers, a browser, a Binder pod) multi-threaded OpenBLAS busy-waits: a 256x784 @ 784x30
# product measured 45 ms with threads vs 4 ms without on a loaded 2-core machine.
# Override with e.g. `make lab OPENBLAS_NUM_THREADS=4`.
export OPENBLAS_NUM_THREADS ?= 1
# PyTorch's OpenMP threads spin while waiting for each other unless told to sleep: on shared
# cores 15k MNIST training images took 5-42 s spinning vs ~1.3 s passive.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: setup lab test test-unit test-notebooks bench lint browser-deps clean-notebooks clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_INSTALL_ARGS) \
		-r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

lab: setup
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

# Chromium for the real-browser test: installed from Debian when we are root with apt-get;
# otherwise that one test explains what is missing (and fails under CI=true).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian chromium for the browser test"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
			>/dev/null) || echo "could not install chromium; the browser test will say so"; \
	fi

test: setup browser-deps
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope --nbval-lax --nbval-current-env tests notebooks

test-unit: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope tests

test-notebooks: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope --nbval-lax --nbval-current-env notebooks

bench: setup
	$(BIN)/python -m benchmarks

lint: setup
	$(BIN)/ruff check nnlib tests benchmarks

clean-notebooks: setup
	$(BIN)/python -m tools.strip_notebooks notebooks/*.ipynb

clean:
	rm -rf $(VENV)
