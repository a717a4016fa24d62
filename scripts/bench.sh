#!/usr/bin/env bash
# Benchmarks: starts Meilisearch on a free loopback port with a temporary data directory (as
# scripts/test.sh does), runs the bulk-indexing benchmarks once each and the search benchmarks
# BENCH_SEARCHES times, and stops Meilisearch again. ORCHARD_BENCH_RECORDS sets the catalog size
# (100,000 by default); BENCH_COUNT repeats every benchmark for benchstat.
set -euo pipefail
cd "$(dirname "$0")/.."

meili_bin=$(scripts/install-meilisearch.sh)
if [ -z "${MEILI_URL:-}" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  datadir=$(mktemp -d)
  export MEILI_MASTER_KEY="orchard-bench-master-key-$(date +%s)"
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

count=${BENCH_COUNT:-1}
searches=${BENCH_SEARCHES:-2000}
go test -run '^$' -bench 'BulkIndex' -benchtime 1x -count "$count" -timeout 60m ./bench/...
go test -run '^$' -bench 'Search' -benchtime "${searches}x" -count "$count" -timeout 60m ./bench/...
