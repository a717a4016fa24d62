#!/usr/bin/env bash
# Runs every fuzz target of the module, one at a time, for FUZZTIME each (default 60s). The
# targets are found with `go test -list` in each package whose tests define one. A crash is
# written to the package's testdata/fuzz and reported at the end; the other targets still run.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-60s}"
failed=()
ran=0
for dir in $(grep -rl --include='*_test.go' '^func Fuzz' . | xargs -n1 dirname | sort -u); do
  pkg=$(go list "$dir")
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "== $pkg $target ($fuzztime)"
    ran=$((ran + 1))
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"; then
      failed+=("$pkg $target")
    fi
  done
done
echo "== $ran fuzz targets run for $fuzztime each"
if [ ${#failed[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failed[@]}" >&2
  exit 1
fi
