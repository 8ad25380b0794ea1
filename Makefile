# The README's two commands: `make demo` (the main job) and `make test`.
# Both create .venv and install everything on first use, and are quick afterwards.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# torch and torchvision are pinned here (they lie on this machine's disk); the package itself
# asks only for ranges, so Colab and users keep the torch they have.
TORCH := torch==2.14.1 torchvision==0.29.1
# Two cores: one notebook at a time, each with both threads.
export OMP_NUM_THREADS ?= 2

.PHONY: install demo readme-picture test test-slow docs clean-venv chromium
install: $(STAMP)

$(STAMP): settings.ini setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check $(TORCH)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

# colorize the sample photos shipped with the package (colorizer/samples/) with the shipped weights -> runs/demo.png
# (runs/ is git-ignored, so a clone stays clean)
demo: install
	$(BIN)/colorizer demo --out runs/demo.png

# the README's picture, images/test.png (tracked): the same picture, redrawn by maintainers when the weights change
readme-picture: install
	$(BIN)/colorizer demo --out images/test.png

# every notebook's tests run once, inside pytest (tests/test_notebooks.py), beside the repository's own tests
test: install chromium
	$(BIN)/python -m pytest --durations=12

# the browser tests (tests/test_app.py, tests/test_docs.py) drive the system Chromium (playwright cannot download its own
# here): installed when missing and possible (root, or sudo without a password), by this target only; never fails,
# the tests skip without it (tests/conftest.py's `chromium` fixture)
chromium:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	    elif sudo -n true 2>/dev/null; then sudo -n apt-get update -q && sudo -n apt-get install -y -q chromium; \
	    else false; fi; } >/dev/null 2>&1 || echo 'chromium: not installed, so the browser tests will skip'

# the same with the cells flagged `#| slow` (real data, longer runs)
test-slow: install
	COLORIZER_TEST_FLAGS=slow $(BIN)/python -m pytest --durations=12 tests/test_notebooks.py

# The docs site, offline: nbdev's notebook processing, then mkdocs (Material + mkdocs-jupyter) into _docs/.
docs: install
	$(BIN)/python tools/build_docs.py

clean-venv:
	rm -rf $(VENV)
