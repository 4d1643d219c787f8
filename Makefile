# Every target does its own set-up on a fresh machine: it creates .venv and installs what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= runs/bundled
CORPUS ?= data/corpus
PORT   ?= 8050

.PHONY: run test bench install install-dev build serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files re-run the install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,ray]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: install, build the bundled corpus once, serve the dashboard on http://127.0.0.1:$(PORT)
run: install
	@if [ ! -e "$(OUT)/current/manifest.json" ]; then \
		$(BIN)/discourse build --corpus $(CORPUS) --out $(OUT); \
	fi
	$(BIN)/discourse serve --out $(OUT) --host 127.0.0.1 --port $(PORT)

## make build: (re)build the bundled corpus
build: install
	$(BIN)/discourse build --corpus $(CORPUS) --out $(OUT)

## make test: install with the dev extra and run the whole suite
test: install-dev
	$(BIN)/python -m pytest -p no:cacheprovider --headless $(PYTEST_ARGS)

## make bench: benchmarks, results in docs/PERFORMANCE.md
bench: install-dev
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) runs .cache
