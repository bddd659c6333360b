# pedigree — `make run` builds everything it needs and runs the pipeline on the
# bundled sample; `make test` builds the same and runs the checks. Second runs
# reuse the venv, jar cache and sample and start in seconds.

PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
SNAPSHOT    ?= 2026-11-01
SAMPLE_N    ?= 20000
SAMPLE_SEED ?= 7
SAMPLE      := data/sample
OUTPUT      ?= output
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

AIRFLOW_VENV := .cache/airflow-venv

.PHONY: help setup run hub test test-all lint format jars sample package airflow browser clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Maven Central first, else built from the GraphFrames source release (scripts/fetch_jars.py).
# Outside CI a machine with neither keeps going (GraphFrames stages then exit 2 saying so);
# under CI=true a missing jar fails the run.
JARS_FLAGS := $(if $(filter true,$(CI)),,--allow-missing)

.cache/jars/graphframes.json: $(VENV)/.installed
	$(PY) -m scripts.fetch_jars $(JARS_FLAGS)

$(SAMPLE)/manifest.json: $(VENV)/.installed scripts/generate_sample.py $(wildcard scripts/sample/*.py)
	$(PY) scripts/generate_sample.py --models $(SAMPLE_N) --seed $(SAMPLE_SEED) --output $(SAMPLE)

$(AIRFLOW_VENV)/.installed: scripts/install_airflow.sh
	PYTHON=$(PYTHON) scripts/install_airflow.sh $(AIRFLOW_VENV)

setup: $(VENV)/.installed .cache/jars/graphframes.json $(SAMPLE)/manifest.json ## venv, deps, GraphFrames jar cache, default sample

run: setup ## run the pipeline on the default sample (20,000 generated models)
	$(PY) -m jobs.pipeline --input $(SAMPLE)/card-dataset --format card-dataset \
		--output $(OUTPUT) --snapshot $(SNAPSHOT)
	@echo "pedigree: tables for snapshot $(SNAPSHOT) are in $(abspath $(OUTPUT))/; the report is $(abspath $(OUTPUT))/report/snapshot=$(SNAPSHOT)/index.html"

# `make hub HUB_ENDPOINT=... HUB_LIMIT=...`: a slice of a Hub, fetched (resumably) and run.
HUB_ENDPOINT ?= https://huggingface.co
HUB_LIMIT    ?= 1000
HUB_DIR      ?= data/hub

hub: $(VENV)/.installed .cache/jars/graphframes.json ## fetch HUB_LIMIT models with READMEs from HUB_ENDPOINT, run the pipeline on them
	$(PY) scripts/fetch_hub.py --output $(HUB_DIR) --endpoint $(HUB_ENDPOINT) \
		--limit $(HUB_LIMIT) --cards --files
	$(PY) -m jobs.pipeline --input $(HUB_DIR) --format hub-listing \
		--output $(OUTPUT) --snapshot $(SNAPSHOT)
	@echo "pedigree: tables for snapshot $(SNAPSHOT) of $(HUB_ENDPOINT) are in $(abspath $(OUTPUT))/; the report is $(abspath $(OUTPUT))/report/snapshot=$(SNAPSHOT)/index.html"

test: setup airflow browser lint ## lint, type-check and the fast tests (not marked slow)
	$(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

test-all: setup airflow browser lint ## lint, type-check and every test, heavy ones included (what CI runs)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed ## ruff and mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(VENV)/.installed ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

jars: $(VENV)/.installed ## fetch (or build from source) the GraphFrames JVM package again
	$(PY) -m scripts.fetch_jars --force

sample: $(SAMPLE)/manifest.json ## generate the default sample

package: $(VENV)/.installed ## wheel + executors' environment archive in dist/ (for spark-submit --archives)
	scripts/package.sh dist

airflow: $(AIRFLOW_VENV)/.installed ## Airflow in its own venv, to check scripts/airflow_dag.py

browser: ## Debian's headless Chromium (apt, when missing), to check the HTML report
	scripts/install_chromium.sh

clean: ## remove outputs (keeps venv, jars, sample)
	rm -rf $(OUTPUT) spark-warehouse
