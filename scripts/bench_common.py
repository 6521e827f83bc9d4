"""What the benchmark scripts in this folder share (bench_health.py, bench_forward.py).

Meridian servers started in their own sessions and stopped by PID, the
registries of what a run started and the CPU it used, the CPU other processes
used meanwhile, and percentiles.

Importing this module puts BENCH_DIR (../shared/bench, or $BENCH_DIR) on
sys.path, so the scripts can import load, rw, servers and gen after it. A
script sets `sys.dont_write_bytecode = True` before importing this module, so
that no __pycache__ appears in scripts/ (nor in the bench folder).
"""
import math
import os
import resource
import subprocess
import sys
import time

BENCH_DIR = os.environ.get("BENCH_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "bench"))
sys.path.insert(0, os.path.abspath(BENCH_DIR))
sys.dont_write_bytecode = True
import load  # noqa: E402
import servers  # noqa: E402

STARTED = []  # PIDs of the servers started and not yet stopped
OWN_SERVER_CPU = [0.0]  # CPU seconds of the servers already stopped


def make_log(prefix):
    """A log function: each message to stderr as `[prefix HH:MM:SS] message`."""
    def log(msg):
        print(f"[{prefix} {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)
    return log


# ---------------------------------------------------------------- servers
class Meridian:
    """One `meridian serve` process on loopback, started in its own session;
    stopped by PID. `extra_args` go after the common arguments; `config_text`,
    if given, is written next to the data directory and passed as --config."""

    def __init__(self, binary, workdir, name, extra_args=(), config_text=None, port=None):
        self.name = name
        self.port = port or servers.free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = os.path.join(workdir, name)
        self.log_path = os.path.join(workdir, name + ".log")
        self.argv = [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.data,
                     "--log-level", "warning"] + list(extra_args)
        if config_text is not None:
            path = os.path.join(workdir, name + ".yaml")
            with open(path, "w") as f:
                f.write(config_text)
            self.argv += ["--config", path]
        self.pid = None

    def start(self):
        """Starts the process and waits until /-/ready answers; returns self."""
        os.makedirs(self.data, exist_ok=True)
        with open(self.log_path, "ab") as logf:
            p = subprocess.Popen(self.argv, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 start_new_session=True)
        self.pid = p.pid
        STARTED.append(self.pid)
        servers.wait_ready(self.url + "/-/ready", timeout=300, pid=self.pid)
        return self

    def cpu(self):
        """CPU seconds (utime + stime) of the running process."""
        return load.proc_cpu_seconds(self.pid)

    def alive(self):
        return self.pid is not None and servers.pid_alive(self.pid)

    def stop(self):
        """Stops the process (if started), adding its CPU to OWN_SERVER_CPU."""
        if self.pid is not None:
            try:
                OWN_SERVER_CPU[0] += self.cpu()
            except FileNotFoundError:
                pass
            servers.stop(self.pid)
            if self.pid in STARTED:
                STARTED.remove(self.pid)
            self.pid = None

    def log_problems(self):
        """Lines of its log at warning level and above (it runs with --log-level warning)."""
        try:
            with open(self.log_path, errors="replace") as f:
                return [line.rstrip() for line in f if line.strip()]
        except FileNotFoundError:
            return []


def stop_all(*_):
    """Stops every server still running."""
    for pid in list(STARTED):
        servers.stop(pid)
    STARTED.clear()


# ---------------------------------------------------------------- CPU accounts
def own_cpu_s():
    """CPU seconds of this script (its threads) and of every server it started."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    total = ru.ru_utime + ru.ru_stime + OWN_SERVER_CPU[0]
    for pid in STARTED:
        try:
            total += load.proc_cpu_seconds(pid)
        except FileNotFoundError:
            pass
    return total


def system_busy_s():
    """Busy CPU seconds of the whole machine since boot (all but idle and iowait)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / load.CLK_TCK


class OtherCpu:
    """CPU used by other processes on the machine during each part of a run
    (everything busy in /proc/stat minus `own_cpu()`, this script and what it
    started): other work on the two cores skews absolute figures. `out` gets
    {part: {"cpu_s", "wall_s", "cores"}}."""

    def __init__(self, out, own_cpu, log):
        self.out, self.own_cpu, self.log = out, own_cpu, log
        self.mark = None  # (part, (perf_counter, system busy s, own s)) when the current part began

    def part(self, name):
        """Ends the current part, if any, and begins `name` (None: the end of the run)."""
        now = (time.perf_counter(), system_busy_s(), self.own_cpu())
        if self.mark is not None:
            prev_part, (t0, b0, o0) = self.mark
            other = (now[1] - b0) - (now[2] - o0)
            self.out[prev_part] = {"cpu_s": round(other, 1), "wall_s": round(now[0] - t0, 1),
                                   "cores": round(other / (now[0] - t0), 2)}
            if other / (now[0] - t0) > 0.1:
                self.log(f"note: other processes used {other / (now[0] - t0):.2f} cores during {prev_part}")
        self.mark = (name, now)


# ---------------------------------------------------------------- percentiles
def pct(vals, p):
    """Nearest-rank percentile (the p-th of the sorted values, 1-based ceiling)."""
    s = sorted(vals)
    if not s:
        return None
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def histogram_quantile(q, buckets):
    """Prometheus' histogram_quantile on {le: cumulative count}; None without
    observations. For 0 <= q <= 1 and a positive count the loop always returns
    (the last bucket holds the whole count); the None after it is for q > 1 or
    a negative count (a counter reset within the delta)."""
    les = sorted(buckets)
    if not les or buckets[les[-1]] == 0:
        return None
    rank = q * buckets[les[-1]]
    prev_le, prev_c = 0.0, 0.0
    for le in les:
        c = buckets[le]
        if c >= rank:
            if le == math.inf:
                return prev_le  # the highest finite bound, as Prometheus does
            if c == prev_c:
                return le
            return prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
        prev_le, prev_c = le, c
    return None
