#!/usr/bin/env python3
"""Forwarding from a center to the global layer: CPU cost, catch-up, latency.

Three measurements, each on fresh data directories, every server on loopback
(started here, stopped by PID):

1. cost: the same payloads sent as fast as load.py can to (a) `--role all`
   (no forwarding), (b) `--role center` forwarding to a `--role global` on
   this machine, and (c) the same center with the global started once the
   load is done (so it does not take the center's cores while the center
   ingests; the center then sends the same records afterwards). CPU seconds
   (utime+stime) of the receiving process: for (a) during the load, for (b)
   and (c) during the load and until the forward backlog has drained.
   Reports samples/s, CPU-s per million samples, and the overhead
   (b)/(a) - 1 and (c)/(a) - 1; the global's CPU too.
2. catch-up: the global layer down while one hour of data (timestamps over
   3,600 s) is sent to the center; once everything is acknowledged the global
   starts, and the drain is timed until nothing is pending. Reports the
   backlog, drain seconds and rate, and 3600 s / drain seconds ("drains N
   times faster than it accumulated").
3. latency on a healthy link: a paced load (the payloads at --lat-speedup
   times their real rate, for --lat-seconds), while probes (one sample each,
   their own series) are written to the center and the global's
   /api/v1/export is polled until each is visible. Reports p50/p99 of the
   probes' acknowledgement-to-visible time, and of the center's
   meridian_forward_delivery_delay_seconds histogram over the same window
   (interpolated within buckets, as histogram_quantile does).

The data: gen.py's preset series count over one hour (--duration 1h),
generated afresh every run, ending a minute ago (a center's heartbeats are
stamped now, and the stores judge samples by their distance from the newest
one: out-of-order window 2 h, center retention 2 d), with every host in
center "bj": a center refuses series carrying another center's
label, and gen.py spreads hosts over bj, sh and gz. Label values have the same
lengths, so payload sizes match the preset's. Part 1 sends the first
`preset duration` of it (30 min for bench: the ingest part's 12 M samples;
the whole hour for small), part 2 all of it, part 3 paces a slice of it.

    python3 scripts/bench_forward.py --bin .build/release/meridian --preset small \
        --json bench-out/forward.json --txt bench-out/forward.txt
"""
import argparse
import http.client
import json
import math
import os
import queue
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # before the imports below: no __pycache__ in scripts/
import bench_common  # noqa: E402  (puts BENCH_DIR, ../shared/bench, on sys.path)
from bench_common import OtherCpu, histogram_quantile, make_log, own_cpu_s, pct, stop_all  # noqa: E402
import gen  # noqa: E402
import load  # noqa: E402
import rw  # noqa: E402
import servers  # noqa: E402

CENTER = "bj"
# A center's heartbeat writes up to 3 samples every 5 s, forwarded like the rest:
# "drained" is at most this many pending.
HEARTBEAT_SLACK = 10
PRESET_DURATION = {"small": "1h", "bench": "30m"}

log = make_log("forward")


# ---------------------------------------------------------------- servers
class Meridian(bench_common.Meridian):
    """A meridian server of `role` (all, center, global); a center is center
    CENTER and forwards to `upstream`."""

    def __init__(self, binary, workdir, name, role, port=None, upstream=None):
        extra = ["--role", role]
        if role == "center":
            extra += ["--center", CENTER, "--upstream", upstream]
        super().__init__(binary, workdir, name, extra, port=port)


def get_json(url, timeout=10):
    code, body = servers.http_get(url, timeout=timeout)
    if code != 200:
        raise RuntimeError(f"GET {url}: {code} {body[:200]!r}")
    return json.loads(body)


def forward_status(center):
    ups = get_json(center.url + "/api/v1/status/forward")["data"]["upstreams"]
    return ups[0]


