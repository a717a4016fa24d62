BIN      := bin/orchard
GO       ?= go
BENCHTIME ?= 1x
FUZZTIME ?= 60s

.PHONY: all build run test test-short bench fuzz lint clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/orchard

# Runs Orchard on embedded defaults: embedded NATS, workers, scheduler, index and web UI.
run: build
	@echo "Orchard: http://$${ORCHARD_HTTP_ADDR:-127.0.0.1:8080}/"
	./$(BIN) serve

# The whole suite, installing Meilisearch, Chromium and the OAI-PMH test server when missing.
test:
	scripts/test.sh

# The fast tier while working: skips the browser, Meilisearch, cluster and Catmandu tests.
test-short:
	$(GO) test -short -count=1 ./...

bench:
	scripts/bench.sh

# Every fuzz target of the module, one after another, FUZZTIME each (make fuzz FUZZTIME=10s).
fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -rf bin
