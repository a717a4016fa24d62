# Sourced by bench.sh: unless MEILI_URL names a running server, starts Meilisearch
# (installed by install-meilisearch.sh) on a free loopback port with a temporary data directory,
# exports MEILI_URL, MEILI_MASTER_KEY and ORCHARD_MEILISEARCH, and stops it when the script exits.
meili_bin=$(scripts/install-meilisearch.sh)
if [ -z "${MEILI_URL:-}" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  datadir=$(mktemp -d)
  export MEILI_MASTER_KEY="orchard-master-key-$(date +%s)-$RANDOM"
  "$meili_bin" --db-path "$datadir/db" --dump-dir "$datadir/dumps" --snapshot-dir "$datadir/snapshots" \
    --http-addr "127.0.0.1:$port" --no-analytics --master-key "$MEILI_MASTER_KEY" \
    --env development --log-level WARN >"$datadir/meili.log" 2>&1 &
  meili_pid=$!
  # Keep the script's own exit status: the stopped server's would otherwise replace it.
  trap 'status=$?; kill $meili_pid 2>/dev/null || true; wait $meili_pid 2>/dev/null || true; rm -rf "$datadir"; exit $status' EXIT
  export MEILI_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -fsS "$MEILI_URL/health" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "$MEILI_URL/health" >/dev/null || { cat "$datadir/meili.log" >&2; echo "meilisearch did not start" >&2; exit 1; }
fi
export ORCHARD_MEILISEARCH="$meili_bin"
