#!/usr/bin/env bash
# Runs one of the example topologies in config/NAME/ on this machine: every
# Meridian process of it on loopback, each from the built binary, until
# Ctrl-C or SIGTERM, which stop exactly the processes this script started.
#
#   scripts/topology.sh two-cities-three-centers
#   scripts/topology.sh --work-dir /tmp/t multi-active
#   scripts/topology.sh --check [NAME]    validate the configs and exit
#
# Each process runs with its working directory in the work directory
# (default ./topology-data/NAME), so the configs' relative data dirs
# (./data/<process>) land there; its log goes to logs/<process>.log there.
#
# The binary: $MERIDIAN_BIN if set, else .build/release/meridian if present,
# else .build/debug/meridian; when neither exists it is built with
# `swift build -c release --product meridian`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ready_timeout=${TOPOLOGY_READY_TIMEOUT:-120}
stop_timeout=${TOPOLOGY_STOP_TIMEOUT:-60}

usage() {
    echo "usage: $0 [--work-dir DIR] NAME | $0 --check [NAME]" >&2
    echo "topologies:" $(cd "$root/config" && for d in */; do [ -n "$(ls "$d"*.yaml 2>/dev/null)" ] && printf '%s ' "${d%/}"; done) >&2
    exit 2
}

check=0
work=""
name=""
while [ $# -gt 0 ]; do
    case "$1" in
        --check) check=1 ;;
        --work-dir) [ $# -ge 2 ] || usage; work=$2; shift ;;
        --work-dir=*) work=${1#--work-dir=} ;;
        -h|--help) usage ;;
        -*) echo "unknown option $1" >&2; usage ;;
        *) [ -z "$name" ] || usage; name=$1 ;;
    esac
    shift
done

binary() {
    if [ -n "${MERIDIAN_BIN:-}" ]; then
        echo "$MERIDIAN_BIN"
    elif [ -x "$root/.build/release/meridian" ]; then
        echo "$root/.build/release/meridian"
    elif [ -x "$root/.build/debug/meridian" ]; then
        echo "$root/.build/debug/meridian"
    else
        echo "no built meridian; building it: swift build -c release --product meridian" >&2
        (cd "$root" && swift build -c release --product meridian >&2)
        echo "$root/.build/release/meridian"
    fi
}
# Sets $bin to the binary's absolute path (the processes run in another directory).
resolve_binary() {
    bin=$(binary)
    case "$bin" in
        */*) bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin") ;;
        *) bin=$(command -v "$bin") || { echo "no $MERIDIAN_BIN in PATH" >&2; exit 1; } ;;
    esac
    [ -x "$bin" ] || { echo "$bin is not an executable" >&2; exit 1; }
    if [ -n "$(find "$root/Sources" -name '*.swift' -newer "$bin" -print -quit 2>/dev/null)" ]; then
        echo "warning: $bin is older than some of Sources/; if a check fails on a key it should know, rebuild it or set MERIDIAN_BIN" >&2
    fi
}

# The configs of a topology, global layers first (the centers' upstreams).
configs() {
    local dir=$root/config/$1 f
    [ -d "$dir" ] && [ -n "$(ls "$dir"/*.yaml 2>/dev/null)" ] || { echo "no configs in $dir" >&2; return 1; }
    for f in "$dir"/*.yaml; do [ "$(key "$f" server role)" = global ] && echo "$f"; done
    for f in "$dir"/*.yaml; do [ "$(key "$f" server role)" != global ] && echo "$f"; done
    return 0
}

# key FILE SECTION KEY: a scalar two levels deep, as the example configs write
# it (`section:` at column 0, `  key: value`); empty when absent.
key() {
    awk -v section="$2" -v key="$3" -v quotes="\"'" '
        /^[A-Za-z_]/ { current = $0; sub(/:.*/, "", current); next }
        current == section && index($0, "  " key ":") == 1 {
            value = substr($0, length(key) + 4)
            sub(/[ \t]+#.*$/, "", value); gsub(/^[ \t]+|[ \t]+$/, "", value)
            gsub("^[" quotes "]|[" quotes "]$", "", value)
            print value; exit
        }' "$1"
}

