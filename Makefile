# Two commands on a fresh machine (Python 3.11, no GPU needed):
#   make demo   install, then transcribe held-out digits with the shipped model
#   make test   install, then run every test (library + notebooks)
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
# Where the corpora live: a local copy laid out like the upstream archives.
# Next to this checkout in CI; set ASRLIB_DATA to yours, or use --download.
export ASRLIB_DATA ?= $(abspath ../shared/data)
export TF_CPP_MIN_LOG_LEVEL ?= 3

.PHONY: install demo test lint clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $@

demo: install
	$(BIN)/python -m asrlib make-manifest --corpus digits --n 20 --out runs/demo/digits.jsonl
	$(BIN)/python -m asrlib transcribe --model data/digits_model.keras runs/demo/wavs/*.wav
	$(BIN)/python -m asrlib evaluate --model data/digits_model.keras --manifest runs/demo/digits.jsonl

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/pip install -q ruff
	$(BIN)/ruff check asrlib tests benchmarks

clean:
	rm -rf $(VENV) runs
