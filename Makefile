# Concierge: the two commands are `make run` and `make test`.
# Everything else here is what those two depend on.

SHELL := /bin/bash
VENV := .venv
VENV_RASA := .venv-rasa
PY := $(VENV)/bin/python
RASA := $(VENV_RASA)/bin/rasa

.PHONY: run test setup prepare train replay bench lint clean help

help:
	@echo "make run     set up, train if needed, start the assistant (Ctrl-C stops it)"
	@echo "make test    set up and run every test layer"
	@echo "make replay  replay the three real conversations against the running stack"
	@echo "make bench   run the latency benchmark (starts its own stacks)"
	@echo "make lint    check formatting and lint with ruff"
	@echo "make clean   remove the virtual environments, models and var/"

setup: $(VENV)/.ready $(VENV_RASA)/.ready node_modules/.ready

$(VENV)/.ready: requirements/app.txt
	@py=$$(bot/find-python 3.11) || exit 1; \
	  test -x $(PY) || $$py -m venv $(VENV); \
	  $(PY) -m pip install --quiet --upgrade pip; \
	  $(PY) -m pip install --quiet -r requirements/app.txt
	@touch $@

$(VENV_RASA)/.ready: requirements/rasa.txt
	@py=$$(bot/find-python 3.10) || exit 1; \
	  test -x $(VENV_RASA)/bin/python || $$py -m venv $(VENV_RASA); \
	  $(VENV_RASA)/bin/python -m pip install --quiet --upgrade pip; \
	  $(VENV_RASA)/bin/python -m pip install --quiet -r requirements/rasa.txt
	@touch $@

node_modules/.ready: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

prepare: setup
	$(PY) -m bot prepare

train: setup
	$(PY) -m bot train

run: setup
	$(PY) -m bot run

test: setup
	$(PY) -m bot test

replay: $(VENV)/.ready
	$(PY) -m bot replay

bench: setup
	$(PY) bench/latency.py

lint: $(VENV)/.ready
	$(VENV)/bin/ruff format --check actions bot profiles tests bench
	$(VENV)/bin/ruff check actions bot profiles tests bench

clean:
	rm -rf $(VENV) $(VENV_RASA) node_modules models var .rasa
