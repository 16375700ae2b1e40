# Two commands for everything (see README.md):
#   make lab    set up .venv if needed, then open JupyterLab on notebooks/ (127.0.0.1 only)
#   make test   set up .venv if needed, then run the unit tests and every notebook under nbval
#               (installs Python packages into .venv only, never system packages)
# and:  make bench  (speed targets, as ratios against references timed in the same run)
#       make lint   (ruff on the library, tests, benchmarks, tools, solutions and notebooks)
#       make clean-notebooks  (strip outputs before committing)
#       make notebook-index   (README's notebook table from notebooks/index.json)
#       make present          (instructor copy with speaker notes, opened for a lecture: slides)
#       make present-notebooks  (slide metadata of the student notebooks, tools/present.py)
#       make handout          (dist/handout/: what students get, without solutions/ and notes)
#       make reset NB=06        (start notebook 06 over; your version goes to backups/)
#
# Versions: requirements.txt pins every package, torch included (the one place to change a
# version; environment.yml and binder/environment.yml repeat it and a test checks they agree).

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
# The project's Jupyter configuration (jupyter-config/README.md: no news pop-up, no update
# check), first on the path; Binder (binder/start) and the browser tests use the same folder.
export JUPYTER_CONFIG_PATH := $(CURDIR)/jupyter-config$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH),)

.PHONY: setup lab present present-notebooks test test-unit test-notebooks bench lint \
	clean-notebooks notebook-index clean reset handout

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(PIP_INSTALL_ARGS) \
		-r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

lab: setup
	@$(BIN)/python -m tools.reset_notebook --snapshot
	$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=notebooks $(ROOT_FLAG)

# A lecture: the instructor copy (notebooks + speaker notes from solutions/notes/, rebuilt every
# time into $(INSTRUCTOR)/, gitignored) opened in JupyterLab with figures and widget controls
# enlarged for a projector and the long training cells loading their shipped results
# (data/results/); then the slides button or `deck:start` (README: Presenting live). Its own
# JupyterLab settings folder, so a slideshow left running does not reopen in `make lab`.
INSTRUCTOR ?= .instructor
present: setup
	@$(BIN)/python -m tools.reset_notebook --snapshot
	$(BIN)/python -m tools.present --instructor $(INSTRUCTOR)
	NNLIB_PRESENTER=1 NNLIB_USE_SHIPPED=1 JUPYTERLAB_SETTINGS_DIR=$(INSTRUCTOR)/settings \
		$(BIN)/jupyter lab --ip=127.0.0.1 --ServerApp.root_dir=$(INSTRUCTOR) $(ROOT_FLAG)

# slide metadata and collapsed setup cells in the student notebooks (no speaker notes there)
present-notebooks: setup
	$(BIN)/python -m tools.present notebooks/[0-9][0-9]_*.ipynb

# The real-browser test needs Debian's Chromium (/usr/bin/chromium): without it that test skips
# and says how to install it (under CI=true it fails; .ci/run installs Chromium first).
test: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope --nbval-lax --nbval-current-env tests notebooks

test-unit: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope tests

test-notebooks: setup
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope --nbval-lax --nbval-current-env notebooks

bench: setup
	$(BIN)/python -m benchmarks

lint: setup
	$(BIN)/ruff check nnlib tests benchmarks tools notebooks $(wildcard solutions) conftest.py

clean-notebooks: setup
	$(BIN)/python -m tools.strip_notebooks notebooks/*.ipynb

# Start a notebook over (tools/reset_notebook.py): the committed version from git, or without git
# the copy `make lab` kept in .originals/; the student's version is moved to backups/ first.
reset:
	@$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m tools.reset_notebook $(NB)

notebook-index: setup
	$(BIN)/python -m tools.notebooks --write

# The students' copy: dist/handout/nnlib-course/ and .zip, without solutions/ and instructor notes
# (tools/handout.py). It never replaces a folder it did not make, unless FORCE=1.
handout: setup
	$(BIN)/python -m tools.handout $(if $(filter 1,$(FORCE)),--force,)

clean:
	rm -rf $(VENV)
