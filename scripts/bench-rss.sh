#!/usr/bin/env bash
# Peak memory of `orchard harvest once`: serves generated OAI-PMH repositories of each size in
# BENCH_RSS_SIZES (50000 500000 by default; add 5000000 for the large run) from bench/oaigen on
# loopback, harvests each with --pace 0s into /dev/null under /usr/bin/time -v, and prints
# the maximum resident set size. ORCHARD_BIN measures another build (default bin/orchard).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${ORCHARD_BIN:-bin/orchard}
[ -n "${ORCHARD_BIN:-}" ] || go build -o "$bin" ./cmd/orchard
gen=$(mktemp -d)/oaigen
go build -o "$gen" ./bench/oaigen
port=$(( 20000 + RANDOM % 20000 ))
for n in ${BENCH_RSS_SIZES:-50000 500000}; do
	"$gen" -n "$n" -addr "127.0.0.1:$port" &
	pid=$!
	for _ in $(seq 50); do
		curl -fs "http://127.0.0.1:$port/oai?verb=Identify" >/dev/null && break
		sleep 0.1
	done
	out=$(mktemp)
	/usr/bin/time -v "$bin" harvest once --url "http://127.0.0.1:$port/oai" --pace 0s -o /dev/null 2>"$out" || { cat "$out"; kill "$pid"; exit 1; }
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$out")
	summary=$(grep '^harvested' "$out")
	printf '%8d records: max RSS %6.1f MiB  (%s)\n' "$n" "$(echo "$rss / 1024" | bc -l)" "$summary"
	rm -f "$out"
done