def wait_drained(center, what, timeout, every=5.0):
    """Polls the center until at most HEARTBEAT_SLACK samples are pending; prints
    progress. Returns (seconds, last status)."""
    t0 = time.perf_counter()
    last_t, last_pending = t0, None
    while True:
        st = forward_status(center)
        now = time.perf_counter()
        pending = st["pendingSamples"]
        if pending <= HEARTBEAT_SLACK:
            return now - t0, st
        if now - t0 > timeout:
            raise RuntimeError(f"{what}: {pending:,} samples still pending after {timeout:.0f}s: {st}")
        if last_pending is None:
            last_t, last_pending = now, pending
        elif now - last_t >= every:
            rate = (last_pending - pending) / (now - last_t)
            log(f"  {what}: {pending:,} samples pending, draining at {rate:,.0f} samples/s, state {st['state']},"
                f" {now - t0:.0f}s")
            last_t, last_pending = now, pending
        time.sleep(0.1)


# ---------------------------------------------------------------- data
def generate(preset, out):
    """gen.py's preset over one hour, every host in center CENTER."""
    gen.CENTERS = [CENTER]
    p = gen.PRESETS[preset]
    log(f"generating {preset} series over 1h into {out} (center {CENTER})")
    return gen.generate(out, p["series"], duration_s=3600.0)


def payloads_for_rounds(manifest, rounds):
    return sum(1 for p in manifest["payloads"] if p["round"] < rounds)


# ---------------------------------------------------------------- part 1: CPU cost
# off: `--role all`, no forwarding. on: a center forwarding to a global layer
# running beside it. after: the same, with the global layer started once the
# load is done, so that it does not share the two cores with the center while
# the center ingests (the center logs during the load and sends afterwards:
# the same work, none of it done by the global on the center's cores).
COST_MODES = ("off", "on", "after")


def part_cost(binary, work, data, manifest, rounds, repeat):
    limit = payloads_for_rounds(manifest, rounds)
    runs = {mode: [] for mode in COST_MODES}
    for i in range(repeat):
        for mode in COST_MODES:
            d = os.path.join(work, f"cost-{mode}-{i}")
            os.makedirs(d)
            glob = None
            if mode == "off":
                srv = Meridian(binary, d, "all", "all").start()
            else:
                glob = Meridian(binary, d, "global", "global")
                if mode == "on":
                    glob.start()
                srv = Meridian(binary, d, "center", "center", upstream=glob.url + "/api/v1/write").start()
            try:
                log(f"cost [{i + 1}/{repeat}] forwarding {mode}: sending {rounds} rounds ({limit} requests)")
                c0 = srv.cpu()
                g0 = glob.cpu() if mode == "on" else 0.0
                res = load.send(srv.url + "/api/v1/write", data, 2, limit=limit, progress=True)
                c_load = srv.cpu() - c0
                r = {"samples": res["samples_ok"], "samples_sent": res["samples_sent"], "status": res["status"],
                     "errors": res["errors"], "wall_s": res["wall_s"], "samples_per_s": res["samples_per_s"],
                     "cpu_load_s": round(c_load, 2)}
                if glob:
                    g_load = glob.cpu() - g0 if mode == "on" else 0.0
                    if mode == "after":
                        log("cost: load done; starting the global layer")
                        glob.start()
                        g0 = glob.cpu()
                    log("cost: waiting for the forward backlog to drain")
                    drain_s, st = wait_drained(srv, "cost drain", timeout=1800)
                    r.update({
                        "drain_after_load_s": round(drain_s, 2),
                        "cpu_to_drain_s": round(srv.cpu() - c0, 2),
                        "global_cpu_load_s": round(g_load, 2),
                        "global_cpu_to_drain_s": round(glob.cpu() - g0, 2),
                        "forwarded_samples": st["sentSamples"], "retries": st["retries"],
                        "dropped": st["droppedSamples"], "given_up": st["givenUpSamples"],
                    })
                else:
                    r["cpu_to_drain_s"] = r["cpu_load_s"]
                r["cpu_s_per_m_samples"] = round(r["cpu_to_drain_s"] / r["samples"] * 1e6, 3)
                r["samples_per_cpu_s"] = round(r["samples"] / r["cpu_to_drain_s"])
                log(f"cost [{i + 1}/{repeat}] forwarding {mode}: {r['samples_per_s']:,} samples/s,"
                    f" {r['cpu_to_drain_s']} CPU-s ({r['cpu_s_per_m_samples']} per M samples)"
                    + (f", global {r['global_cpu_to_drain_s']} CPU-s" if glob else ""))
                runs[mode].append(r)
            finally:
                problems = srv.log_problems() + (glob.log_problems() if glob else [])
                srv.stop()
                if glob:
                    glob.stop()
            runs[mode][-1]["log_lines"] = problems[:20]
    med = lambda mode, k: statistics.median(r[k] for r in runs[mode])  # noqa: E731
    summary = {
        "rounds": rounds, "requests": limit, "repeat": repeat,
        "off": {k: med("off", k) for k in ("samples", "samples_per_s", "cpu_load_s", "cpu_s_per_m_samples")},
    }
    for mode in ("on", "after"):
        summary[mode] = {k: med(mode, k) for k in (
            "samples", "samples_per_s", "cpu_load_s", "cpu_to_drain_s", "cpu_s_per_m_samples", "drain_after_load_s",
            "global_cpu_to_drain_s")}
        m = summary[mode]
        m["overhead"] = round(m["cpu_s_per_m_samples"] / summary["off"]["cpu_s_per_m_samples"] - 1, 3)
        m["throughput_ratio"] = round(m["samples_per_s"] / summary["off"]["samples_per_s"], 3)
        m["global_cpu_s_per_m_samples"] = round(m["global_cpu_to_drain_s"] / m["samples"] * 1e6, 3)
    summary["runs"] = runs
    return summary


