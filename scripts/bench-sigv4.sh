#!/usr/bin/env bash
# What `serve --auth sigv4` costs over loopback: DescribeVpcs req/s with wrk against a default server and against a
# strict one, the same load in the same run.
#
# Usage: scripts/bench-sigv4.sh
#
# wrk sends one fixed request, so the strict server gets a presigned URL (botocore's generate_presigned_url, valid
# for an hour): every request is verified in full — canonical request, signing key, HMAC — exactly as a fresh one
# would be. The default server gets the same URL (its signature parameters are ignored there). Each server runs
# `--store memory` on a free 127.0.0.1 port and is killed when its run ends (and on exit).
#
# Bounded: loopback only, each wrk run lasts DURATION. Environment: DURATION (10s), THREADS (2), CONNECTIONS (16),
# LOCALVPC_BIN (default target/release/localvpc, built with `cargo build --release -p localvpc` when not given),
# PYTHON (default .venv/bin/python, with botocore: `pip install -r tests/e2e/requirements.txt`).
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}

command -v wrk >/dev/null || { echo "wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)" >&2; exit 1; }
"$PYTHON" -c 'import botocore' 2>/dev/null || { echo "$PYTHON has no botocore (set PYTHON)" >&2; exit 1; }
if [ -z "${LOCALVPC_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --release -p localvpc)
    LOCALVPC_BIN=$ROOT/target/release/localvpc
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/localvpc-bench-sigv4.XXXXXX")
SERVER_PID=""
stop_server() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=""
    fi
}
cleanup() {
    stop_server
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KEY=AKIDBENCHMARK
SECRET=benchmark-secret
echo "$KEY $SECRET 111111111111" >"$WORK/credentials"

free_port() { "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# presigned_path PORT: the path and query of a DescribeVpcs URL presigned for an hour.
presigned_path() {
    "$PYTHON" - "$1" "$KEY" "$SECRET" <<'EOF'
import sys, urllib.parse
import botocore.session
port, key, secret = sys.argv[1:]
client = botocore.session.get_session().create_client(
    "ec2", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
    aws_access_key_id=key, aws_secret_access_key=secret)
url = urllib.parse.urlsplit(client.generate_presigned_url("describe_vpcs", ExpiresIn=3600, HttpMethod="GET"))
print(f"{url.path}?{url.query}")
EOF
}

run() { # run LABEL [serve flags…]
    local label=$1
    shift
    local port
    port=$(free_port)
    "$LOCALVPC_BIN" serve --listen "127.0.0.1:$port" --store memory --log warn "$@" >"$WORK/$label.log" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 500); do
        curl -fs "http://127.0.0.1:$port/_localvpc/health" >/dev/null 2>&1 && break
        sleep 0.01
    done
    local path
    path=$(presigned_path "$port")
    local status
    status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$path")
    [ "$status" = 200 ] || { echo "$label: the presigned DescribeVpcs answered $status" >&2; exit 1; }
    local rps
    rps=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$port$path" |
        tee "$WORK/$label.wrk" | awk '/Requests\/sec/ {print $2}')
    local p50 p99
    p50=$(awk '$1 == "50%" {print $2}' "$WORK/$label.wrk")
    p99=$(awk '$1 == "99%" {print $2}' "$WORK/$label.wrk")
    if grep -q "Non-2xx" "$WORK/$label.wrk"; then
        echo "$label: some answers were not 200:" >&2
        grep "Non-2xx" "$WORK/$label.wrk" >&2
        exit 1
    fi
    printf '%-14s %10s req/s   p50 %8s   p99 %8s\n' "$label" "$rps" "$p50" "$p99"
    stop_server
}

echo "DescribeVpcs (presigned GET), wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $(nproc) CPUs"
run any-key
run sigv4 --auth sigv4 --credentials "$WORK/credentials"
