# Two commands on a fresh machine: `make study` (the whole study at GENOPRED_SCALE, default study, and the book)
# and `make test` (sync and clean checks, every notebook at ci scale, pytest).
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
GENOPRED_SCALE ?= study
NOTEBOOKS := $(sort $(wildcard nbs/[0-9]*.ipynb)) nbs/index.ipynb

.PHONY: study test venv sync notebooks book screenshots bench

$(BIN)/.installed: setup.py settings.ini
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

venv: $(BIN)/.installed

sync: venv
	bash .ci/check_sync

test: sync
	GENOPRED_SCALE=ci GENOPRED_CACHE=$$(mktemp -d) $(BIN)/nbdev_test --timing
	GENOPRED_SCALE=ci $(BIN)/python -m pytest -q tests

notebooks: venv
	$(BIN)/nbdev_export
	@for nb in $(NOTEBOOKS); do \
	  start=$$SECONDS; \
	  GENOPRED_SCALE=$(GENOPRED_SCALE) $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=-1 --log-level=WARN $$nb || exit 1; \
	  echo "$$nb: $$((SECONDS - start)) s at scale $(GENOPRED_SCALE)"; \
	done
	$(BIN)/python tools/strip_progress.py $(NOTEBOOKS)
	$(BIN)/nbdev_clean

book: venv
	$(BIN)/python tools/readme.py
	$(BIN)/python tools/render_book.py

screenshots: book
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	mkdir -p .cache/shots
	for p in _docs/*.html; do tools/screenshot.sh "$$p" ".cache/shots/$$(basename "$$p" .html).png"; done

study: notebooks book

bench: venv
	GENOPRED_SCALE=$(GENOPRED_SCALE) $(BIN)/python benchmarks/simulate.py
	GENOPRED_SCALE=$(GENOPRED_SCALE) $(BIN)/python benchmarks/baselines.py
	GENOPRED_SCALE=$(GENOPRED_SCALE) $(BIN)/python benchmarks/train.py
	GENOPRED_SCALE=$(GENOPRED_SCALE) $(BIN)/python benchmarks/boosting.py
	GENOPRED_SCALE=$(GENOPRED_SCALE) $(BIN)/python benchmarks/gblup.py
	GENOPRED_SCALE=$(GENOPRED_SCALE) $(BIN)/python benchmarks/bayesr.py
	GENOPRED_SCALE=$(GENOPRED_SCALE) $(BIN)/python benchmarks/io.py
