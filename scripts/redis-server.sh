#!/usr/bin/env bash
# Start (or stop) a local Redis for the shared-cache tests; safe to run again.
#
#   scripts/redis-server.sh [start]   # prints REDIS_URL=redis://127.0.0.1:6390/0
#   scripts/redis-server.sh stop
#
# Installs Debian's redis-server package if missing and runs it in the background on
# 127.0.0.1 only, without persistence (a cache), its files under var/redis. Progress
# goes to stderr; stdout gets one line, so callers can `export "$(scripts/redis-server.sh)"`.
set -euo pipefail
cd "$(dirname "$0")/.."

port=${CLOCHER_REDIS_PORT:-6390}
dir=$PWD/var/redis

say() { echo "redis-server.sh: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ "${1:-start}" = stop ]; then
    if [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" 2>/dev/null; then
        say "stopped"
    fi
    exit 0
fi

if ! command -v redis-server >/dev/null 2>&1; then
    say "installing Redis (apt-get install redis-server)"
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        redis-server >&2
fi

mkdir -p "$dir"
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    say "starting on 127.0.0.1:$port"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
        --dir "$dir" --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --daemonize yes >&2
fi
for _ in $(seq 1 40); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.25
done
redis-cli -p "$port" ping >&2
echo "REDIS_URL=redis://127.0.0.1:$port/0"
