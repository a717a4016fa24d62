#!/usr/bin/env bash
# The whole test suite: installs what the tests drive (Meilisearch, Chromium, axe-core, an OAI-PMH server),
# runs vet, staticcheck and the race-enabled tests. Each test process starts a Meilisearch of its
# own (internal/testenv) rather than sharing one: Meilisearch runs one task at a time across all
# its indexes, so one package's bulk ingest held another's small writes past their deadlines.
# MEILI_URL set means that running server is used by every package instead.
set -euo pipefail
cd "$(dirname "$0")/.."

staticcheck_version="v0.8.2" # staticcheck 2026.2.2

scripts/install-test-deps.sh
if [ -z "${MEILI_URL:-}" ]; then
  ORCHARD_MEILISEARCH=$(scripts/install-meilisearch.sh)
  export ORCHARD_MEILISEARCH
fi
ORCHARD_AXE=$(scripts/install-axe.sh)
export ORCHARD_AXE

echo "== go vet"
go vet ./...
echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$unformatted" ] || { echo "gofmt would change: $unformatted" >&2; exit 1; }
echo "== staticcheck"
go run "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version" ./...
echo "== go test -race"
go test -race -timeout 30m -count=1 ${GOTESTFLAGS:-} ./...
echo "== deploy/k8s (a module of its own: the manifests against the Kubernetes API types)"
(cd deploy/k8s && go vet ./... && go test -count=1 ./...)
