# permgraph: build, test, benchmark and demo. Every target works from a clean
# clone; `make test` is what CI runs (.ci/run).

GO        ?= go
PKGS      ?= ./...
BIN       := bin/permgraph
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
BENCHSTAT := golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da

# The npm test oracle (@cloud-copilot/iam-simulate). Tests only; never shipped.
ORACLE       := internal/oracle/iamsim
ORACLE_STAMP := $(ORACLE)/node_modules/.package-lock.json

# Fuzz time per target: short in `make test` under CI, long in `make fuzz`.
# Counts (Nx), not durations: go1.26's fuzz coordinator can report a spurious
# "context deadline exceeded" when a duration ends while a worker is busy
# (golang/go#75804, fixed in go1.27); a count has no deadline to race.
SMOKE_FUZZTIME ?= 50000x
FUZZTIME       ?= 500000x

.PHONY: build test oracle fuzz-smoke fuzz bench demo generate clean

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/permgraph

# test: install what the tests need, vet, test; under CI (CI set and not
# "false") also run every fuzz target briefly.
test: oracle
	$(GO) vet $(PKGS)
	$(GO) test $(PKGS)
	@if [ -n "$${CI:-}" ] && [ "$${CI}" != "false" ]; then \
		scripts/fuzz-smoke.sh $(SMOKE_FUZZTIME) $(PKGS); \
	else \
		echo "make test: fuzz smoke skipped (not CI); run 'make fuzz-smoke' or 'make fuzz'"; \
	fi

oracle: $(ORACLE_STAMP)

$(ORACLE_STAMP): $(ORACLE)/package.json $(wildcard $(ORACLE)/package-lock.json)
	@command -v npm >/dev/null || { echo "make: the tests need node and npm (for $(ORACLE))" >&2; exit 1; }
	cd $(ORACLE) && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	@touch $@

fuzz-smoke:
	scripts/fuzz-smoke.sh $(SMOKE_FUZZTIME) $(PKGS)

fuzz:
	scripts/fuzz-smoke.sh $(FUZZTIME) $(PKGS)

bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 10 $(PKGS) > bench.txt
	$(GO) run $(BENCHSTAT) bench.txt

# demo: the embedded scenario, then a synthetic org ingested and analysed.
demo: build
	scripts/demo.sh $(BIN)

generate:
	$(GO) generate ./...

clean:
	rm -rf bin bench.txt $(ORACLE)/node_modules