if [ "$check" = 1 ]; then
    resolve_binary
    if [ -n "$name" ]; then names=("$name"); else
        names=()
        for d in "$root"/config/*/; do [ -n "$(ls "$d"*.yaml 2>/dev/null)" ] && names+=("$(basename "$d")"); done
    fi
    failed=0
    for n in "${names[@]}"; do
        list=$(configs "$n") || { failed=1; continue; }
        mapfile -t files <<<"$list"
        for f in "${files[@]}"; do
            "$bin" check config "$f" || failed=1
        done
    done
    exit "$failed"
fi

[ -n "$name" ] || usage
resolve_binary
list=$(configs "$name")
mapfile -t files <<<"$list"
for f in "${files[@]}"; do
    "$bin" check config "$f" >/dev/null || { "$bin" check config "$f" >&2 || true; echo "not starting: $f has problems (binary: $bin)" >&2; exit 1; }
done

work=${work:-./topology-data/$name}
mkdir -p "$work/logs"
work=$(cd "$work" && pwd)

procs=() roles=() listens=() pids=()
for f in "${files[@]}"; do
    procs+=("$(basename "$f" .yaml)")
    role=$(key "$f" server role); roles+=("${role:-all}")
    listen=$(key "$f" server listen); listens+=("${listen:-127.0.0.1:9280}")
done
for i in "${!procs[@]}"; do
    hostport=${listens[$i]}
    if (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null; then
        echo "not starting: something already listens on $hostport (${procs[$i]})" >&2
        exit 1
    fi
done

stopping=0
# Whether PID is still a running process this script started (a child of this
# shell, so not a PID reused by another process after ours exited).
ours() {
    local info
    info=$(ps -o ppid=,stat= -p "$1" 2>/dev/null) || return 1
    set -- $info
    [ "${1:-}" = "$$" ] && [ "${2:0:1}" != Z ]
}
# Stops the processes this script started: centers first (their senders save
# their cursors), then the global layers; SIGKILL for any still running after
# $stop_timeout seconds.
stop_all() {
    [ "$stopping" = 0 ] && [ "${#pids[@]}" -gt 0 ] || return 0
    stopping=1
    local i pid deadline pass
    for pass in center global; do
        for i in "${!pids[@]}"; do
            pid=${pids[$i]}
            if { [ "$pass" = center ] && [ "${roles[$i]}" != global ]; } || { [ "$pass" = global ] && [ "${roles[$i]}" = global ]; }; then
                if ours "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
            fi
        done
        deadline=$((SECONDS + stop_timeout))
        for i in "${!pids[@]}"; do
            pid=${pids[$i]}
            if { [ "$pass" = center ] && [ "${roles[$i]}" = global ]; } || { [ "$pass" = global ] && [ "${roles[$i]}" != global ]; }; then
                continue
            fi
            while ours "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
            if ours "$pid"; then
                echo "${procs[$i]} (pid $pid) did not stop within ${stop_timeout}s; killing it" >&2
                kill -KILL "$pid" 2>/dev/null || true
            fi
            wait "$pid" 2>/dev/null || true
        done
    done
    echo "stopped: ${procs[*]}"
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

i=0
for f in "${files[@]}"; do
    (cd "$work" && exec "$bin" serve --config "$f" >"$work/logs/${procs[$i]}.log" 2>&1) &
    pids+=("$!")
    i=$((i + 1))
done

for i in "${!procs[@]}"; do
    url=http://${listens[$i]}/-/ready
    deadline=$((SECONDS + ready_timeout))
    until curl -fsS -o /dev/null "$url" 2>/dev/null; do
        if ! ours "${pids[$i]}"; then
            echo "${procs[$i]} exited before it was ready; the end of its log ($work/logs/${procs[$i]}.log):" >&2
            tail -n 20 "$work/logs/${procs[$i]}.log" >&2
            exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            echo "${procs[$i]} not ready after ${ready_timeout}s ($url); see $work/logs/${procs[$i]}.log" >&2
            exit 1
        fi
        sleep 0.2
    done
done

# The table of what to look at.
centers_note=""
for i in "${!procs[@]}"; do
    if [ "${roles[$i]}" = global ] && [ "$(curl -s -o /dev/null -w '%{http_code}' "http://${listens[$i]}/api/v1/centers")" = 404 ]; then
        centers_note="  (/api/v1/centers is not in this build yet: 404)"
    fi
done
echo
echo "topology $name: ${#procs[@]} processes ready (binary $bin)"
echo "work directory $work (data in data/, logs in logs/)"
echo
printf '%-14s %-7s %-7s %-40s %s\n' PROCESS ROLE PID REMOTE-WRITE "LOOK AT"
for i in "${!procs[@]}"; do
    base=http://${listens[$i]}
    case "${roles[$i]}" in
        global) look="$base/api/v1/centers" ;;
        center) look="$base/api/v1/status/forward" ;;
        *) look="$base/api/v1/status/buildinfo" ;;
    esac
    printf '%-14s %-7s %-7s %-40s %s\n' "${procs[$i]}" "${roles[$i]}" "${pids[$i]}" "$base/api/v1/write" "$look"
done
echo
echo "Prometheus of a center: remote_write to that center's REMOTE-WRITE URL; the"
echo "centers forward to the global layers' URL themselves."
echo "Every process: /-/ready, /metrics, and the Prometheus query API"
echo "(/api/v1/query ...; a global layer's base URL is a Grafana data source)."
[ -z "$centers_note" ] || echo "$centers_note"
echo
echo "Ctrl-C (or SIGTERM to pid $$) stops them all."

# Wait for a signal; report a process that exits on its own.
declare -A reported=()
while true; do
    for i in "${!pids[@]}"; do
        if [ -z "${reported[$i]:-}" ] && ! ours "${pids[$i]}"; then
            reported[$i]=1
            echo "${procs[$i]} (pid ${pids[$i]}) exited; the end of its log:" >&2
            tail -n 20 "$work/logs/${procs[$i]}.log" >&2
        fi
    done
    sleep 1
done
