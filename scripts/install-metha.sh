#!/usr/bin/env bash
# Prints the path of metha-sync, the reference OAI-PMH harvester BenchmarkVsMetha compares
# Orchard with, building it into the cache from its public source when it is missing. metha is
# not served by the Go module proxy: the source comes from METHA_SRC (a checkout) or a shallow
# clone of its GitHub repository at the pinned commit. It is built outside Orchard's module.
set -euo pipefail

commit="373c0075ff2842dcb26901e704f118319bcb8aa5" # metha v0.4.9+, 2026-03-06
cache="${ORCHARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orchard}"
dest="$cache/metha-${commit:0:12}/metha-sync"

if [ ! -x "$dest" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  src="${METHA_SRC:-}"
  if [ -z "$src" ]; then
    src="$tmp/metha"
    git init -q "$src"
    git -C "$src" fetch -q --depth 1 https://github.com/miku/metha "$commit"
    git -C "$src" checkout -q FETCH_HEAD
  fi
  # The endpoint list metha embeds is data for another of its commands; an empty one builds.
  [ -f "$src/contrib/sites.tsv" ] || { mkdir -p "$src/contrib" && : > "$src/contrib/sites.tsv"; }
  (cd "$src" && GOFLAGS=-mod=mod go build -o "$dest" ./cmd/metha-sync)
fi
echo "$dest"
