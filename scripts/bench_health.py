#!/usr/bin/env python3
"""The health feed: reaction time, probe and JSON latency, cost of a round.

Three measurements, each against its own `meridian serve` (release build) on
a fresh data directory, on loopback, started here and stopped by PID:

1. reaction: the scenario of the integration tests (three centers bj, sh, gz
   with two services each; gauge signals `max by (center, service)
   (test_error_ratio)` etc.; fall 3, rise 5) at each --interval. Healthy
   gauges are written every 250 ms at the wall clock; at a random moment an
   extra write gives bj an error ratio of 0.5 (past the signal's down_above
   veto) and the periodic writes carry it on. The feed is watched two ways at
   once: a long poll (`?wait=30s` with If-None-Match, answered when the
   routing decision changes) and a plain GET every 20 ms. Reaction time is
   from the bad write's acknowledgement to the first document showing bj
   `down`; then bj is made healthy again and the next trial waits for `up`.
   Reports min/median/p90/max against interval x fall + interval, the rounds
   between the write and `down` (generated_at at or after the write), and the
   recovery time against interval x rise + interval.
2. latency: the same scenario (1 s rounds, bj healthy, the writer running),
   an open-loop client at --rate requests/s for --seconds on `/probe/bj` and
   then on `/api/v1/health` (scripts/bench_health_client.c, compiled here
   with cc -O2: one thread, epoll, --conns keep-alive connections, each
   request's latency from its scheduled send time, so queueing counts).
   Reports p50/p99/p99.9/max and the achieved rate against p99 < 2 ms; then
   the saturating throughput of each path with `wrk -t2 -c32`. The client
   and the server share the machine's cores.
3. round cost: --centers x --services (100 x 50 for bench: 5,000 services)
   of the conventional metrics the DEFAULT signals read
   (http_requests_total{code="200"|"503"}, http_request_duration_seconds
   buckets, up), 9 series per service: 3 minutes of history at 15 s
   spacing, then a write every 10 s while measuring, with the embedded
   default config (interval 5s). Why 10 s: the newest sample decides
   freshness (stale_after 15s); at 15 s spacing a round just before the next
   write would find every center on the edge of stale. Writes throughout
   keep rate(...[1m]) on data and the states steady. Reports, over
   --window seconds: each round's meridian_scoring_last_round_duration_seconds
   and the histogram (wall time of a round: queries, scoring, write-back);
   the process's CPU (utime+stime) per round: (a) everything the process
   did over the window / rounds, (b) the same process minus one with
   `scoring: {enabled: false}` fed the same writes and scrapes (ingest
   cancels out), (c) only the gaps between writes (no ingest), minus the
   scoring-off process's gaps. Target: under 100 ms of CPU per round. Also
   the document: centers, services, states and JSON size; and, as the
   reference, the default signals' queries on the same data in Prometheus
   (Debian `prometheus`, remote-write receiver), timed as on Meridian.

    python3 scripts/bench_health.py --bin .build/release/meridian --preset small \
        --json bench-out/health-small.json --txt bench-out/health-small.txt
"""
import argparse
import datetime
import http.client
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.dont_write_bytecode = True  # before the imports below: no __pycache__ in scripts/
import bench_common  # noqa: E402  (puts BENCH_DIR, ../shared/bench, on sys.path)
from bench_common import Meridian, OtherCpu, histogram_quantile, make_log, pct  # noqa: E402
import load  # noqa: E402
import rw  # noqa: E402
import servers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CHILDREN = []  # PIDs of clients (bench_health_client, wrk) running now

PRESETS = {
    "small": {"intervals": "1s", "trials": 3, "rate": 1000, "seconds": 3, "conns": 8, "wrk_seconds": 3,
              "centers": 10, "services": 20, "window": 40, "warmup": 15},
    "bench": {"intervals": "1s,5s", "trials": 10, "rate": 2000, "seconds": 10, "conns": 16, "wrk_seconds": 10,
              "centers": 100, "services": 50, "window": 120, "warmup": 20},
}
SCENARIO_CENTERS = ["bj", "sh", "gz"]
SCENARIO_SERVICES = ["checkout", "search"]
FALL, RISE = 3, 5
HEALTHY_ERROR_RATIO, BAD_ERROR_RATIO = 0.001, 0.5
WRITE_PERIOD = 0.25
PROBE_P99_TARGET_S = 0.002
# The server's cheapest route (a constant answer): the HTTP stack's own floor,
# to compare the feed's routes with.
BASELINE = "/-/ready"
ROUND_CPU_TARGET_S = 0.1


log = make_log("health")


def parse_seconds(text):
    m = re.fullmatch(r"([0-9.]+)(ms|s|m)?", text.strip())
    if not m:
        raise ValueError(f"not a duration: {text}")
    return float(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, None: 1}[m.group(2)]