# ---------------------------------------------------------------- part 2: catch-up
def part_catchup(binary, work, data, manifest):
    d = os.path.join(work, "catchup")
    os.makedirs(d)
    glob = Meridian(binary, d, "global", "global")  # not started: the link is down
    srv = Meridian(binary, d, "center", "center", upstream=glob.url + "/api/v1/write").start()
    try:
        span_s = (manifest["max_ts_ms"] - manifest["min_ts_ms"]) / 1000
        log(f"catch-up: global down; sending {manifest['samples']:,} samples spanning {span_s:.0f}s of sample time")
        c_start = srv.cpu()
        res = load.send(srv.url + "/api/v1/write", data, 2, progress=True)
        c_load = srv.cpu() - c_start
        st = forward_status(srv)
        backlog = st["pendingSamples"]
        log(f"catch-up: center acknowledged {res['samples_ok']:,} samples in {res['wall_s']:.0f}s;"
            f" backlog {backlog:,} samples, {st['pendingBytes'] / 2**20:,.0f} MiB; starting the global layer")
        c0 = srv.cpu()
        t_spawn = time.perf_counter()
        glob.start()
        t_ready = time.perf_counter()
        g0 = glob.cpu()
        drain_s, st2 = wait_drained(srv, "catch-up drain", timeout=3600)
        total_s = time.perf_counter() - t_spawn
        r = {
            "samples_sent": res["samples_sent"], "samples_acknowledged": res["samples_ok"],
            "load_wall_s": res["wall_s"], "load_samples_per_s": res["samples_per_s"],
            "center_cpu_load_s": round(c_load, 2),
            "center_cpu_s_per_m_samples_load": round(c_load / res["samples_ok"] * 1e6, 3),
            "sample_time_span_s": round(span_s), "backlog_samples": backlog,
            "backlog_bytes": st["pendingBytes"], "global_start_s": round(t_ready - t_spawn, 2),
            "drain_s": round(drain_s, 2), "drain_s_from_spawn": round(total_s, 2),
            "drain_samples_per_s": round(backlog / drain_s),
            "speedup": round(3600 / drain_s, 2),
            "center_cpu_drain_s": round(srv.cpu() - c0, 2), "global_cpu_drain_s": round(glob.cpu() - g0, 2),
            "forwarded_samples": st2["sentSamples"], "retries": st2["retries"],
            "dropped": st2["droppedSamples"], "given_up": st2["givenUpSamples"],
            "status": res["status"], "errors": res["errors"],
        }
        log(f"catch-up: {backlog:,} samples drained in {drain_s:.1f}s ({r['drain_samples_per_s']:,} samples/s):"
            f" {r['speedup']}x faster than they accumulated")
    finally:
        problems = srv.log_problems() + glob.log_problems()
        srv.stop()
        glob.stop()
    # The retries while the global was down are expected: keep the first few lines only.
    r["log_lines"] = problems[:20]
    r["log_line_count"] = len(problems)
    return r


