# orderflow: build, run, test and benchmark. `make help` lists the targets.
#
# Every target that needs PostgreSQL gets it from scripts/postgres.sh, which
# uses DATABASE_URL when it answers and otherwise installs and starts a
# private cluster (see the script).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO       ?= go
BIN      := bin/orderflow
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo devel)
LDFLAGS  := -X main.version=$(VERSION)
POSTGRES := scripts/postgres.sh

# Tests must finish within this on 2 cores; CI allows `make test` 15 minutes.
TEST_TIMEOUT ?= 14m
# What `make bench` runs: BENCH selects benchmarks, BENCHFLAGS adds flags
# (e.g. BENCHFLAGS='-benchtime 3s').
BENCH      ?= .
BENCHFLAGS ?=
# Runs of each benchmark, for benchstat's medians; results land in BENCHDIR.
BENCHCOUNT ?= 6
BENCHDIR   ?= .data/bench
# How long `make fuzz` runs each fuzz target.
FUZZTIME ?= 30s

# benchstat has no releases: this is a pinned commit of golang.org/x/perf.
BENCHSTAT_VERSION := v0.0.0-20260908200009-22c9c6c9d4da

SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

# with-postgres runs the rest of its recipe line with DATABASE_URL exported.
with-postgres = url=$$($(POSTGRES)); export DATABASE_URL="$$url";

.PHONY: help build run test browser bench fuzz tools clean contracts-check contracts-release

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

build: ## build bin/orderflow
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/orderflow

run: build ## start PostgreSQL, migrate, run the sandbox payment provider and serve on http://127.0.0.1:8080
	@$(with-postgres) \
	./$(BIN) migrate; \
	./$(BIN) payments-sandbox & sandbox=$$!; \
	trap 'kill $$sandbox 2>/dev/null; wait $$sandbox 2>/dev/null' EXIT; \
	./$(BIN) serve --demo --insecure-dev

test: browser ## go vet, gofmt check, and every test with -race against PostgreSQL
	@$(with-postgres) \
	echo '==> go vet ./...' >&2; \
	$(GO) vet ./...; \
	echo '==> gofmt -l' >&2; \
	unformatted=$$(gofmt -l $$(find . \( -name .git -o -name .data \) -prune -o -name '*.go' -print)); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:" >&2; echo "$$unformatted" >&2; exit 1; fi; \
	echo '==> go test -race ./...' >&2; \
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

browser: ## install Chromium (Debian's chromium) for the operator console's browser tests
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

bench: tools ## run the benchmarks against PostgreSQL; benchstat compares each with its baseline
	@$(with-postgres) \
	mkdir -p $(BENCHDIR); \
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCHCOUNT) -timeout 90m $(BENCHFLAGS) ./... | tee $(BENCHDIR)/latest.txt; \
	echo '==> benchstat: our code (impl=store) against its raw baseline (impl=raw); paired benchmarks report the ratio itself (store:raw)' >&2; \
	"$$($(GO) env GOPATH)/bin/benchstat" -col /impl $(BENCHDIR)/latest.txt

fuzz: ## run each fuzz target for FUZZTIME
	@$(with-postgres) \
	targets=$$($(GO) test -list '^Fuzz' ./... | awk '/^Fuzz/ { names = names " " $$1 } /^ok / { if (names != "") print $$2 names; names = "" }'); \
	if [ -z "$$targets" ]; then echo "no fuzz targets" >&2; exit 0; fi; \
	while read -r pkg names; do \
		for name in $$names; do \
			echo "==> $$pkg $$name" >&2; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg"; \
		done; \
	done <<< "$$targets"

tools: ## install wrk, hyperfine and benchstat
	@if ! command -v wrk >/dev/null || ! command -v hyperfine >/dev/null; then \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk hyperfine; \
	fi
	$(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)

contracts-check: ## list the breaking changes of the REST and GraphQL contracts against the released baselines
	$(GO) run ./cmd/contracts check

# ACCEPT_BREAKING=1 releases a breaking change: only with a new API version (README, Compatibility).
contracts-release: ## make the current REST and GraphQL contracts the released baselines (a deliberate decision: README, Compatibility)
	$(GO) run ./cmd/contracts release $(if $(ACCEPT_BREAKING),-accept-breaking)

clean: ## remove build outputs (not the database: scripts/postgres.sh stop; rm -rf .data)
	rm -rf bin
