# Two commands set up a fresh machine:
#   make demo   install everything (tesseract included) and run the daily job on a demo home
#   make test   install everything and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test install tesseract lint bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "km needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,model,ai]'
	touch $@

install: $(VENV)/.installed tesseract

tesseract:
	@sh scripts/install-tesseract.sh

demo: install
	rm -rf demo-home
	$(BIN)/km demo --folder demo-home

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check km_core km_plugins km_tui tests benchmarks
	$(BIN)/ruff format --check km_core km_plugins km_tui tests benchmarks

bench: install
	$(BIN)/python benchmarks/bench_discovery.py
	$(BIN)/python benchmarks/bench_pdf.py
	$(BIN)/python benchmarks/bench_ocr.py
	$(BIN)/python benchmarks/bench_tagging.py
	$(BIN)/python benchmarks/bench_organize.py
	$(BIN)/python benchmarks/bench_weekly.py

clean:
	rm -rf $(VENV) demo-home .pytest_cache benchmarks/_work