# ---------------------------------------------------------------- part 3: latency
def histogram(center_url, name="meridian_forward_delivery_delay_seconds"):
    """{le: cumulative count} of the metric's buckets (all upstreams summed)."""
    code, body = servers.http_get(center_url + "/metrics")
    out = {}
    pat = re.compile(r'^' + name + r'_bucket\{(.*)\}\s+(\S+)')
    for line in body.decode().splitlines():
        m = pat.match(line)
        if not m:
            continue
        le = re.search(r'le="([^"]+)"', m.group(1)).group(1)
        le = math.inf if le == "+Inf" else float(le)
        out[le] = out.get(le, 0) + float(m.group(2))
    return out


class Conn:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = u.hostname, u.port, u.path
        self.c = None

    def post(self, body):
        for attempt in range(2):
            try:
                if self.c is None:
                    self.c = http.client.HTTPConnection(self.host, self.port, timeout=60)
                self.c.request("POST", self.path, body=body, headers=rw.HEADERS)
                r = self.c.getresponse()
                text = r.read()
                if r.will_close:
                    self.c.close()
                    self.c = None
                return r.status, text
            except (OSError, http.client.HTTPException):
                if self.c is not None:
                    self.c.close()
                self.c = None
                if attempt:
                    raise
        return None, b""


