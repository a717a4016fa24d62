#!/usr/bin/env bash
# Benchmarks: starts Meilisearch on a free loopback port with a temporary data directory; runs
# the catalog's bulk-indexing and import benchmarks once each, its search benchmarks
# BENCH_SEARCHES times,
# the end-to-end pipeline benchmark once, decoding against metha (BenchmarkVsMetha), and every other package's benchmarks (license parsing,
# OAI-PMH decoding, pacing and request counts, page extraction, the search page, the workers'
# pipeline); then stops Meilisearch, and measures the peak memory of `orchard harvest once`.
# ORCHARD_BENCH_RECORDS sets the catalog size (100,000 by default), ORCHARD_BENCH_IMPORT_RECORDS
# the size of the imported file (30,000);
# BENCH_COUNT repeats every benchmark for benchstat.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/meilisearch-env.sh

count=${BENCH_COUNT:-1}
searches=${BENCH_SEARCHES:-2000}
go test -run '^$' -bench 'BulkIndex' -benchtime 1x -count "$count" -timeout 60m ./bench/catalog/
go test -run '^$' -bench 'Import' -benchtime 1x -count "$count" -timeout 60m ./bench/catalog/
go test -run '^$' -bench 'Search' -benchtime "${searches}x" -count "$count" -timeout 60m ./bench/catalog/
# The embedded index through /api/search, after importing ORCHARD_BENCH_RECORDS records into it.
go test -run '^$' -bench 'EmbeddedAPI' -benchtime "${searches}x" -count "$count" -timeout 60m ./bench/catalog/
go test -run '^$' -bench 'EndToEnd' -benchtime 1x -count "$count" -timeout 30m ./bench/pipeline/
# The same with Orchard and Meilisearch on a core each, as when Meilisearch has a host of its own,
# so that the harvester's work does not take Meilisearch's CPU in the comparison with a raw load.
if command -v taskset >/dev/null 2>&1 && [ "$(nproc)" -ge 2 ] && [ -n "${ORCHARD_MEILISEARCH:-}" ]; then
  pinned=$(mktemp)
  printf '#!/bin/sh\nexec taskset -c 1 %s "$@"\n' "$ORCHARD_MEILISEARCH" > "$pinned"
  chmod +x "$pinned"
  go test -c -o "$pinned.test" ./bench/pipeline/
  (cd bench/pipeline && env -u MEILI_URL -u MEILI_MASTER_KEY ORCHARD_MEILISEARCH="$pinned" taskset -c 0 "$pinned.test" -test.run '^$' \
    -test.bench 'EndToEnd/index=meilisearch/(raw|workers=1|workers=2)$' -test.benchtime 1x -test.count 5 -test.timeout 30m)
  rm -f "$pinned" "$pinned.test"
fi
# Decoding and normalizing against metha, built from its source outside this module.
if metha=$(scripts/install-metha.sh); then
  ORCHARD_METHA=$metha go test -run '^$' -bench 'VsMetha' -benchtime 7x -count "$count" -timeout 30m ./bench/pipeline/
else
  echo "BenchmarkVsMetha not run: metha could not be built (scripts/install-metha.sh needs github.com or METHA_SRC)" >&2
fi
go test -run '^$' -bench . -count "$count" -timeout 60m ./normalizer/... ./harvester/... ./web/... ./workers/...
# Peak memory of `orchard harvest once` for 50,000 and 500,000 records (BENCH_RSS_SIZES).
scripts/bench-rss.sh
