#!/usr/bin/env bash
# `make bench`: Meridian side by side with VictoriaMetrics and Prometheus on the
# same remote-write payloads (../shared/bench), one run, reported as ratios:
#   1. ingest, disk bytes per sample after a flush, and memory at idle after
#      the flush (bench preset: 100k series, 30 min, 12 M samples);
#   2. query latency: dashboard range queries over 6 h at 15 s and 60 s steps
#      on the same 100k series (144 M samples), plus instant queries;
#   3. the fixed cost of a query: requests per second of `vector(1)` with
#      16 connections (wrk), against Prometheus;
#   4. forwarding (scripts/bench_forward.py): a center's ingest CPU with
#      forwarding on vs off, the catch-up after a 1 h outage, and the latency
#      from a center's acknowledgement to visibility at the global layer;
#   5. the health feed (scripts/bench_health.py): reaction time from a bad
#      write to `down` (1 s and 5 s rounds, fall 3), /probe and /api/v1/health
#      latency open-loop at 2,000/s and saturated (wrk), and the wall time and
#      CPU of one scoring round at 100 centers x 50 services.
# Figures go to bench-out/. The 6 h payloads take about 17 minutes to generate
# the first time (5.1 GiB, kept in $QUERY_DATA); each target then loads them.
#
#   PRESET=small make bench      # the 3k-series set, for a quick look
#   REPEAT=3 make bench          # medians of 3 interleaved runs
#   ONLY=ingest make bench       # or ONLY=query, ONLY=trivial, ONLY=forward, ONLY=health: one part only
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-../shared/bench}
PRESET=${PRESET:-bench}
REPEAT=${REPEAT:-1}
DATA=${BENCH_DATA:-/tmp/meridian-bench-data-$PRESET}
QUERY_DURATION=${QUERY_DURATION:-6h}
QUERY_DATA=${QUERY_DATA:-/tmp/meridian-bench-data-$PRESET-$QUERY_DURATION}
ONLY=${ONLY:-all}
OUT=bench-out
mkdir -p "$OUT"

[ -f "$BENCH_DIR/bench_ingest.py" ] || { echo "no bench harness at $BENCH_DIR (set BENCH_DIR)" >&2; exit 1; }
python3 -c 'import cramjam' 2>/dev/null || python3 -m pip install -q cramjam

echo "== building meridian (release)" >&2
swift build -c release --product meridian
BIN=$PWD/.build/release/meridian

CANDIDATE_CMD="$BIN serve --listen 127.0.0.1:{port} --data-dir {datadir} --log-level warning"
export CANDIDATE_CMD CANDIDATE_READY_PATH=/-/ready CANDIDATE_FLUSH_URL=/api/v1/admin/flush CANDIDATE_FLUSH_METHOD=POST

if [ "$ONLY" = all ] || [ "$ONLY" = ingest ]; then
  if [ ! -f "$DATA/manifest.json" ]; then
    echo "== generating the $PRESET payloads into $DATA" >&2
    python3 "$BENCH_DIR/gen.py" --preset "$PRESET" --out "$DATA"
  fi

  echo "== ingest: meridian vs victoriametrics vs prometheus ($PRESET, repeat $REPEAT)" >&2
  python3 "$BENCH_DIR/bench_ingest.py" --data "$DATA" --repeat "$REPEAT" \
      --targets victoriametrics,prometheus,candidate --json "$OUT/ingest-$PRESET.json" | tee "$OUT/ingest-$PRESET.txt"

  echo "== memory at idle after flush and after restart ($PRESET)" >&2
  BENCH_DIR="$BENCH_DIR" python3 scripts/bench_memory.py --data "$DATA" \
      --targets candidate,victoriametrics,prometheus --json "$OUT/memory-$PRESET.json" | tee "$OUT/memory-$PRESET.txt"
fi

if [ "$ONLY" = all ] || [ "$ONLY" = query ]; then
  # Payloads end a minute before they are generated; older than a week, they
  # are made again, so that retention (15 d by default) never trims them.
  if ! python3 -c 'import json,sys,time; m=json.load(open(sys.argv[1])); sys.exit(time.time()*1000-m["max_ts_ms"] > 7*86400e3)' \
      "$QUERY_DATA/manifest.json" 2>/dev/null; then
    echo "== generating the $PRESET payloads over $QUERY_DURATION into $QUERY_DATA" >&2
    python3 "$BENCH_DIR/gen.py" --preset "$PRESET" --duration "$QUERY_DURATION" --out "$QUERY_DATA"
  fi
  echo "== query latency: prometheus vs victoriametrics vs meridian ($PRESET over $QUERY_DURATION, repeat 3)" >&2
  python3 "$BENCH_DIR/bench_query.py" --data "$QUERY_DATA" --repeat 3 \
      --targets prometheus,victoriametrics,candidate --json "$OUT/query-$PRESET-$QUERY_DURATION.json" \
      | tee "$OUT/query-$PRESET-$QUERY_DURATION.txt"
fi

if [ "$ONLY" = all ] || [ "$ONLY" = trivial ]; then
  OUT="$OUT" scripts/bench_trivial.sh "$BIN"
fi

if [ "$ONLY" = all ] || [ "$ONLY" = forward ]; then
  echo "== forwarding: ingest CPU on vs off, catch-up after a 1 h outage, delivery latency ($PRESET)" >&2
  BENCH_DIR="$BENCH_DIR" python3 scripts/bench_forward.py --bin "$BIN" --preset "$PRESET" --repeat "$REPEAT" \
      --json "$OUT/forward.json" --txt "$OUT/forward.txt"
fi

if [ "$ONLY" = all ] || [ "$ONLY" = health ]; then
  echo "== health feed: reaction time, probe and JSON latency, cost of a round ($PRESET)" >&2
  BENCH_DIR="$BENCH_DIR" python3 scripts/bench_health.py --bin "$BIN" --preset "$PRESET" \
      --json "$OUT/health-$PRESET.json" --txt "$OUT/health-$PRESET.txt"
fi
