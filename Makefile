# The front door: `make run` to start the service, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := engage/static/build/engage.css engage/static/build/govuk/govuk-frontend.min.js
MODEL := instance/models/current

.DEFAULT_GOAL := help
.PHONY: help install assets migrate model run test test-fast lint audit bench evaluate clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(STAMP) assets ## Create the virtual environment and install everything

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS) &: node_modules/.package-lock.json engage/assets/engage.scss
	mkdir -p engage/static/build/govuk
	npx sass --load-path=node_modules --style=compressed --no-source-map \
		engage/assets/engage.scss engage/static/build/engage.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js engage/static/build/govuk/
	cp -r node_modules/govuk-frontend/dist/govuk/assets engage/static/build/govuk/

assets: $(ASSETS) ## Build the GOV.UK Frontend stylesheet and scripts

migrate: $(STAMP) ## Bring the SQLite database up to date
	$(BIN)/engage db upgrade

$(MODEL): $(STAMP) $(wildcard classifiers/corpus/*.csv)
	$(BIN)/engage train

model: $(MODEL) ## Train the theme classifier when there is none (or the corpus changed)

run: install migrate model ## Start the service on SQLite at http://127.0.0.1:5000 (and the scheduler)
	$(BIN)/engage users ensure-admin
	$(BIN)/engage panels sync
	@$(BIN)/engage scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/engage serve --host 127.0.0.1 --port 5000

test: install ## Run the whole suite (PostgreSQL half when ENGAGE_TEST_DATABASE_URL is set)
	$(BIN)/pytest

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy engage classifiers forms jobs

audit: $(STAMP) ## Supply chain: bandit on our code, known vulnerabilities in dependencies (needs PyPI)
	$(BIN)/bandit -q -c pyproject.toml -r engage classifiers forms jobs
	$(BIN)/python .ci/audit_dependencies.py

evaluate: install ## Classifier scores: held-out corpus split and shared's real set
	$(BIN)/python -m classifiers.report

bench: install model ## Benchmarks: intake load, classifier speed (see README)
	$(BIN)/python -m benchmarks.run

clean: ## Remove the environment, built assets and local data
	rm -rf $(VENV) node_modules engage/static/build instance .pytest_cache .mypy_cache .ruff_cache
