#!/usr/bin/env bash
# Starts the background worker and the web server on http://127.0.0.1:8000 (Ctrl+C stops both).
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-true}"
BIN=.venv/bin

$BIN/python manage.py worker &
WORKER=$!
cleanup() { kill "$WORKER" 2>/dev/null || true; wait "$WORKER" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$BIN/python manage.py demo_city --logins
$BIN/python manage.py runserver 127.0.0.1:8000
