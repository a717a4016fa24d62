#!/usr/bin/env bash
# The whole test suite: installs what the tests drive (Meilisearch, Chromium, an OAI-PMH server),
# starts Meilisearch on a free loopback port with a temporary data directory, runs vet,
# staticcheck and the race-enabled tests, and stops Meilisearch again.
set -euo pipefail
cd "$(dirname "$0")/.."

staticcheck_version="v0.8.2" # staticcheck 2026.2.2

scripts/install-test-deps.sh
meili_bin=$(scripts/install-meilisearch.sh)

if [ -z "${MEILI_URL:-}" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  datadir=$(mktemp -d)
  export MEILI_MASTER_KEY="orchard-test-master-key-$(date +%s)"
  "$meili_bin" --db-path "$datadir/db" --dump-dir "$datadir/dumps" --snapshot-dir "$datadir/snapshots" \
    --http-addr "127.0.0.1:$port" --no-analytics --master-key "$MEILI_MASTER_KEY" \
    --env development --log-level WARN >"$datadir/meili.log" 2>&1 &
  meili_pid=$!
  trap 'kill $meili_pid 2>/dev/null; wait $meili_pid 2>/dev/null; rm -rf "$datadir"' EXIT
  export MEILI_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fsS "$MEILI_URL/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "$MEILI_URL/health" >/dev/null || { cat "$datadir/meili.log" >&2; echo "meilisearch did not start" >&2; exit 1; }
fi
export ORCHARD_MEILISEARCH="$meili_bin"

echo "== go vet"
go vet ./...
echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
[ -z "$unformatted" ] || { echo "gofmt would change: $unformatted" >&2; exit 1; }
echo "== staticcheck"
go run "honnef.co/go/tools/cmd/staticcheck@$staticcheck_version" ./...
echo "== go test -race"
go test -race -timeout 30m -count=1 ${GOTESTFLAGS:-} ./...