def part_latency(binary, work, data, manifest, seconds, speedup, n_probes, poll_s):
    d = os.path.join(work, "latency")
    os.makedirs(d)
    glob = Meridian(binary, d, "global", "global").start()
    srv = Meridian(binary, d, "center", "center", upstream=glob.url + "/api/v1/write").start()
    write_url = srv.url + "/api/v1/write"
    pace = manifest["interval_ms"] / 1000 / speedup
    n_rounds = min(manifest["rounds"], max(1, int(seconds / pace)))
    by_round = [[] for _ in range(n_rounds)]
    for p in manifest["payloads"]:
        if p["round"] < n_rounds:
            by_round[p["round"]].append(p)
    bodies = {}
    for rnd in by_round:
        for p in rnd:
            with open(os.path.join(data, p["file"]), "rb") as f:
                bodies[p["file"]] = f.read()
    load_samples = sum(p["samples"] for rnd in by_round for p in rnd)
    rate = load_samples / (n_rounds * pace)
    run_id = str(int(time.time()))
    log(f"latency: paced load of {n_rounds} rounds, one every {pace:.2f}s ({rate:,.0f} samples/s,"
        f" {speedup:g}x the real rate of {manifest['series']:,} series), {n_probes} probes,"
        f" polling the global every {poll_s * 1000:.0f} ms")

    stop = threading.Event()
    errors = []
    sent = [0]
    behind = [0.0]
    lanes_q = [queue.Queue() for _ in range(2)]

    def lane_worker(w):
        conn = Conn(write_url)
        while True:
            p = lanes_q[w].get()
            if p is None:
                return
            code, text = conn.post(bodies[p["file"]])
            if code != 204 and len(errors) < 5:
                errors.append(f"load {p['file']}: {code} {text[:200]!r}")
            sent[0] += p["samples"]

    probes = {}  # index -> {"ack": t, "visible": t}
    probe_lock = threading.Lock()

    def prober():
        conn = Conn(write_url)
        gap = n_rounds * pace / n_probes
        t0 = time.perf_counter()
        for i in range(n_probes):
            delay = t0 + i * gap - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            labels = [("__name__", "meridian_bench_probe"), ("run", run_id), ("shard", str(i % 8))]
            body = rw.compress(rw.encode_write_request([(labels, [(float(i), int(time.time() * 1000))])]))
            code, text = conn.post(body)
            t_ack = time.perf_counter()
            if code != 204:
                errors.append(f"probe {i}: {code} {text[:200]!r}")
                continue
            with probe_lock:
                probes[i] = {"ack": t_ack, "visible": None}

    def poller():
        q = urllib.parse.urlencode({"match[]": f'{{__name__="meridian_bench_probe",run="{run_id}"}}'})
        url = glob.url + "/api/v1/export?" + q
        u = urllib.parse.urlsplit(url)
        conn = None
        while not stop.is_set():
            t_start = time.perf_counter()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                conn.request("GET", u.path + "?" + u.query)
                r = conn.getresponse()
                body = r.read()
            except (OSError, http.client.HTTPException) as e:
                if conn is not None:
                    conn.close()
                conn = None
                errors.append(f"poll: {e}")
                time.sleep(poll_s)
                continue
            t_seen = time.perf_counter()
            seen = set()
            if r.status == 200:
                for line in body.decode().splitlines():
                    if line.strip():
                        seen.update(int(v) for v in json.loads(line)["values"])
            with probe_lock:
                for i in seen:
                    pr = probes.get(i)
                    if pr is not None and pr["visible"] is None:
                        pr["visible"] = t_seen
            time.sleep(max(0.0, poll_s - (time.perf_counter() - t_start)))

    try:
        h0 = histogram(srv.url)
        workers = [threading.Thread(target=lane_worker, args=(w,), daemon=True) for w in range(2)]
        others = [threading.Thread(target=prober, daemon=True), threading.Thread(target=poller, daemon=True)]
        for t in workers + others:
            t.start()
        t0 = time.perf_counter()
        last = t0
        for k, rnd in enumerate(by_round):
            due = t0 + k * pace
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            else:
                behind[0] = max(behind[0], now - due)
            for p in rnd:  # a lane always goes to the same connection: per-series order holds
                lanes_q[p["lane"] % 2].put(p)
            if time.perf_counter() - last >= 5:
                last = time.perf_counter()
                with probe_lock:
                    vis = [p["visible"] - p["ack"] for p in probes.values() if p["visible"] is not None]
                log(f"  latency: round {k + 1}/{n_rounds}, {sent[0]:,} samples sent, {len(probes)} probes,"
                    f" {len(vis)} visible (p50 so far {pct(vis, 50) or 0:.3f}s)")
        for q in lanes_q:
            q.put(None)
        for t in workers:
            t.join()
        others[0].join()
        load_wall = time.perf_counter() - t0
        # let the last probes become visible (bounded)
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            with probe_lock:
                if all(p["visible"] is not None for p in probes.values()):
                    break
            time.sleep(0.1)
        stop.set()
        others[1].join()
        drain_s, st = wait_drained(srv, "latency drain", timeout=600)
        h1 = histogram(srv.url)
    finally:
        problems = srv.log_problems() + glob.log_problems()
        srv.stop()
        glob.stop()
    delta = {le: h1.get(le, 0) - h0.get(le, 0) for le in h1}
    vis = sorted(p["visible"] - p["ack"] for p in probes.values() if p["visible"] is not None)
    r = {
        "rounds": n_rounds, "pace_s": round(pace, 3), "speedup": speedup, "load_samples": load_samples,
        "load_samples_per_s": round(rate), "load_wall_s": round(load_wall, 2),
        "sender_max_behind_s": round(behind[0], 3), "poll_interval_s": poll_s,
        "probes": n_probes, "probes_acknowledged": len(probes), "probes_visible": len(vis),
        "probe_p50_s": pct(vis, 50), "probe_p90_s": pct(vis, 90), "probe_p99_s": pct(vis, 99),
        "probe_max_s": vis[-1] if vis else None, "probe_min_s": vis[0] if vis else None,
        "histogram_requests": delta.get(math.inf, 0),
        "histogram_p50_s": histogram_quantile(0.5, delta), "histogram_p99_s": histogram_quantile(0.99, delta),
        "histogram_buckets": {("+Inf" if le == math.inf else f"{le:g}"): c for le, c in sorted(delta.items())},
        "forwarded_samples": st["sentSamples"], "retries": st["retries"], "dropped": st["droppedSamples"],
        "errors": errors[:10], "log_lines": problems[:20],
    }
    for k in list(r):
        if k.endswith("_s") and isinstance(r[k], float):
            r[k] = round(r[k], 4)
    return r


# ---------------------------------------------------------------- report
def fmt(x, nd=0):
    if x is None:
        return "-"
    return f"{x:,.{nd}f}"


