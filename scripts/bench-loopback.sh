#!/usr/bin/env bash
# Loopback throughput, start-up time and resident memory of localvpc, measured with wrk; optionally the same loads
# against moto and MiniStack for comparison.
#
# Usage: scripts/bench-loopback.sh [localvpc] [moto] [ministack]        (default: localvpc)
#
# For each server: start it on a free 127.0.0.1 port, time spawn → first answered DescribeVpcs (curl, polled
# every 10 ms), read VmRSS, seed 100 VPCs (10.N.0.0/16), read VmRSS, run wrk with DescribeVpcs (all VPCs: the 100
# plus the region's default VPC), with DescribeVpcs of one VPC by ID, and then with CreateVpc (10.0.0.0/16, over
# and over: VPCs may overlap), read VmRSS, stop the server. The server's CPU time per request comes from
# /proc/PID/stat (user + system, all threads); wrk runs on the same machine and competes for the same CPUs. localvpc runs twice:
# `--store memory` and `--store sqlite:<temporary file>`.
#
# Bounded: loopback only, every wrk run lasts DURATION, every server is killed when its run ends (and on exit).
# Environment: DURATION (10s), THREADS (2), CONNECTIONS (16), LOCALVPC_BIN (default target/release/localvpc,
# built with `cargo build --release -p localvpc` when not given), TMPDIR (where the SQLite file goes).
# Needs: wrk (Debian: `apt-get install wrk`), curl; moto_server (`pip install "moto[server]"`) and ministack
# (`pip install ministack`) only when asked for.
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(localvpc)

# A fake SigV4 header: moto and MiniStack route on the credential scope's service; localvpc ignores the
# signature and maps this (non-12-digit) key to the default account 123456789012, region us-east-1.
AUTH='AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0'
DESCRIBE='Action=DescribeVpcs&Version=2016-11-15'
CREATE='Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16'

command -v wrk >/dev/null || { echo "wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/localvpc-bench.XXXXXX")
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

write_lua() { # write_lua NAME BODY: a wrk script POSTing BODY
    cat >"$WORK/$1.lua" <<EOF
wrk.method = "POST"
wrk.body = "$2"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "$AUTH"
EOF
}
write_lua describe "$DESCRIBE"
write_lua create "$CREATE"

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo "?"; }

# User + system CPU time of a process (all its threads), in clock ticks. Fields 14 and 15 of /proc/PID/stat,
# counted after the ")" that ends the command name.
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
CLK_TCK=$(getconf CLK_TCK)

post() { # post BODY → prints the HTTP status; the body goes to $WORK/answer.xml
    curl -s -o "$WORK/answer.xml" -w '%{http_code}' -H "Authorization: $AUTH" \
        -H 'Content-Type: application/x-www-form-urlencoded' --data "$1" "http://127.0.0.1:$PORT/" || true
}

