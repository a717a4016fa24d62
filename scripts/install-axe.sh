#!/usr/bin/env bash
# Prints the path of axe-core's axe.min.js, installing the pinned npm release into the cache when
# it is missing. The browser tests inject it into every page they check for accessibility.
set -euo pipefail

version="4.14.1"
integrity="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
cache="${ORCHARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orchard}"
dest="$cache/axe-core-$version/axe.min.js"

if [ ! -f "$dest" ]; then
  "$(dirname "$0")/npm-fetch.sh" axe-core "$version" "$integrity" axe.min.js "$dest"
fi
echo "$dest"
