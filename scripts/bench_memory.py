#!/usr/bin/env python3
"""Memory at idle, before and after the head goes to disk: one run per target.

For each target: start it on a fresh data dir, send the payloads, note the RSS
(the head holds everything), flush, wait until the RSS settles, note it again
(idle after the flush), then restart on the same data and note the RSS once
it is ready (idle, data only on disk). Prints a table and writes JSON.

    python3 scripts/bench_memory.py --data /tmp/meridian-bench-data-bench \
        --targets candidate,victoriametrics,prometheus --json bench-out/memory.json

The candidate is started from $CANDIDATE_CMD, as ../shared/bench/servers.py does.
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

MIB = 2**20


def settled_rss(pid, seconds=10.0):
    """RSS after it has stopped falling for 3 s (at most `seconds`)."""
    deadline = time.time() + seconds
    last = load.proc_mem(pid)["rss"]
    steady_since = time.time()
    while time.time() < deadline:
        time.sleep(0.5)
        now = load.proc_mem(pid)["rss"]
        if now < last:
            steady_since = time.time()
        last = now
        if time.time() - steady_since >= 3:
            break
    return last


def flush(info):
    method, url = info["flush"]
    servers.http_get(url, method=method, timeout=600)


def run(kind, data, workdir):
    path = os.path.join(workdir, kind)
    info = servers.start(kind, path)
    pid = info["pid"]
    try:
        print(f"[{kind}] loading", file=sys.stderr, flush=True)
        res = load.send(info["write_url"], data, 2, pid=pid, progress=True)
        loaded = settled_rss(pid, 5)
        print(f"[{kind}] flushing", file=sys.stderr, flush=True)
        flush(info)
        after_flush = settled_rss(pid, 30)
    finally:
        servers.stop(pid)
    info = servers.start(kind, path, fresh=False)
    try:
        restarted = settled_rss(info["pid"], 10)
    finally:
        servers.stop(info["pid"])
    return {
        "target": kind, "samples": res["samples_ok"],
        "rss_loaded_mib": round(loaded / MIB, 1),
        "rss_idle_after_flush_mib": round(after_flush / MIB, 1),
        "rss_idle_after_restart_mib": round(restarted / MIB, 1),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="payload folder from gen.py")
    ap.add_argument("--targets", default="candidate,victoriametrics,prometheus")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="harness-memory-") as workdir:
        for kind in args.targets.split(","):
            results.append(run(kind, args.data, workdir))
    rows = [("RSS with the head loaded, MiB", "rss_loaded_mib"),
            ("RSS idle after flush, MiB", "rss_idle_after_flush_mib"),
            ("RSS idle after restart, MiB", "rss_idle_after_restart_mib")]
    print("| | " + " | ".join(r["target"] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    for label, key in rows:
        print(f"| {label} | " + " | ".join(f"{r[key]:,.0f}" for r in results) + " |")
    for r in results:
        print(f"{r['target']}: idle after flush = {r['rss_idle_after_flush_mib'] / r['rss_loaded_mib']:.2f}x the loaded RSS")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