wait_ready() { # until DescribeVpcs answers 200; at most 60 s
    local deadline=$(($(now_ms) + 60000))
    until [ "$(post "$DESCRIBE")" = 200 ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited before answering" >&2; exit 1; }
        [ "$(now_ms)" -lt "$deadline" ] || { echo "the server did not answer within 60 s" >&2; exit 1; }
        sleep 0.01
    done
}

RESULTS="$WORK/results.md"
MEMORY="$WORK/memory.md"
printf '| server | load | req/s | latency avg | p50 | p99 | non-2xx | requests | server CPU/request |\n|---|---|---|---|---|---|---|---|---|\n' >"$RESULTS"
printf '| server | start → first DescribeVpcs | RSS after start | RSS with 100 VPCs | RSS after CreateVpc run (VPCs then) |\n|---|---|---|---|---|\n' >"$MEMORY"

run_wrk() { # run_wrk LABEL LOAD → one row in $RESULTS; prints wrk's own report; sets REQUESTS
    local label=$1 load=$2 out="$WORK/wrk-$1-$2.txt"
    echo "--- $label $load: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency" >&2
    local ticks_before
    ticks_before=$(cpu_ticks "$SERVER_PID")
    timeout 300 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/$load.lua" \
        "http://127.0.0.1:$PORT/" >"$out"
    cat "$out" >&2
    local rps avg p50 p99 non2xx
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    avg=$(awk '$1 == "Latency" { print $2; exit }' "$out")
    p50=$(awk '$1 == "50%" { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    non2xx=$(awk '/Non-2xx/ { print $NF }' "$out")
    REQUESTS=$(awk '/requests in/ { print $1 }' "$out")
    local cpu_us=$(( ($(cpu_ticks "$SERVER_PID") - ticks_before) * 1000000 / CLK_TCK / (REQUESTS > 0 ? REQUESTS : 1) ))
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s µs |\n' "$label" "$load" "$rps" "$avg" "$p50" "$p99" \
        "${non2xx:-0}" "$REQUESTS" "$cpu_us" >>"$RESULTS"
}

bench_server() { # bench_server LABEL COMMAND... (the command must listen on $PORT)
    local label=$1
    shift
    echo "=== $label: $*" >&2
    local started
    started=$(now_ms)
    "$@" >"$WORK/$label.log" 2>&1 &
    SERVER_PID=$!
    wait_ready
    local ready_ms=$(($(now_ms) - started)) rss_start rss_seeded
    rss_start=$(rss_kib "$SERVER_PID")
    for n in $(seq 0 99); do
        status=$(post "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.$n.0.0%2F16")
        [ "$status" = 200 ] || { echo "CreateVpc answered $status: $(cat "$WORK/answer.xml")" >&2; exit 1; }
    done
    # DescribeVpcs of one VPC by ID (the last one created): the small-read case.
    local last_id
    last_id=$(grep -o '<vpcId>[^<]*</vpcId>' "$WORK/answer.xml" | head -1 | sed 's/<[^>]*>//g')
    write_lua describe-one "$DESCRIBE&VpcId.1=$last_id"
    post "$DESCRIBE" >/dev/null
    local vpcs
    vpcs=$(grep -o '<vpcId>' "$WORK/answer.xml" | wc -l)
    echo "DescribeVpcs lists $vpcs VPCs, $(wc -c <"$WORK/answer.xml") bytes" >&2
    rss_seeded=$(rss_kib "$SERVER_PID")
    run_wrk "$label" describe
    run_wrk "$label" describe-one
    run_wrk "$label" create
    printf '| %s | %s ms | %s KiB | %s KiB | %s KiB (%s) |\n' "$label" "$ready_ms" "$rss_start" "$rss_seeded" \
        "$(rss_kib "$SERVER_PID")" "$((vpcs + REQUESTS))" >>"$MEMORY"
    stop_server
}

for target in "${TARGETS[@]}"; do
    PORT=$(free_port)
    case $target in
        localvpc)
            BIN=${LOCALVPC_BIN:-}
            if [ -z "$BIN" ]; then
                (cd "$ROOT" && cargo build --release -p localvpc)
                BIN="$ROOT/target/release/localvpc"
            fi
            bench_server "localvpc-memory" "$BIN" serve --listen "127.0.0.1:$PORT" --store memory --log warn
            PORT=$(free_port)
            bench_server "localvpc-sqlite" "$BIN" serve --listen "127.0.0.1:$PORT" \
                --store "sqlite:$WORK/localvpc.db" --log warn
            ;;
        moto)
            command -v moto_server >/dev/null || { echo "moto_server not found: pip install 'moto[server]'" >&2; exit 1; }
            bench_server "moto" moto_server -H 127.0.0.1 -p "$PORT"
            ;;
        ministack)
            command -v ministack >/dev/null || { echo "ministack not found: pip install ministack" >&2; exit 1; }
            bench_server "ministack" env GATEWAY_PORT="$PORT" SERVICES=ec2 LOG_LEVEL=WARNING ministack
            ;;
        *)
            echo "unknown target $target (expected localvpc, moto or ministack)" >&2
            exit 2
            ;;
    esac
done

echo
echo "Throughput (wrk -t$THREADS -c$CONNECTIONS -d$DURATION, loopback, $(nproc) CPUs shared by client and server):"
cat "$RESULTS"
echo
echo "Start-up and resident memory (VmRSS of the server process):"
cat "$MEMORY"
