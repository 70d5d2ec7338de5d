# social-medAI — the README's commands. `make run` and `make test` are all a new machine needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The CPU build of torch lies here on our machines; pip prefers 2.13.0+cpu over PyPI's CUDA 2.13.0.
TORCH_WHEELS ?= /opt/wheels
PIP_FIND := $(if $(wildcard $(TORCH_WHEELS)),--find-links $(TORCH_WHEELS))
WEB_PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(WEB_PORT)
export WEB_PORT SITE_URL

.PHONY: run test lint format bench install vendor lock clean

# uv installs the same pins as pip would, in parallel: a fresh install takes about half the time.
UV_VERSION ?= 0.13.10
UV_OVERRIDE := $(if $(wildcard $(TORCH_WHEELS)),--override requirements/torch-cpu.txt)
export UV_LINK_MODE ?= copy

$(BIN)/python:
	@echo "make: creating .venv with $$($(PYTHON) -V)"
	@$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements/base.txt requirements/dev.txt
	@[ -x $(BIN)/uv ] || $(BIN)/python -m pip install -qq --disable-pip-version-check uv==$(UV_VERSION)
	@echo "make: installing the pinned packages (requirements/dev.txt) with uv; about a minute the first time"
	@$(BIN)/uv pip install --quiet --python $(BIN)/python $(PIP_FIND) $(UV_OVERRIDE) -r requirements/dev.txt
	@echo "make: $$($(BIN)/uv pip list --python $(BIN)/python 2>/dev/null | tail -n +3 | wc -l) packages installed"
	@touch $(STAMP)

# The media library probes uploaded video with ffprobe and takes poster frames with ffmpeg
# (Debian's package), installed here when missing.
install: $(STAMP)
	@command -v ffprobe >/dev/null 2>&1 || { echo "make: installing ffmpeg (video probing for the media library)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; } || \
		echo "make: WARNING: ffmpeg could not be installed (run as root or install Debian's ffmpeg): images work, video uploads are refused until it is there"; }

# The web, worker and beat start as soon as the accounts and the demo brand exist; the rest of the
# demo data (trends with their embeddings, four weeks of history) loads beside them, in the
# `seed` process of Procfile.dev, and says how far it is.
run: install
	@eval "$$($(BIN)/python -m project.devenv)" && \
	echo "make: migrating the database" && \
	$(BIN)/python manage.py migrate --noinput -v0 && \
	$(BIN)/python manage.py setup_periodic_tasks && \
	$(BIN)/python manage.py seed_demo --no-trends && \
	echo && echo "social-medAI is starting: open http://127.0.0.1:$(WEB_PORT)/ (web, worker, beat and the demo seed below; Ctrl-C stops all)" && echo && \
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f Procfile.dev start

# Like `make run`, the suite uses PostgreSQL and Redis when they answer on localhost (or are set).
test: install
	@eval "$$($(BIN)/python -m project.devenv)" && $(BIN)/python -m pytest

# ruff, the migrations, and the app layers (pyproject.toml [tool.importlinter]; every import
# statement counts, also inside functions).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark module in bench/ (each prints its figures and writes bench/results/<name>.json).
# bench.memes loads the web server with wrk (Debian's package), installed here when missing.
bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "bench: installing wrk (HTTP load tool)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	@for m in $$(ls bench/*.py | xargs -n1 basename | sed 's/\.py$$//' | grep -v -e '^_' -e '^urls$$'); do \
		echo "== bench.$$m"; $(BIN)/python -m bench.$$m || exit 1; done

# Refresh the vendored front-end files from the npm registry (see static/vendor/VERSIONS.md).
vendor:
	@tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent htmx.org@2.0.11 htmx-ext-ws@2.0.4 uplot@1.6.32 >/dev/null && \
	for f in *.tgz; do mkdir -p $${f%.tgz} && tar xzf $$f -C $${f%.tgz}; done && \
	cp htmx.org-2.0.11/package/dist/htmx.min.js htmx.org-2.0.11/package/LICENSE $(CURDIR)/static/vendor/htmx/ && \
	cp htmx-ext-ws-2.0.4/package/dist/ws.min.js $(CURDIR)/static/vendor/htmx/ && \
	cp uplot-1.6.32/package/dist/uPlot.iife.min.js uplot-1.6.32/package/dist/uPlot.min.css \
		uplot-1.6.32/package/LICENSE $(CURDIR)/static/vendor/uplot/ && echo "vendored into static/vendor/"

# Re-pin requirements/*.txt from requirements/*.in.
lock: install
	cd requirements && for f in base dev; do \
		../$(BIN)/uv pip compile --quiet --python-version 3.11 --find-links $(TORCH_WHEELS) --override torch-cpu.txt $$f.in -o $$f.txt && \
		sed -i 's/^torch==\([0-9.]*\)+cpu$$/torch==\1/' $$f.txt || exit 1; done

clean:
	rm -rf $(VENV) db.sqlite3 .test-db.sqlite3 staticfiles .pytest_cache
