# landguard: two commands on a fresh Debian 12 machine
#   make run     install missing packages, start the private PostgreSQL/PostGIS (or use $DATABASE_URL),
#                build, migrate, load the demo data once, serve on http://127.0.0.1:8080
#   make test    the same set-up (server with fsync off), then cargo fmt --check, cargo clippy (-D warnings),
#                cargo test and scripts/test-*.sh; a style finding fails the run like a failing test
# Other targets: stop, web, fixtures, clean-db (destructive: deletes the private cluster and its data).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# rustup installs cargo in ~/.cargo/bin, which a non-login shell (CI, sudo) may not have on PATH.
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
ifneq ($(wildcard $(CARGO_BIN)/cargo),)
export PATH := $(CARGO_BIN):$(PATH)
endif
CARGO ?= cargo

BIN  := target/release/landguard
BIND ?= 127.0.0.1:8080
# Front-end build: the map viewer in web/ into web/dist (npm registry only; served at /map/).
WEB_BUILD ?= npm --prefix web ci --no-audit --no-fund --loglevel=error && npm --prefix web run build
# Extra test steps: every scripts/test-*.sh, run with DATABASE_URL exported, after cargo test.
TEST_EXTRA ?= $(sort $(wildcard scripts/test-*.sh))

# DATABASE_URL from the environment, else the private cluster (scripts/pg.sh prints it as its last line).
DB_URL = DATABASE_URL="$$($(PG_ENV) bash scripts/pg.sh start | tail -n 1)"; export DATABASE_URL

.PHONY: help run stop test web fixtures clean-db bootstrap

help:
	@echo "make run       bootstrap, start PostgreSQL, build, migrate, load demo data once, serve on $(BIND)"
	@echo "make test      bootstrap, start PostgreSQL (fsync off), cargo fmt --check, clippy, cargo test, scripts/test-*.sh"
	@echo "make stop      stop the private PostgreSQL cluster"
	@echo "make fixtures  regenerate fixtures/ (python3 scripts/gen_fixtures.py)"
	@echo "make clean-db  DESTRUCTIVE: stop the private cluster and delete .pgdata (all local data)"

bootstrap:
	@bash scripts/bootstrap.sh

# Rebuilt only when something it is made from is newer than web/dist/index.html.
WEB_INPUTS = web/src web/public web/build.mjs web/package.json web/package-lock.json fixtures/counties.geojson $(wildcard web/config.local.js)
web: bootstrap
ifneq ($(strip $(WEB_BUILD)),)
	@if [ ! -f web/package.json ]; then exit 0; fi
	if [ -f web/dist/index.html ] && [ -z "$$(find $(WEB_INPUTS) -newer web/dist/index.html -print -quit)" ]; then
	  echo "web/dist is up to date" >&2
	else
	  $(WEB_BUILD)
	fi
endif

run: PG_ENV :=
run: bootstrap web
	@$(DB_URL)
	$(CARGO) build --release
	$(BIN) migrate
	# always: it loads only what is missing (county outlines, registers and records added since a registry was loaded)
	echo ">> $(BIN) demo-load fixtures/" >&2
	$(BIN) demo-load fixtures/
	echo ">> serving on http://$(BIND) (DATABASE_URL=$$DATABASE_URL)" >&2
	exec $(BIN) serve --bind $(BIND)

test: PG_ENV := PG_FAST=1
test: bootstrap
	@$(DB_URL)
	export RUST_BACKTRACE=1
	rc=0
	# Style is checked, and fails the run, before the tests.
	$(CARGO) fmt --check || { echo "FAILED: cargo fmt --check (run cargo fmt)" >&2; rc=1; }
	$(CARGO) clippy --all-targets -- -D warnings || { echo "FAILED: cargo clippy --all-targets -- -D warnings" >&2; rc=1; }
	$(CARGO) test --all-targets --no-fail-fast || rc=1
	for t in $(TEST_EXTRA); do
	  echo ">> $$t" >&2
	  bash "$$t" || { echo "FAILED: $$t" >&2; rc=1; }
	done
	exit $$rc

stop:
	@bash scripts/pg.sh stop

fixtures:
	python3 scripts/gen_fixtures.py

clean-db:
	@bash scripts/pg.sh stop
	rm -rf .pgdata

# run and test keep DATABASE_URL across their lines: each recipe runs in one shell.
.ONESHELL:
