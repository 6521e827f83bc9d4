#!/usr/bin/env bash
# The fixed cost of one query: `wrk` with 16 connections on
# GET /api/v1/query?query=vector(1), against Meridian (release build) and
# Prometheus, each with an empty store, interleaved in one run; reports each
# one's requests per second and Meridian's ratio to Prometheus (medians of
# REPEAT rounds of DURATION each). `vector(1)` reads no data, so Meridian
# answers it on the request's task; `up` (a selector, on the empty store)
# measures the same with the hop to the query pool.
#
#   scripts/bench_trivial.sh [meridian-binary]     (ONLY=trivial make bench)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-$PWD/.build/release/meridian}
REPEAT=${REPEAT:-3}
DURATION=${DURATION:-10s}
OUT=${OUT:-bench-out}
mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/meridian-bench-trivial.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_ready() {
  for _ in $(seq 1 300); do
    curl -sf "$1" >/dev/null && return 0
    sleep 0.1
  done
  echo "not ready: $1" >&2
  return 1
}

MERIDIAN_PORT=$(free_port)
"$BIN" serve --listen "127.0.0.1:$MERIDIAN_PORT" --data-dir "$WORK/meridian" --log-level warning \
  >"$WORK/meridian.log" 2>&1 &
PIDS+=($!)
PROMETHEUS_PORT=$(free_port)
: >"$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
  --storage.tsdb.path="$WORK/prometheus" --log.level=warn >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$MERIDIAN_PORT/-/ready"
wait_ready "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"

# Requests per second of one wrk round of query $2 against port $1.
rate() {
  local url="http://127.0.0.1:$1/api/v1/query?query=$2"
  wrk -t 2 -c 16 -d "$DURATION" --latency "$url" >"$WORK/wrk.txt"
  grep -q 'Non-2xx' "$WORK/wrk.txt" && { cat "$WORK/wrk.txt" >&2; echo "non-2xx answers from $url" >&2; exit 1; }
  awk '/^Requests\/sec:/ { print $2 }' "$WORK/wrk.txt"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for query in 'vector(1)' up; do
  echo "== trivial query: wrk -c 16 -d $DURATION GET /api/v1/query?query=$query, $REPEAT rounds" >&2
  # Warm both up (connections, caches) before measuring.
  DURATION=2s rate "$MERIDIAN_PORT" "$query" >/dev/null
  DURATION=2s rate "$PROMETHEUS_PORT" "$query" >/dev/null
  : >"$WORK/meridian.rates"
  : >"$WORK/prometheus.rates"
  for round in $(seq 1 "$REPEAT"); do
    m=$(rate "$MERIDIAN_PORT" "$query")
    p=$(rate "$PROMETHEUS_PORT" "$query")
    echo "round $round: meridian $m req/s, prometheus $p req/s" >&2
    echo "$m" >>"$WORK/meridian.rates"
    echo "$p" >>"$WORK/prometheus.rates"
  done
  M=$(median <"$WORK/meridian.rates")
  P=$(median <"$WORK/prometheus.rates")
  RATIO=$(awk -v m="$M" -v p="$P" 'BEGIN { printf "%.2f", m / p }')
  printf 'trivial query (%s, 16 connections): meridian %.0f req/s, prometheus %.0f req/s, ratio %sx\n' \
    "$query" "$M" "$P" "$RATIO"
done | tee "$OUT/trivial.txt"
