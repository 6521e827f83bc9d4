#!/usr/bin/env python3
"""Compaction on a day of data: blocks, disk and time before and after.

Starts Meridian ($CANDIDATE_CMD, as ../shared/bench/servers.py does) on a fresh
data dir, sends a multi-hour payload set (the head cuts 2 h blocks as it goes),
flushes, then runs POST /api/v1/admin/compact and reports the block count,
disk bytes per sample, and the compaction's wall and server CPU time.

    python3 ../shared/bench/gen.py --preset small --duration 26h --out /tmp/meridian-bench-data-26h
    python3 scripts/bench_compaction.py --data /tmp/meridian-bench-data-26h
"""
import argparse
import json
import os
import sys
import tempfile
import time

BENCH_DIR = os.environ.get("BENCH_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench"))
sys.path.insert(0, os.path.abspath(BENCH_DIR))
import load  # noqa: E402
import servers  # noqa: E402
from bench_ingest import dir_bytes  # noqa: E402


def blocks(data):
    path = os.path.join(data, "blocks")
    out = []
    for name in sorted(os.listdir(path)):
        meta = os.path.join(path, name, "meta.json")
        if os.path.exists(meta):
            with open(meta) as f:
                out.append(json.load(f))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="payload folder from gen.py (several hours)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="harness-compaction-") as workdir:
        info = servers.start("candidate", os.path.join(workdir, "candidate"))
        pid, base, data = info["pid"], info["url"], info["data"]
        try:
            res = load.send(info["write_url"], args.data, 2, pid=pid, progress=True)
            servers.http_get(base + "/api/v1/admin/flush", method="POST", timeout=600)
            before = blocks(data)
            disk_before = dir_bytes(os.path.join(data, "blocks"))
            cpu0, t0 = load.proc_cpu_seconds(pid), time.perf_counter()
            print("compacting ...", file=sys.stderr, flush=True)
            servers.http_get(base + "/api/v1/admin/compact", method="POST", timeout=3600)
            wall, cpu = time.perf_counter() - t0, load.proc_cpu_seconds(pid) - cpu0
            after = blocks(data)
            disk_after = dir_bytes(os.path.join(data, "blocks"))
            peak = load.proc_mem(pid)["hwm"]
        finally:
            servers.stop(pid)
    samples = sum(b["stats"]["samples"] for b in after)
    out = {
        "samples_sent": res["samples_ok"], "samples_in_blocks": samples,
        "blocks_before": len(before), "blocks_after": len(after),
        "levels_after": [b["compaction"]["level"] for b in after],
        "block_bytes_per_sample_before": round(disk_before / samples, 3),
        "block_bytes_per_sample_after": round(disk_after / samples, 3),
        "compaction_wall_s": round(wall, 1), "compaction_cpu_s": round(cpu, 1),
        "samples_per_cpu_s": round(sum(b["stats"]["samples"] for b in before) / cpu) if cpu else None,
        "peak_rss_mib": round(peak / 2**20, 1),
    }
    for k, v in out.items():
        print(f"{k}: {v}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
