#!/usr/bin/env bash
# Run the development web server and the background worker together (`make run`).
# Ctrl-C, or either process exiting, stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-.venv/bin/python}
host=${HOST:-0.0.0.0}
port=${PORT:-8000}

cat <<BANNER

  Clocher is starting (web + worker). Ctrl-C stops both.

    Portal:          http://localhost:$port/
    A commune:       http://donges.localhost:$port/
    Admin:           http://localhost:$port/admin/   (login: admin / clocher-demo)
    API:             http://localhost:$port/api/v2/pages/

BANNER

# Job control puts each process in its own process group, so one signal reaches
# runserver's autoreloader child and the worker's too.
set -m
"$python" manage.py runserver "$host:$port" &
web=$!
"$python" manage.py run_worker &
worker=$!

stop() {
    trap - INT TERM EXIT
    kill -TERM -- "-$web" "-$worker" 2>/dev/null || true
    wait "$web" "$worker" 2>/dev/null || true
}
trap stop INT TERM EXIT

# Return as soon as either one exits; the EXIT trap stops the other.
wait -n "$web" "$worker"
