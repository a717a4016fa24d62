#!/usr/bin/env bash
# Benchmarks: starts Meilisearch on a free loopback port with a temporary data directory (as
# scripts/test.sh does), runs the bulk-indexing benchmarks once each, the search benchmarks
# BENCH_SEARCHES times and the end-to-end pipeline benchmark once, and stops Meilisearch again. ORCHARD_BENCH_RECORDS sets the catalog size
# (100,000 by default); BENCH_COUNT repeats every benchmark for benchstat.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/meilisearch-env.sh

count=${BENCH_COUNT:-1}
searches=${BENCH_SEARCHES:-2000}
go test -run '^$' -bench 'BulkIndex' -benchtime 1x -count "$count" -timeout 60m ./bench/...
go test -run '^$' -bench 'Search' -benchtime "${searches}x" -count "$count" -timeout 60m ./bench/...
go test -run '^$' -bench 'EndToEnd' -benchtime 1x -count "$count" -timeout 30m ./bench/pipeline/
