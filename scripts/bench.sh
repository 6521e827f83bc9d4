#!/usr/bin/env bash
# `make bench`: Meridian side by side with VictoriaMetrics and Prometheus on the
# same remote-write payloads (../shared/bench, bench preset: 100k series, 12 M
# samples), one run, reported as ratios: ingest, disk bytes per sample after a
# flush, and memory at idle after the flush. Figures go to bench-out/.
#
#   PRESET=small make bench      # the 3k-series set, for a quick look
#   REPEAT=3 make bench          # medians of 3 interleaved runs
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DIR=${BENCH_DIR:-../shared/bench}
PRESET=${PRESET:-bench}
REPEAT=${REPEAT:-1}
DATA=${BENCH_DATA:-/tmp/meridian-bench-data-$PRESET}
OUT=bench-out
mkdir -p "$OUT"

[ -f "$BENCH_DIR/bench_ingest.py" ] || { echo "no bench harness at $BENCH_DIR (set BENCH_DIR)" >&2; exit 1; }
python3 -c 'import cramjam' 2>/dev/null || python3 -m pip install -q cramjam

echo "== building meridian (release)" >&2
swift build -c release --product meridian
BIN=$PWD/.build/release/meridian

if [ ! -f "$DATA/manifest.json" ]; then
  echo "== generating the $PRESET payloads into $DATA" >&2
  python3 "$BENCH_DIR/gen.py" --preset "$PRESET" --out "$DATA"
fi

echo "== ingest: meridian vs victoriametrics vs prometheus ($PRESET, repeat $REPEAT)" >&2
CANDIDATE_CMD="$BIN serve --listen 127.0.0.1:{port} --data-dir {datadir} --log-level warning" \
CANDIDATE_READY_PATH=/-/ready CANDIDATE_FLUSH_URL=/api/v1/admin/flush CANDIDATE_FLUSH_METHOD=POST \
  python3 "$BENCH_DIR/bench_ingest.py" --data "$DATA" --repeat "$REPEAT" \
    --targets victoriametrics,prometheus,candidate --json "$OUT/ingest-$PRESET.json" | tee "$OUT/ingest-$PRESET.txt"

echo "== memory at idle after flush and after restart ($PRESET)" >&2
CANDIDATE_CMD="$BIN serve --listen 127.0.0.1:{port} --data-dir {datadir} --log-level warning" \
CANDIDATE_READY_PATH=/-/ready CANDIDATE_FLUSH_URL=/api/v1/admin/flush CANDIDATE_FLUSH_METHOD=POST \
BENCH_DIR="$BENCH_DIR" python3 scripts/bench_memory.py --data "$DATA" \
    --targets candidate,victoriametrics,prometheus --json "$OUT/memory-$PRESET.json" | tee "$OUT/memory-$PRESET.txt"
