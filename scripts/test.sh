#!/usr/bin/env bash
# The whole test suite: installs what the tests drive (Meilisearch, Chromium, an OAI-PMH server),
# starts Meilisearch on a free loopback port with a temporary data directory, runs vet,
# staticcheck and the race-enabled tests, and stops Meilisearch again.
set -euo pipefail
cd "$(dirname "$0")/.."

staticcheck_version="v0.8.2" # staticcheck 2026.2.2

scripts/install-test-deps.sh
. scripts/meilisearch-env.sh

echo "== go vet"
go vet ./...
echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$unformatted" ] || { echo "gofmt would change: $unformatted" >&2; exit 1; }
echo "== staticcheck"
go run "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version" ./...
echo "== go test -race"
go test -race -timeout 30m -count=1 ${GOTESTFLAGS:-} ./...