def report(res):
    lines = [f"# Forwarding benchmark ({res['preset']}: {res['series']:,} series, center {CENTER};"
             f" {res['started']}, total {res['total_s']:.0f}s)", ""]
    c = res.get("cost")
    if c:
        off, on, after = c["off"], c["on"], c["after"]
        lines += [
            f"## 1. Ingest CPU with forwarding off vs on ({off['samples']:,} samples, {c['rounds']} rounds,"
            f" load.py -c 2{', median of %d' % c['repeat'] if c['repeat'] > 1 else ''})", "",
            "on: the global layer runs beside the center during the load, on the same two cores. after: the"
            " global layer starts once the load is done; the center logs during the load and sends afterwards"
            " (the same records, in requests of up to `max_samples_per_send` samples).", "",
            "| | off (`--role all`) | on (`--role center` -> global) | after (global started after the load) |",
            "|---|---|---|---|",
            f"| samples/s (load wall) | {fmt(off['samples_per_s'])} | {fmt(on['samples_per_s'])} | {fmt(after['samples_per_s'])} |",
            f"| receiver CPU-s during load | {off['cpu_load_s']:.2f} | {on['cpu_load_s']:.2f} | {after['cpu_load_s']:.2f} |",
            f"| receiver CPU-s until drained | {off['cpu_load_s']:.2f} | {on['cpu_to_drain_s']:.2f} (drained {on['drain_after_load_s']:.1f}s after the load) |"
            f" {after['cpu_to_drain_s']:.2f} (drained in {after['drain_after_load_s']:.1f}s) |",
            f"| receiver CPU-s per M samples | {off['cpu_s_per_m_samples']:.3f} | {on['cpu_s_per_m_samples']:.3f} | {after['cpu_s_per_m_samples']:.3f} |",
            f"| forwarding overhead (CPU vs off) | | {on['overhead'] * 100:+.1f}% | {after['overhead'] * 100:+.1f}% |",
            f"| global CPU-s (per M samples) | | {on['global_cpu_to_drain_s']:.2f} ({on['global_cpu_s_per_m_samples']:.3f})"
            f" | {after['global_cpu_to_drain_s']:.2f} ({after['global_cpu_s_per_m_samples']:.3f}) |",
            "",
            f"Forwarding overhead (target: at most +25% of the center's ingest CPU): {after['overhead'] * 100:+.1f}%"
            f" with the global layer off the center's cores during ingestion"
            f" ({'met' if after['overhead'] <= 0.25 else 'MISSED'}); {on['overhead'] * 100:+.1f}% with both on the"
            f" same two cores ({'met' if on['overhead'] <= 0.25 else 'MISSED'}).", ""]
    k = res.get("catchup")
    if k:
        lines += [
            f"## 2. Catch-up after a {k['sample_time_span_s'] / 3600:.2f} h outage", "",
            "| | |", "|---|---|",
            f"| samples sent with the global down | {fmt(k['samples_acknowledged'])} (at {fmt(k['load_samples_per_s'])} samples/s) |",
            f"| backlog | {fmt(k['backlog_samples'])} samples, {k['backlog_bytes'] / 2**20:,.0f} MiB of forward log |",
            f"| global start to ready | {k['global_start_s']:.2f} s |",
            f"| drain (global ready to nothing pending) | {k['drain_s']:.1f} s |",
            f"| drain rate | {fmt(k['drain_samples_per_s'])} samples/s |",
            f"| CPU-s during the drain: center / global | {k['center_cpu_drain_s']:.1f} / {k['global_cpu_drain_s']:.1f} |",
            f"| given up / dropped | {k['given_up']} / {k['dropped']} |",
            "",
            f"The backlog of 3600 s drains {k['speedup']:.1f}x faster than it accumulated"
            f" (target: at least 5x: {'met' if k['speedup'] >= 5 else 'MISSED'}).", ""]
    lat = res.get("latency")
    if lat:
        p99 = max(x for x in (lat["probe_p99_s"], lat["histogram_p99_s"]) if x is not None) \
            if (lat["probe_p99_s"] is not None or lat["histogram_p99_s"] is not None) else None
        lines += [
            f"## 3. Acknowledgement at the center to visible at the global layer (healthy link)", "",
            f"Paced load: {lat['rounds']} rounds, one every {lat['pace_s']} s ({fmt(lat['load_samples_per_s'])} samples/s,"
            f" {lat['speedup']:g}x real time; sender at most {lat['sender_max_behind_s']} s behind schedule),"
            f" {lat['probes_visible']}/{lat['probes']} probes seen, global polled every {lat['poll_interval_s'] * 1000:.0f} ms.", "",
            "| | p50 | p99 | max |", "|---|---|---|---|",
            f"| probes: 204 from the center to seen in the global's /api/v1/export | {fmt(lat['probe_p50_s'], 3)} s |"
            f" {fmt(lat['probe_p99_s'], 3)} s | {fmt(lat['probe_max_s'], 3)} s |",
            f"| meridian_forward_delivery_delay_seconds ({fmt(lat['histogram_requests'])} requests) |"
            f" {fmt(lat['histogram_p50_s'], 3)} s | {fmt(lat['histogram_p99_s'], 3)} s | |",
            "",
            f"p99 target under 2 s: {'met' if p99 is not None and p99 < 2 else 'MISSED'}.", ""]
    notes = []
    busy = {k: v for k, v in res.get("other_cpu", {}).items() if v["cores"] > 0.1}
    if busy:
        notes.append("other processes on the machine used CPU during a part (absolute figures are low then): "
                     + ", ".join(f"{k} {v['cores']:.2f} cores on average" for k, v in busy.items()))
    for part in ("cost", "catchup", "latency"):
        p = res.get(part)
        if not p:
            continue
        runs = [r for mode in COST_MODES for r in p["runs"][mode]] if part == "cost" else [p]
        for r in runs:
            for e in r.get("errors", []):
                notes.append(f"{part}: {e}")
            for line in r.get("log_lines", [])[:5]:
                notes.append(f"{part} log: {line[:300]}")
    if notes:
        lines += ["## Errors and log lines (warning and above)", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=".build/release/meridian")
    ap.add_argument("--preset", choices=sorted(gen.PRESETS), default="bench")
    ap.add_argument("--parts", default="cost,catchup,latency")
    ap.add_argument("--repeat", type=int, default=1, help="runs of part 1 (interleaved off/on; medians)")
    ap.add_argument("--data", help="payload folder (default /tmp/meridian-bench-forward-PRESET; made afresh)")
    ap.add_argument("--lat-seconds", type=float, default=60)
    ap.add_argument("--lat-speedup", type=float, default=10, help="paced load: times the data's real rate")
    ap.add_argument("--probes", type=int, default=200)
    ap.add_argument("--poll", type=float, default=0.02, help="seconds between polls of the global")
    ap.add_argument("--json")
    ap.add_argument("--txt")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(143)))
    parts = args.parts.split(",")
    t_start = time.perf_counter()
    data = args.data or f"/tmp/meridian-bench-forward-{args.preset}"
    manifest = generate(args.preset, data)
    res = {"preset": args.preset, "series": manifest["series"], "samples_1h": manifest["samples"],
           "started": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "binary": binary}
    work = tempfile.mkdtemp(prefix="meridian-bench-forward-")
    res["other_cpu"] = {}
    # CPU used by other processes on the machine during each part
    busy = OtherCpu(res["other_cpu"], own_cpu_s, log).part

    try:
        if "cost" in parts:
            busy("cost")
            rounds = int(gen.parse_duration(PRESET_DURATION[args.preset]) // (manifest["interval_ms"] / 1000))
            res["cost"] = part_cost(binary, work, data, manifest, rounds, args.repeat)
        if "catchup" in parts:
            busy("catchup")
            res["catchup"] = part_catchup(binary, work, data, manifest)
        if "latency" in parts:
            busy("latency")
            res["latency"] = part_latency(binary, work, data, manifest, args.lat_seconds, args.lat_speedup,
                                          args.probes, args.poll)
        busy(None)
    except KeyboardInterrupt:
        stop_all()
        raise
    finally:
        stop_all()
        shutil.rmtree(work, ignore_errors=True)
    res["total_s"] = round(time.perf_counter() - t_start, 1)
    text = report(res)
    print(text)
    if args.txt:
        with open(args.txt, "w") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, default=str)


if __name__ == "__main__":
    main()