def rfc3339(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


# ---------------------------------------------------------------- servers and clients
CLIENT_CPU = [0.0]  # CPU seconds of the clients run and waited for (cc, bench_health_client, wrk)


def children_cpu_s():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def own_cpu_s():
    """CPU seconds of this script, its finished clients, and every server it started."""
    return bench_common.own_cpu_s() + CLIENT_CPU[0]


def stop_all(*_):
    """Ends the clients running now, then stops every server."""
    for pid in list(CHILDREN):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    CHILDREN.clear()
    bench_common.stop_all()


class Conn:
    """A keep-alive HTTP connection that reconnects once on failure."""

    def __init__(self, base_url, timeout=60):
        u = urllib.parse.urlsplit(base_url)
        self.host, self.port, self.timeout = u.hostname, u.port, timeout
        self.c = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(2):
            try:
                if self.c is None:
                    self.c = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                self.c.request(method, path, body=body, headers=headers or {})
                r = self.c.getresponse()
                text = r.read()
                if r.will_close:
                    self.c.close()
                    self.c = None
                return r.status, dict((k.lower(), v) for k, v in r.getheaders()), text
            except (OSError, http.client.HTTPException):
                if self.c is not None:
                    self.c.close()
                self.c = None
                if attempt:
                    raise
        return None, {}, b""

    def write(self, body):
        code, _, text = self.request("POST", "/api/v1/write", body, rw.HEADERS)
        if code != 204:
            raise RuntimeError(f"remote write: {code} {text[:300]!r}")

    def close(self):
        if self.c is not None:
            self.c.close()
            self.c = None


def scrape(conn):
    """Meridian's /metrics as {name{labels}: value} (the text as written)."""
    code, _, body = conn.request("GET", "/metrics")
    if code != 200:
        raise RuntimeError(f"/metrics: {code}")
    out = {}
    for line in body.decode().splitlines():
        if not line or line[0] == "#":
            continue
        key, _, value = line.rpartition(" ")
        try:
            out[key.replace(" ", "")] = float(value)
        except ValueError:
            pass
    return out


def round_histogram(m, name="meridian_scoring_round_duration_seconds"):
    """({le: cumulative count}, sum, count) of the round-duration histogram."""
    buckets = {}
    for k, v in m.items():
        if k.startswith(name + "_bucket{"):
            le = re.search(r'le="([^"]+)"', k).group(1)
            buckets[math.inf if le == "+Inf" else float(le)] = v
    return buckets, m.get(name + "_sum", 0.0), m.get(name + "_count", 0.0)


# ---------------------------------------------------------------- the scenario (parts 1 and 2)
def scenario_yaml(interval):
    """The integration tests' scoring config (HealthFeed+Helpers.swift) at `interval`."""
    return f"""scoring:
  interval: {interval}
  fall: {FALL}
  rise: {RISE}
  min_healthy_centers: 1
  centers:
    - {{name: bj, capacity: 1, answers: [192.0.2.1]}}
    - {{name: sh, capacity: 1, answers: [192.0.2.2]}}
    - {{name: gz, capacity: 1, answers: [192.0.2.3]}}
  regions:
    - {{name: north, prefer: [bj, sh, gz]}}
    - {{name: south, prefer: [gz, sh, bj]}}
  signals:
    - name: error_ratio
      expr: max by (center, service) (test_error_ratio)
      good: 0.01
      bad: 0.05
      weight: 3
      down_above: 0.2
    - name: latency_p99
      expr: max by (center, service) (test_latency_p99_seconds)
      good: 0.5
      bad: 2
      weight: 2
      latency: true
    - name: availability
      expr: avg by (center, service) (up)
      good: 1
      bad: 0.5
      weight: 2
      down_below: 0.5
"""


class GaugeWriter(threading.Thread):
    """Writes each center's gauges (error ratio, p99 latency, up) for every
    service every WRITE_PERIOD seconds at the wall clock (ticks on multiples of
    the period); `set` changes a center's error ratio with a write of its own,
    under the same lock, so no later periodic write carries the old value."""

    def __init__(self, url, centers, services):
        super().__init__(daemon=True)
        self.centers, self.services = centers, services
        self.values = {c: HEALTHY_ERROR_RATIO for c in centers}
        self.lock = threading.Lock()
        self.conn = Conn(url, timeout=30)
        self.stop_flag = threading.Event()
        self.writes = 0
        self.late = 0  # ticks skipped because a write ran past the next one
        self.errors = []

    def body(self, t_ms, centers):
        series = []
        for c in centers:
            for s in self.services:
                base = [("center", c), ("service", s)]
                series.append(([("__name__", "test_error_ratio")] + base, [(self.values[c], t_ms)]))
                series.append(([("__name__", "test_latency_p99_seconds")] + base, [(0.1, t_ms)]))
                series.append(([("__name__", "up"), ("instance", f"{c}-{s}")] + base, [(1.0, t_ms)]))
        return rw.compress(rw.encode_write_request(series))

    def run(self):
        tick = math.ceil(time.time() / WRITE_PERIOD) * WRITE_PERIOD
        while not self.stop_flag.is_set():
            delay = tick - time.time()
            if delay > 0:
                time.sleep(delay)
            with self.lock:
                try:
                    self.conn.write(self.body(int(time.time() * 1000), self.centers))
                    self.writes += 1
                except Exception as e:  # noqa: BLE001
                    if len(self.errors) < 5:
                        self.errors.append(f"write: {e}")
            tick += WRITE_PERIOD
            while tick < time.time():
                tick += WRITE_PERIOD
                self.late += 1

    def set(self, center, error_ratio):
        """Sets a center's error ratio and writes it at once.
        Returns (perf_counter, wall time) of the acknowledgement."""
        with self.lock:
            self.values[center] = error_ratio
            self.conn.write(self.body(int(time.time() * 1000), [center]))
            return time.perf_counter(), time.time()

    def stop(self):
        self.stop_flag.set()
        self.join(timeout=5)


class FeedWatch:
    """Watches /api/v1/health with a long poll and with a 20 ms poll; keeps
    every round seen (round -> generated_at) and the first time each watcher
    saw a condition after a mark."""

    def __init__(self, url, poll_s=0.02, wait="30s"):
        self.url, self.poll_s, self.wait = url, poll_s, wait
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.rounds = {}  # round -> generated_at (epoch seconds)
        self.latest = None  # the newest document seen (either watcher)
        self.target = None  # (center, state, since_perf) while a trial waits
        self.seen = {}  # watcher -> (perf_counter, round) of the first match
        self.errors = []
        self.long_polls = {"200": 0, "304": 0, "other": 0}
        self.threads = [threading.Thread(target=self.long_poll, daemon=True),
                        threading.Thread(target=self.poll, daemon=True)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=40)

    def arm(self, center, state, since):
        with self.lock:
            self.target = (center, state, since)
            self.seen = {}
            doc = self.latest
        return doc

    def state(self, center):
        with self.lock:
            doc = self.latest
        return center_state(doc, center) if doc else None

    def note(self, who, doc, t):
        with self.lock:
            self.rounds[doc["round"]] = rfc3339(doc["generated_at"])
            if self.latest is None or doc["round"] >= self.latest["round"]:
                self.latest = doc
            if self.target and who not in self.seen:
                center, state, since = self.target
                if t > since and center_state(doc, center) == state:
                    self.seen[who] = (t, doc["round"])

    def long_poll(self):
        conn = Conn(self.url, timeout=60)
        etag = None
        while not self.stop_flag.is_set():
            path = "/api/v1/health" + (f"?wait={self.wait}" if etag else "")
            try:
                code, headers, body = conn.request("GET", path, headers={"If-None-Match": etag} if etag else {})
            except (OSError, http.client.HTTPException) as e:
                self.error(f"long poll: {e}")
                time.sleep(0.1)
                continue
            t = time.perf_counter()
            if code == 200:
                self.long_polls["200"] += 1
                etag = headers.get("etag")
                self.note("long_poll", json.loads(body)["data"], t)
            elif code == 304:
                self.long_polls["304"] += 1
            else:
                self.long_polls["other"] += 1
                if code != 503:  # 503 before the first round
                    self.error(f"long poll: {code} {body[:200]!r}")
                time.sleep(0.1)

    def poll(self):
        conn = Conn(self.url, timeout=30)
        while not self.stop_flag.is_set():
            t_start = time.perf_counter()
            try:
                code, _, body = conn.request("GET", "/api/v1/health")
                if code == 200:
                    self.note("poll", json.loads(body)["data"], time.perf_counter())
                elif code != 503:
                    self.error(f"poll: {code} {body[:200]!r}")
            except (OSError, http.client.HTTPException) as e:
                self.error(f"poll: {e}")
            time.sleep(max(0.0, self.poll_s - (time.perf_counter() - t_start)))

    def error(self, text):
        if len(self.errors) < 10:
            self.errors.append(text)


def center_state(doc, name):
    for c in doc.get("centers", []):
        if c["name"] == name:
            return c["state"]
    return None


def wait_for(cond, timeout, what, every=0.01):
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if cond():
            return True
        time.sleep(every)
    raise RuntimeError(f"{what}: not within {timeout:.0f}s")


def start_scenario(binary, work, name, interval_text):
    srv = Meridian(binary, work, name, config_text=scenario_yaml(interval_text)).start()
    writer = GaugeWriter(srv.url, SCENARIO_CENTERS, SCENARIO_SERVICES)
    writer.start()
    return srv, writer


# ---------------------------------------------------------------- part 1: reaction time
def part_reaction(binary, work, interval_text, trials, rng):
    interval = parse_seconds(interval_text)
    target = interval * FALL + interval
    recovery_target = interval * RISE + interval
    srv, writer = start_scenario(binary, work, f"reaction-{interval_text}", interval_text)
    watch = FeedWatch(srv.url).start()
    rows, problems = [], []
    try:
        log(f"reaction ({interval_text} rounds): waiting for bj, sh, gz to be up")
        wait_for(lambda: all(watch.state(c) == "up" for c in SCENARIO_CENTERS), 60 + 10 * interval,
                 "all three centers up")
        for i in range(trials):
            time.sleep(rng.uniform(0.5, 0.5 + interval))  # a random moment against the rounds and the writes
            t_ack, wall_ack = writer.set("bj", BAD_ERROR_RATIO)
            watch.arm("bj", "down", t_ack)
            wait_for(lambda: len(watch.seen) == 2, 3 * target + 15, f"trial {i + 1}: bj down")
            with watch.lock:
                seen = dict(watch.seen)
                rounds = dict(watch.rounds)
            down_round = min(r for _, r in seen.values())
            after = [r for r, g in rounds.items() if g >= wall_ack - 0.0005 and r <= down_round]
            row = {"long_poll_s": round(seen["long_poll"][0] - t_ack, 4), "poll_s": round(seen["poll"][0] - t_ack, 4),
                   "down_round": down_round, "rounds_seen_bad": len(after) if after else None}
            # recover: bj healthy again, timed to `up`
            t_good, _ = writer.set("bj", HEALTHY_ERROR_RATIO)
            watch.arm("bj", "up", t_good)
            wait_for(lambda: "poll" in watch.seen, 3 * recovery_target + 15, f"trial {i + 1}: bj up again")
            row["recovery_s"] = round(watch.seen["poll"][0] - t_good, 4)
            rows.append(row)
            log(f"  reaction ({interval_text}) trial {i + 1}/{trials}: down after {row['long_poll_s']:.3f}s"
                f" (long poll) / {row['poll_s']:.3f}s (20 ms poll), {row['rounds_seen_bad']} rounds;"
                f" up again after {row['recovery_s']:.2f}s")
    finally:
        watch.stop()
        writer.stop()
        problems = srv.log_problems()
        srv.stop()
    lp = [r["long_poll_s"] for r in rows]
    po = [r["poll_s"] for r in rows]
    rec = [r["recovery_s"] for r in rows]
    summ = lambda v: {"min": min(v), "median": round(statistics.median(v), 4), "p90": pct(v, 90),  # noqa: E731
                      "max": max(v)} if v else {}
    return {
        "interval_s": interval, "fall": FALL, "rise": RISE, "trials": len(rows), "target_s": target,
        "recovery_target_s": recovery_target, "long_poll": summ(lp), "poll_20ms": summ(po), "recovery": summ(rec),
        "rounds_seen_bad": [r["rounds_seen_bad"] for r in rows], "runs": rows,
        "met": bool(lp) and max(max(lp), max(po)) <= target,
        "writer": {"writes": writer.writes, "late_ticks": writer.late, "errors": writer.errors},
        "long_polls": watch.long_polls, "errors": watch.errors, "log_lines": problems[:20],
    }


# ---------------------------------------------------------------- part 2: probe and JSON latency
def build_client():
    src = os.path.join(HERE, "bench_health_client.c")
    out = os.path.join(tempfile.gettempdir(), f"bench_health_client-{os.getpid()}")
    c0 = children_cpu_s()
    subprocess.run(["cc", "-O2", "-o", out, src], check=True)
    CLIENT_CPU[0] += children_cpu_s() - c0
    return out


def run_client(client, port, path, rate, seconds, conns, expect):
    c0 = children_cpu_s()
    p = subprocess.Popen([client, "127.0.0.1", str(port), path, str(rate), str(seconds), str(conns), expect],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    CHILDREN.append(p.pid)
    out, err = p.communicate(timeout=seconds + 60)
    CHILDREN.remove(p.pid)
    CLIENT_CPU[0] += children_cpu_s() - c0
    if p.returncode != 0:
        raise RuntimeError(f"bench_health_client: exit {p.returncode}: {err.decode()[:300]}")
    return json.loads(out)


def run_wrk(url, seconds):
    c0 = children_cpu_s()
    p = subprocess.Popen(["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", url],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    CHILDREN.append(p.pid)
    out, _ = p.communicate(timeout=seconds + 60)
    CHILDREN.remove(p.pid)
    r_cpu = children_cpu_s() - c0
    CLIENT_CPU[0] += r_cpu
    text = out.decode()
    r = {"requests_per_s": None, "non_2xx": 0, "socket_errors": None, "wrk_cpu_s": round(r_cpu, 2)}
    m = re.search(r"Requests/sec:\s+([0-9.]+)", text)
    if m:
        r["requests_per_s"] = float(m.group(1))
    m = re.search(r"(\d+) requests in", text)
    if m:
        r["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if m:
        r["non_2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: (.*)", text)
    if m:
        r["socket_errors"] = m.group(1).strip()
    unit = {"us": 1e-3, "ms": 1.0, "s": 1000.0}
    for q in ("50", "90", "99"):
        m = re.search(rf"^\s+{q}%\s+([0-9.]+)(us|ms|s)\s*$", text, re.M)
        if m:
            r[f"p{q}_ms"] = round(float(m.group(1)) * unit[m.group(2)], 3)
    if r["requests_per_s"] is None:
        r["output"] = text[-500:]
    return r


def part_latency(binary, work, rate, seconds, conns, wrk_seconds):
    client = build_client()
    srv, writer = start_scenario(binary, work, "latency", "1s")
    conn = Conn(srv.url)
    out = {"rate": rate, "seconds": seconds, "conns": conns, "wrk_seconds": wrk_seconds, "paths": {}}
    try:
        log("latency: waiting for bj to be up")

        def bj_up():
            code, _, body = conn.request("GET", "/probe/bj")
            return code == 200 and body.startswith(b"UP")
        wait_for(bj_up, 60, "bj up", every=0.2)
        code, headers, body = conn.request("GET", "/api/v1/health")
        out["json_bytes"] = len(body)
        code, _, body = conn.request("GET", "/probe/bj")
        out["probe_body"] = body.decode(errors="replace")
        for path, expect in (("/probe/bj", "UP"), ("/api/v1/health", '{"status":"success"'), (BASELINE, "")):
            log(f"latency: {rate}/s for {seconds}s on {path} ({conns} connections, open loop)")
            c0, m0 = srv.cpu(), scrape(conn)
            r = run_client(client, srv.port, path, rate, seconds, conns, expect)
            r["server_cpu_s"] = round(srv.cpu() - c0, 3)
            r["server_cpu_us_per_request"] = round(r["server_cpu_s"] / max(1, r["completed"]) * 1e6, 1)
            m1 = scrape(conn)
            r["rounds_during"] = m1.get("meridian_scoring_rounds_total", 0) - m0.get("meridian_scoring_rounds_total", 0)
            r["met"] = None if path == BASELINE else r["p99_us"] < PROBE_P99_TARGET_S * 1e6 and r["errors"] == 0 and r["unexpected"] == 0 \
                and r["achieved_rate"] >= 0.98 * rate
            log(f"  {path}: p50 {r['p50_us'] / 1000:.3f} ms, p99 {r['p99_us'] / 1000:.3f} ms,"
                f" p99.9 {r['p999_us'] / 1000:.3f} ms, max {r['max_us'] / 1000:.2f} ms,"
                f" {r['achieved_rate']:,.0f}/s, codes {r['codes']}, errors {r['errors']},"
                f" unexpected {r['unexpected']}; server {r['server_cpu_us_per_request']} us CPU a request")
            out["paths"][path] = {"open_loop": r}
            time.sleep(1)
        for path in ("/probe/bj", "/api/v1/health", BASELINE):
            log(f"latency: wrk -t2 -c32 -d{wrk_seconds}s {path}")
            c0 = srv.cpu()
            w = run_wrk(srv.url + path, wrk_seconds)
            w["server_cpu_s"] = round(srv.cpu() - c0, 2)
            w["server_cores"] = round(w["server_cpu_s"] / wrk_seconds, 2)
            log(f"  {path}: {w['requests_per_s'] or 0:,.0f} requests/s, non-2xx {w['non_2xx']},"
                f" server {w['server_cores']} cores")
            out["paths"][path]["wrk"] = w
            time.sleep(1)
        out["bj_state_after"] = conn.request("GET", "/probe/bj")[2].decode(errors="replace").splitlines()[0]
    finally:
        writer.stop()
        conn.close()
        problems = srv.log_problems()
        srv.stop()
        try:
            os.unlink(client)
        except OSError:
            pass
    out["writer"] = {"writes": writer.writes, "late_ticks": writer.late, "errors": writer.errors}
    out["log_lines"] = problems[:20]
    return out


# ---------------------------------------------------------------- part 3: cost of a round
LES = ["0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
LE_FRACTION = [0.9, 0.995, 0.999, 1.0, 1.0, 1.0]  # p99 between 0.1 and 0.25 s: healthy


class ConventionalData:
    """The series the default signals read, per center and service: request
    counters (200 and 503), duration buckets and up; counters grow at a rate of
    their own (50-150 requests/s, 0.2% errors)."""

    def __init__(self, n_centers, n_services, seed=1):
        rng = random.Random(seed)
        self.series = []  # (labels bytes, value function of t)
        self.origin = time.time() - 86400  # counters started a day ago
        for c in range(n_centers):
            center = f"c{c:03d}"
            for s in range(n_services):
                service = f"svc{s:02d}"
                base = [("center", center), ("service", service), ("job", "app")]
                rps = rng.uniform(50, 150)
                err = 0.002
                self.add([("__name__", "http_requests_total"), ("code", "200")] + base, rps * (1 - err), "counter")
                self.add([("__name__", "http_requests_total"), ("code", "503")] + base, rps * err, "counter")
                for le, frac in zip(LES, LE_FRACTION):
                    self.add([("__name__", "http_request_duration_seconds_bucket"), ("le", le)] + base, rps * frac,
                             "counter")
                self.add([("__name__", "up"), ("instance", f"{center}-{service}")] + base, 1.0, "gauge")
        self.n_centers, self.n_services = n_centers, n_services

    def add(self, labels, x, kind):
        self.series.append((rw.encode_labels(labels), x, kind))

    def bodies(self, times, parts=10):
        """Snappy bodies holding every series at each of `times` (epoch seconds), in `parts` requests."""
        per = math.ceil(len(self.series) / parts)
        out = []
        for k in range(0, len(self.series), per):
            chunk = []
            for lb, x, kind in self.series[k:k + per]:
                samples = [((x * (t - self.origin)) if kind == "counter" else x, int(t * 1000)) for t in times]
                chunk.append(rw.encode_timeseries(lb, samples))
            out.append(rw.compress(b"".join(chunk)))
        return out


# meridian_scoring_last_round_phase_seconds{phase=...}
PHASES = ("queries", "evaluation", "write_back")
# The enabled signals of the embedded default config (config/meridian.yaml), for
# timing their queries on their own.
DEFAULT_SIGNALS = [
    ("error_ratio", '(sum by (center, service) (rate(http_requests_total{code=~"5.."}[1m]))'
                    ' or sum by (center, service) (rate(http_requests_total[1m])) * 0)'
                    ' / sum by (center, service) (rate(http_requests_total[1m]))'),
    ("latency_p99", "histogram_quantile(0.99, sum by (center, service, le)"
                    " (rate(http_request_duration_seconds_bucket[1m])))"),
    ("availability", "avg by (center, service) (up)"),
]


def part_round(binary, work, data, mode, window, warmup, write_every=10.0, history_s=180, history_step=15,
               probe=None):
    """One process (mode 'on': the embedded default config; 'off': scoring
    disabled), the history written, then writes every `write_every` seconds;
    after `warmup`, `window` seconds measured. /metrics is read every second
    (by both, so they do the same work but for scoring)."""
    cfg = None if mode == "on" else "scoring:\n  enabled: false\n"
    srv = Meridian(binary, work, f"round-{mode}", config_text=cfg).start()
    conn, mconn = Conn(srv.url), Conn(srv.url)
    r = {"mode": mode}
    try:
        now = time.time()
        times = [now - history_s + k * history_step for k in range(history_s // history_step)]
        log(f"round cost [{mode}]: writing {len(data.series):,} series x {len(times)} samples of history"
            f" ({data.n_centers} centers x {data.n_services} services)")
        t0 = time.perf_counter()
        for body in data.bodies(times):
            conn.write(body)
        r["history_write_s"] = round(time.perf_counter() - t0, 2)
        r["series"] = len(data.series)

        def live_write():
            for body in data.bodies([time.time()]):
                conn.write(body)

        # warm-up: live writes every write_every s
        next_write = time.perf_counter()
        end_warm = time.perf_counter() + warmup
        while time.perf_counter() < end_warm:
            if time.perf_counter() >= next_write:
                live_write()
                next_write += write_every
            time.sleep(0.05)
        log(f"round cost [{mode}]: measuring for {window:.0f}s (a write every {write_every:.0f}s,"
            f" /metrics every second)")
        m_start = scrape(mconn)
        c_start, t_start = srv.cpu(), time.perf_counter()
        gap_cpu = gap_s = gap_rounds = 0.0
        gap_open = None  # (cpu, t, rounds) at the start of the current gap
        per_round = []  # (rounds_total, last_round_s) as seen each second
        last_rounds = m_start.get("meridian_scoring_rounds_total", 0.0)
        skipped = 0
        round_times = []  # (perf_counter, rounds_total) when a new round was first seen
        phases = {}  # phase -> the last round's phase seconds, as seen each second
        write_s = []
        end = t_start + window
        next_scrape = t_start + 1
        while True:
            now_p = time.perf_counter()
            if now_p >= end:
                break
            if now_p >= next_write:
                m = scrape(mconn)
                if gap_open:
                    gap_cpu += srv.cpu() - gap_open[0]
                    gap_s += time.perf_counter() - gap_open[1]
                    gap_rounds += m.get("meridian_scoring_rounds_total", 0.0) - gap_open[2]
                tw = time.perf_counter()
                live_write()
                write_s.append(time.perf_counter() - tw)
                m = scrape(mconn)
                gap_open = (srv.cpu(), time.perf_counter(), m.get("meridian_scoring_rounds_total", 0.0))
                next_write += write_every
            if now_p >= next_scrape:
                m = scrape(mconn)
                rounds = m.get("meridian_scoring_rounds_total", 0.0)
                if rounds > last_rounds:
                    if rounds - last_rounds > 1:
                        skipped += int(rounds - last_rounds - 1)
                    per_round.append(m.get("meridian_scoring_last_round_duration_seconds"))
                    for ph in PHASES:
                        v = m.get(f'meridian_scoring_last_round_phase_seconds{{phase="{ph}"}}')
                        if v is not None:
                            phases.setdefault(ph, []).append(v)
                    round_times.append((now_p, rounds))
                    last_rounds = rounds
                next_scrape += 1
            time.sleep(max(0.0, min(next_scrape, next_write, end) - time.perf_counter()))
        m_end = scrape(mconn)
        cpu = srv.cpu() - c_start
        wall = time.perf_counter() - t_start
        if gap_open:  # the last gap ends with the window
            gap_cpu += srv.cpu() - gap_open[0]
            gap_s += time.perf_counter() - gap_open[1]
            gap_rounds += m_end.get("meridian_scoring_rounds_total", 0.0) - gap_open[2]
        rounds = m_end.get("meridian_scoring_rounds_total", 0.0) - m_start.get("meridian_scoring_rounds_total", 0.0)
        b0, s0, n0 = round_histogram(m_start)
        b1, s1, n1 = round_histogram(m_end)
        delta = {le: b1.get(le, 0) - b0.get(le, 0) for le in b1}
        r.update({
            "window_s": round(wall, 2), "cpu_s": round(cpu, 3), "rounds": int(rounds),
            "gap_cpu_s": round(gap_cpu, 3), "gap_s": round(gap_s, 2), "gap_rounds": int(gap_rounds),
            "writes": len(write_s), "write_wall_s_median": round(statistics.median(write_s), 3) if write_s else None,
            "signal_failures": {k: v for k, v in m_end.items() if k.startswith("meridian_scoring_signal_failures_total")},
        })
        if mode == "on":
            rounds_seen = [x for x in per_round if x is not None]
            period = ((round_times[-1][0] - round_times[0][0]) / (round_times[-1][1] - round_times[0][1])
                      if len(round_times) > 1 else None)
            r.update({
                "round_wall_s": {"count": len(rounds_seen), "skipped_between_scrapes": skipped,
                                 "min": min(rounds_seen, default=None),
                                 "median": statistics.median(rounds_seen) if rounds_seen else None,
                                 "p90": pct(rounds_seen, 90), "max": max(rounds_seen, default=None),
                                 "values": [round(x, 4) for x in rounds_seen]},
                "histogram": {"count": int(n1 - n0), "mean_s": (s1 - s0) / (n1 - n0) if n1 > n0 else None,
                              "p50_s": histogram_quantile(0.5, delta), "p99_s": histogram_quantile(0.99, delta),
                              "buckets": {("+Inf" if le == math.inf else f"{le:g}"): c for le, c in sorted(delta.items())},
                              "all_rounds_count": int(n1), "all_rounds_mean_s": s1 / n1 if n1 else None},
                "round_period_s": round(period, 2) if period else None,
                "phases_s": {ph: {"median": round(statistics.median(v), 4), "max": round(max(v), 4)}
                             for ph, v in phases.items() if v},
            })
            # the document
            t0 = time.perf_counter()
            code, headers, body = conn.request("GET", "/api/v1/health")
            first_get = time.perf_counter() - t0
            doc = json.loads(body)["data"]
            gets = []
            for _ in range(20):
                t0 = time.perf_counter()
                conn.request("GET", "/api/v1/health")
                gets.append(time.perf_counter() - t0)
            states, svc_states = {}, {}
            for c in doc["centers"]:
                states[c["state"]] = states.get(c["state"], 0) + 1
                for s in c["services"]:
                    svc_states[s["state"]] = svc_states.get(s["state"], 0) + 1
            r["document"] = {
                "bytes": len(body), "data_bytes": len(json.dumps(doc, separators=(",", ":"))),
                "centers": len(doc["centers"]), "services": sum(len(c["services"]) for c in doc["centers"]),
                "center_states": states, "service_states": svc_states, "version": doc["version"],
                "round": doc["round"], "signal_failures": doc.get("signal_failures"),
                "fail_open": doc.get("fail_open"),
                "get_s_median": round(statistics.median(gets), 4), "get_s_max": round(max(gets), 4),
                "first_get_s": round(first_get, 4),
                "example_service": doc["centers"][0]["services"][0] if doc["centers"] and doc["centers"][0]["services"] else None,
            }
            code, _, pb = conn.request("GET", f"/probe/{doc['centers'][0]['name']}")
            r["document"]["probe_example"] = f"{code} {pb.decode(errors='replace').splitlines()[0]}"
            if probe:
                # while these rounds run: the open-loop client on one center's probe, then on the
                # baseline route (which does not touch the feed) to tell a wait on the feed from a busy process
                client, rate, seconds, conns = probe
                r["during_rounds"] = []
                for path, expect in ((f"/probe/{doc['centers'][0]['name']}", "UP"), (BASELINE, "")):
                    log(f"round cost [{mode}]: {rate}/s for {seconds:g}s on {path} while the rounds run")
                    m0 = scrape(mconn)
                    o = run_client(client, srv.port, path, rate, seconds, conns, expect)
                    m1 = scrape(mconn)
                    o["rounds_during"] = int(m1.get("meridian_scoring_rounds_total", 0)
                                             - m0.get("meridian_scoring_rounds_total", 0))
                    o["path"] = path
                    r["during_rounds"].append(o)
                    log(f"  {path}: p50 {o['p50_us'] / 1000:.3f} ms, p99 {o['p99_us'] / 1000:.3f} ms,"
                        f" p99.9 {o['p999_us'] / 1000:.3f} ms, max {o['max_us'] / 1000:.2f} ms,"
                        f" {o['achieved_rate']:,.0f}/s, {o['rounds_during']} rounds during it, codes {o['codes']}")
        else:
            # the default signals' queries on the same data, one at a time, in the process that does not score
            r["queries"] = time_default_queries(conn, srv.cpu, mode)
        log(f"round cost [{mode}]: {int(rounds)} rounds, {cpu:.2f} CPU-s over {wall:.0f}s"
            + (f"; rounds {1000 * r['round_wall_s']['median']:.0f} ms median, {1000 * r['round_wall_s']['max']:.0f} ms max;"
               f" document {r['document']['centers']} centers, {r['document']['services']:,} services,"
               f" {r['document']['bytes']:,} bytes" if mode == "on" and r["round_wall_s"]["count"] else ""))
    finally:
        conn.close()
        mconn.close()
        r["log_lines"] = srv.log_problems()[:20]
        srv.stop()
    return r


def time_default_queries(conn, cpu, name):
    """Each default signal's query at now, 3 times: median wall and CPU seconds (`cpu()` reads the
    server's CPU) and the series in the answer."""
    out = {}
    for signal, expr in DEFAULT_SIGNALS:
        walls, cpus = [], []
        for _ in range(3):
            c0, t0 = cpu(), time.perf_counter()
            q = urllib.parse.urlencode({"query": expr, "time": f"{time.time():.3f}"})
            code, _, body = conn.request("GET", "/api/v1/query?" + q)
            walls.append(time.perf_counter() - t0)
            cpus.append(cpu() - c0)
            if code != 200:
                raise RuntimeError(f"{name}: query {signal}: {code} {body[:300]!r}")
        n = len(json.loads(body)["data"]["result"])
        out[signal] = {"wall_s_median": round(statistics.median(walls), 4),
                       "cpu_s_median": round(statistics.median(cpus), 3), "series": n}
        log(f"round cost [{name}]: query {signal}: {statistics.median(walls) * 1000:.0f} ms, {n:,} series")
    return out


def prometheus_queries(work, data, history_s=180, history_step=15):
    """The reference: the same history written to Prometheus 2.42 (remote-write receiver), then the
    default signals' queries timed as on Meridian."""
    info = servers.start("prometheus", os.path.join(work, "prometheus"))
    bench_common.STARTED.append(info["pid"])
    conn = Conn(info["url"])
    try:
        now = time.time()
        times = [now - history_s + k * history_step for k in range(history_s // history_step)] + [now]
        log(f"round cost [prometheus]: writing {len(data.series):,} series x {len(times)} samples")
        for body in data.bodies(times):
            code, _, text = conn.request("POST", "/api/v1/write", body, rw.HEADERS)
            if code not in (200, 204):
                raise RuntimeError(f"prometheus write: {code} {text[:300]!r}")
        return {"version": prometheus_version(), "queries": time_default_queries(
            conn, lambda: load.proc_cpu_seconds(info["pid"]), "prometheus")}
    finally:
        conn.close()
        servers.stop(info["pid"])
        bench_common.STARTED.remove(info["pid"])


def prometheus_version():
    out = subprocess.run(["prometheus", "--version"], capture_output=True, text=True).stdout
    m = re.search(r"version ([0-9.]+)", out)
    return m.group(1) if m else "?"


def round_cost(binary, work, n_centers, n_services, window, warmup, probe):
    data = ConventionalData(n_centers, n_services)
    client = build_client()
    try:
        on = part_round(binary, work, data, "on", window, warmup, probe=(client,) + probe)
    finally:
        os.unlink(client)
    off = part_round(binary, work, data, "off", window, warmup)
    prometheus = prometheus_queries(work, data)
    rounds, gap_rounds = max(1, on["rounds"]), max(1, on["gap_rounds"])
    off_rate = off["cpu_s"] / off["window_s"]
    off_gap_rate = off["gap_cpu_s"] / off["gap_s"] if off["gap_s"] else 0.0
    cpu = {
        "all_per_round_s": on["cpu_s"] / rounds,
        "net_per_round_s": (on["cpu_s"] - off_rate * on["window_s"]) / rounds,
        "gaps_per_round_s": on["gap_cpu_s"] / gap_rounds,
        "gaps_net_per_round_s": (on["gap_cpu_s"] - off_gap_rate * on["gap_s"]) / gap_rounds,
        "off_cores": off_rate, "off_gap_cores": off_gap_rate,
    }
    cpu = {k: round(v, 4) for k, v in cpu.items()}
    return {"centers": n_centers, "services_per_center": n_services, "interval_s": 5.0, "on": on, "off": off,
            "prometheus": prometheus, "cpu": cpu, "met": cpu["net_per_round_s"] < ROUND_CPU_TARGET_S
            and cpu["gaps_net_per_round_s"] < ROUND_CPU_TARGET_S}


# ---------------------------------------------------------------- report
def fmt(x, nd=0, scale=1.0):
    if x is None:
        return "-"
    return f"{x * scale:,.{nd}f}"


def report(res):
    lines = [f"# Health feed benchmark ({res['preset']}; {res['started']}, total {res['total_s']:.0f}s,"
             f" {res['cpus']} cores shared by the clients and the server)", "",
             f"Binary built {res.get('binary_built', '?')}, work tree at {res.get('source') or '?'} when the run"
             f" started (every server started from a copy taken then).", ""]
    rs = res.get("reaction")
    if rs:
        lines += ["## 1. Reaction time: a bad write acknowledged to the feed showing the center `down`", "",
                  f"Scenario: 3 centers x 2 services, gauges written every {WRITE_PERIOD * 1000:.0f} ms; at a random"
                  f" moment bj's error ratio goes to {BAD_ERROR_RATIO} (past down_above 0.2: a veto); fall {FALL},"
                  f" rise {RISE}. Seen by a long poll (`?wait=30s` + If-None-Match) and by a GET every 20 ms.", "",
                  "| interval | trials | min | median | p90 | max | target (interval x fall + interval) | rounds seen bad |"
                  " recovery median / max (target interval x rise + interval) |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in rs:
            lp, po, rec = r["long_poll"], r["poll_20ms"], r["recovery"]
            lines.append(
                f"| {r['interval_s']:g} s | {r['trials']} | {lp['min']:.3f} s | {lp['median']:.3f} s"
                f" (poll {po['median']:.3f}) | {lp['p90']:.3f} s | {lp['max']:.3f} s (poll {po['max']:.3f}) |"
                f" {r['target_s']:g} s: {'met' if r['met'] else 'MISSED'} |"
                f" {','.join(str(x) for x in r['rounds_seen_bad'])} |"
                f" {rec['median']:.2f} s / {rec['max']:.2f} s ({r['recovery_target_s']:g} s:"
                f" {'met' if rec['max'] <= r['recovery_target_s'] else 'MISSED'}) |")
        lines += ["", "Rounds seen bad: rounds whose generated_at is at or after the write's acknowledgement, up to the"
                  " first showing `down` (fall 3 means 3). Recovery: bj is made healthy right after the"
                  " round that showed `down`, so it is about rise x interval, not a random phase.", ""]
    lat = res.get("latency")
    if lat:
        lines += [f"## 2. Probe and JSON latency, open loop at {lat['rate']:,}/s for {lat['seconds']}s"
                  f" ({lat['conns']} keep-alive connections; latency from each request's scheduled time)", "",
                  f"The client (scripts/bench_health_client.c, one thread, epoll) and wrk share the {res['cpus']}"
                  f" cores with the server. Scenario document: {lat.get('json_bytes', 0):,} bytes."
                  f" `{BASELINE}` (a constant answer) is the HTTP stack's floor on this machine, for comparison.", "",
                  "| path | p50 | p99 | p99.9 | max | achieved/s | codes | errors | server CPU a request |"
                  " p99 < 2 ms | wrk -t2 -c32 requests/s (p50 / p99) |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for path, p in lat["paths"].items():
            o, w = p["open_loop"], p.get("wrk", {})
            lines.append(
                f"| `{path}` | {o['p50_us'] / 1000:.3f} ms | {o['p99_us'] / 1000:.3f} ms | {o['p999_us'] / 1000:.3f} ms |"
                f" {o['max_us'] / 1000:.2f} ms | {o['achieved_rate']:,.0f} | {o['codes']} |"
                f" {o['errors'] + o['incomplete']} (unexpected {o['unexpected']}) | {o['server_cpu_us_per_request']:.0f} us |"
                f" {'baseline' if o['met'] is None else 'met' if o['met'] else 'MISSED'} | {fmt(w.get('requests_per_s'))} ({fmt(w.get('p50_ms'), 2)} /"
                f" {fmt(w.get('p99_ms'), 2)} ms, non-2xx {w.get('non_2xx', '-')}, server {w.get('server_cores', '-')} cores) |")
        lines.append("")
    rc = res.get("round")
    if rc:
        on, off, cpu = rc["on"], rc["off"], rc["cpu"]
        d = on.get("document", {})
        rw_ = on.get("round_wall_s", {})
        h = on.get("histogram", {})
        lines += [f"## 3. One evaluation round at {rc['centers']} centers x {rc['services_per_center']} services"
                  f" (default signals, interval 5s)", "",
                  f"{on['series']:,} series (http_requests_total 200/503, 6 duration buckets, up per service):"
                  f" 3 min of history at 15 s spacing, then a write every 10 s while measuring"
                  f" ({on['window_s']:.0f} s, {on['rounds']} rounds; /metrics read every second).", "",
                  "| | |", "|---|---|",
                  f"| round wall time (meridian_scoring_last_round_duration_seconds, {rw_.get('count', 0)} rounds) |"
                  f" median {fmt(rw_.get('median'), 1, 1000)} ms, p90 {fmt(rw_.get('p90'), 1, 1000)} ms,"
                  f" max {fmt(rw_.get('max'), 1, 1000)} ms (min {fmt(rw_.get('min'), 1, 1000)} ms) |",
                  f"| histogram over the window ({h.get('count', 0)} rounds) | mean {fmt(h.get('mean_s'), 1, 1000)} ms,"
                  f" p50 {fmt(h.get('p50_s'), 0, 1000)} ms, p99 {fmt(h.get('p99_s'), 0, 1000)} ms (bucket-interpolated) |",
                  ] + ([
                  "| phases of a round (meridian_scoring_last_round_phase_seconds), median / max | "
                  + ", ".join(f"{ph} {v['median'] * 1000:,.1f} / {v['max'] * 1000:,.1f} ms"
                              for ph, v in on["phases_s"].items()) + " |"] if on.get("phases_s") else []) + [
                  f"| time from one round to the next (mean; rounds seen by 1 s scrapes) | {fmt(on.get('round_period_s'), 2)} s |",
                  f"| CPU a round: all the process did / rounds | {fmt(cpu['all_per_round_s'], 1, 1000)} ms"
                  f" (includes ingesting {on['writes']} writes of {on['series']:,} samples and the scrapes) |",
                  f"| CPU a round: minus the same process with scoring off | {fmt(cpu['net_per_round_s'], 1, 1000)} ms"
                  f" (scoring off: {cpu['off_cores']:.3f} cores) |",
                  f"| CPU a round between writes (no ingest): all / minus scoring off |"
                  f" {fmt(cpu['gaps_per_round_s'], 1, 1000)} ms / {fmt(cpu['gaps_net_per_round_s'], 1, 1000)} ms"
                  f" ({on['gap_rounds']} rounds over {on['gap_s']:.0f} s) |",
                  f"| document | {d.get('centers')} centers, {d.get('services', 0):,} services, {d.get('bytes', 0):,} bytes"
                  f" ({d.get('bytes', 0) / 1024:,.0f} KiB); centers {d.get('center_states')}, services {d.get('service_states')} |",
                  f"| GET /api/v1/health of it (sequential) | median {fmt(d.get('get_s_median'), 1, 1000)} ms,"
                  f" max {fmt(d.get('get_s_max'), 1, 1000)} ms |",
                  ]
        qs = off.get("queries")
        if qs:
            total = sum(q["wall_s_median"] for q in qs.values())
            lines.append("| the default signals' queries alone (/api/v1/query on the scoring-off process, median of 3) | "
                         + ", ".join(f"{k} {q['wall_s_median'] * 1000:,.0f} ms ({q['series']:,} series)"
                                     for k, q in qs.items())
                         + f"; together {total * 1000:,.0f} ms wall, "
                         f"{sum(q['cpu_s_median'] for q in qs.values()) * 1000:,.0f} ms CPU |")
        prom = rc.get("prometheus")
        if qs and prom:
            pq = prom["queries"]
            mine = sum(q["cpu_s_median"] for q in qs.values())
            theirs = sum(q["cpu_s_median"] for q in pq.values())
            lines.append(f"| the same queries in Prometheus {prom['version']} on the same data (median of 3) | "
                         + ", ".join(f"{k} {q['wall_s_median'] * 1000:,.0f} ms ({q['series']:,} series)"
                                     for k, q in pq.items())
                         + f"; together {sum(q['wall_s_median'] for q in pq.values()) * 1000:,.0f} ms wall,"
                         f" {theirs * 1000:,.0f} ms CPU; Meridian / Prometheus CPU"
                         f" {mine / theirs if theirs else float('nan'):.2f} |")
        for pr in on.get("during_rounds", []):
            lines.append(f"| `{pr['path']}` at {pr['rate']:,.0f}/s for {pr['seconds']:g} s while these rounds run"
                         f" ({pr['rounds_during']} rounds during it) | p50 {pr['p50_us'] / 1000:.3f} ms, p99"
                         f" {pr['p99_us'] / 1000:.3f} ms, p99.9 {pr['p999_us'] / 1000:.3f} ms, max"
                         f" {pr['max_us'] / 1000:.2f} ms, {pr['achieved_rate']:,.0f}/s, codes {pr['codes']}"
                         + (" (the baseline: no feed involved) |" if pr["path"] == BASELINE else
                            f" (p99 < 2 ms: {'met' if pr['p99_us'] < PROBE_P99_TARGET_S * 1e6 else 'MISSED'}) |"))
        lines += ["",
                  f"CPU target under 100 ms a round: {'met' if rc['met'] else 'MISSED'} (net of scoring off:"
                  f" {fmt(cpu['net_per_round_s'], 1, 1000)} ms over the window, {fmt(cpu['gaps_net_per_round_s'], 1, 1000)} ms"
                  f" between writes). Entities: {'as expected' if d.get('centers') == rc['centers'] and d.get('services') == rc['centers'] * rc['services_per_center'] else 'NOT as expected'}"
                  f" ({rc['centers']} centers and {rc['centers'] * rc['services_per_center']:,} services)."
                  + (f" Slowest round {1000 * rw_['max']:.0f} ms: {'within' if rw_['max'] < rc['interval_s'] else 'LONGER THAN'}"
                     f" the {rc['interval_s']:g} s interval." if rw_.get("max") is not None else ""), ""]
    notes = []
    busy = {k: v for k, v in res.get("other_cpu", {}).items() if v["cores"] > 0.1}
    if busy:
        notes.append("other processes on the machine used CPU during a part (figures are pessimistic then): "
                     + ", ".join(f"{k} {v['cores']:.2f} cores on average" for k, v in busy.items()))
    for r in res.get("reaction", []):
        for e in r["errors"] + r["writer"]["errors"]:
            notes.append(f"reaction {r['interval_s']:g}s: {e}")
        if r["writer"]["late_ticks"]:
            notes.append(f"reaction {r['interval_s']:g}s: the writer skipped {r['writer']['late_ticks']} ticks")
        for line in r["log_lines"][:5]:
            notes.append(f"reaction {r['interval_s']:g}s log: {line[:300]}")
    if lat:
        for e in lat["writer"]["errors"]:
            notes.append(f"latency: {e}")
        for path, p in lat["paths"].items():
            o = p["open_loop"]
            if o["errors"] or o["incomplete"] or o["unexpected"] or set(o["codes"]) != {"200"}:
                notes.append(f"latency {path}: errors {o['errors']}, incomplete {o['incomplete']},"
                             f" unexpected bodies {o['unexpected']}, codes {o['codes']}")
            w = p.get("wrk", {})
            if w.get("non_2xx") or w.get("socket_errors"):
                notes.append(f"wrk {path}: non-2xx {w.get('non_2xx')}, socket errors {w.get('socket_errors')}")
        for line in lat["log_lines"][:5]:
            notes.append(f"latency log: {line[:300]}")
    if rc:
        for mode in ("on", "off"):
            m = rc[mode]
            if m.get("signal_failures"):
                notes.append(f"round cost [{mode}]: signal failures {m['signal_failures']}")
            for line in m["log_lines"][:5]:
                notes.append(f"round cost [{mode}] log: {line[:300]}")
        per = rc["on"].get("round_period_s")
        if per and per > rc["interval_s"] * 1.05:
            notes.append(f"round cost: rounds came every {per:.2f} s, not every {rc['interval_s']:g} s: the next"
                         " round starts an interval after the previous one ended")
        d = rc["on"].get("document", {})
        if d.get("signal_failures"):
            notes.append(f"round cost: the document's signal_failures: {d['signal_failures']}")
    if notes:
        lines += ["## Errors, log lines (warning and above) and notes", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def source_revision(binary):
    """The commit of the work tree the binary sits in (with "+dirty" for edits to
    tracked files), or None outside a git work tree."""
    cwd = os.path.dirname(binary)
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=cwd, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=".build/release/meridian")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="bench")
    ap.add_argument("--parts", default="reaction,latency,round")
    ap.add_argument("--interval", help="part 1: comma-separated scoring intervals (bench: 1s,5s)")
    ap.add_argument("--trials", type=int, help="part 1: trials per interval (bench: 10)")
    ap.add_argument("--rate", type=int, help="part 2: requests/s of the open-loop client (bench: 2000)")
    ap.add_argument("--seconds", type=float, help="part 2: seconds of each open-loop run (bench: 10)")
    ap.add_argument("--conns", type=int, help="part 2: keep-alive connections (bench: 16)")
    ap.add_argument("--wrk-seconds", type=int, help="part 2: seconds of each wrk run (bench: 10)")
    ap.add_argument("--centers", type=int, help="part 3: centers (bench: 100)")
    ap.add_argument("--services", type=int, help="part 3: services per center (bench: 50)")
    ap.add_argument("--window", type=float, help="part 3: seconds measured (bench: 120)")
    ap.add_argument("--warmup", type=float, help="part 3: seconds of writes before measuring (bench: 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json")
    ap.add_argument("--txt")
    args = ap.parse_args()
    p = dict(PRESETS[args.preset])
    for k in ("trials", "rate", "seconds", "conns", "wrk_seconds", "centers", "services", "window", "warmup"):
        if getattr(args, k) is not None:
            p[k] = getattr(args, k)
    if args.interval:
        p["intervals"] = args.interval
    binary = os.path.abspath(args.bin)
    signal.signal(signal.SIGTERM, lambda *_: (stop_all(), sys.exit(143)))
    parts = args.parts.split(",")
    rng = random.Random(args.seed)
    t_start = time.perf_counter()
    res = {"preset": args.preset, "settings": p, "started": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
           "binary": binary, "other_cpu": {}}
    work = tempfile.mkdtemp(prefix="meridian-bench-health-")
    # Every server of the run starts from one copy: a rebuild of --bin during
    # the run (other work in the same tree) cannot mix two builds in one report.
    res["binary_built"] = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(binary)))
    res["source"] = source_revision(binary)
    shutil.copy2(binary, os.path.join(work, "meridian"))
    binary = os.path.join(work, "meridian")
    # CPU used by other processes on the machine during each part
    busy = OtherCpu(res["other_cpu"], own_cpu_s, log).part

    try:
        if "reaction" in parts:
            res["reaction"] = []
            for iv in p["intervals"].split(","):
                busy(f"reaction-{iv}")
                res["reaction"].append(part_reaction(binary, work, iv.strip(), p["trials"], rng))
        if "latency" in parts:
            busy("latency")
            res["latency"] = part_latency(binary, work, p["rate"], p["seconds"], p["conns"], p["wrk_seconds"])
        if "round" in parts:
            busy("round")
            res["round"] = round_cost(binary, work, p["centers"], p["services"], p["window"], p["warmup"],
                                      (p["rate"], p["seconds"], p["conns"]))
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
