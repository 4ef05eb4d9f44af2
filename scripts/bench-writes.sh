#!/usr/bin/env bash
# Write throughput side by side: CreateSecurityGroup into one VPC (each request a new group name), then a small read
# (DescribeVpcs) and a large one (DescribeInstances answering 1,000 instances), with the same wrk load against
# localvpc (SQLite store, then memory store) and the in-memory peers that are installed.
#
# Usage: scripts/bench-writes.sh [localvpc] [moto] [ministack] [fakecloud]        (default: all that are found)
#
# For each server: start it on a free 127.0.0.1 port, create one VPC, run wrk with scripts/wrk/create-security-group.lua
# for DURATION (the script numbers the names per wrk thread, so every request creates a group), then wrk with
# DescribeVpcs for DURATION, then 1,000 instances (20 RunInstances of 50) into a /21 of that VPC and wrk with
# DescribeInstances (all of them, no paging) for DURATION, stop the server. Every wrk run reports its non-2xx answers: a write figure only counts
# if that is 0. localvpc's SQLite store runs as shipped: WAL journal, `synchronous=FULL`, an fsync per commit.
#
# Bounded: loopback only, each wrk run lasts DURATION, every server is killed when its run ends (and on exit).
# Environment: DURATION (10s), THREADS (2), CONNECTIONS (16), LOCALVPC_BIN (default target/release/localvpc, built
# with `cargo build --release -p localvpc` when absent), TMPDIR (where the SQLite file goes), MOTO_SERVER,
# MINISTACK, FAKECLOUD (the peers' executables; default: on PATH, then /work/peers/...).
# Needs: wrk (Debian: `apt-get install wrk`), curl.
set -euo pipefail

DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LUA="$ROOT/scripts/wrk/create-security-group.lua"
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(localvpc moto ministack fakecloud)

# A fake SigV4 header: the peers route on the credential scope's service; localvpc maps this key to the default
# account 123456789012, region us-east-1.
AUTH='AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0'
DESCRIBE='Action=DescribeVpcs&Version=2016-11-15'
INSTANCES='Action=DescribeInstances&Version=2016-11-15'

find_peer() { # find_peer VAR NAME FALLBACK → the executable, or empty
    local given=${!1:-}
    if [ -n "$given" ]; then echo "$given"; return; fi
    command -v "$2" 2>/dev/null || { [ -x "$3" ] && echo "$3"; } || true
}
MOTO=$(find_peer MOTO_SERVER moto_server /work/peers/venv/bin/moto_server)
MINI=$(find_peer MINISTACK ministack /work/peers/venv/bin/ministack)
FAKE=$(find_peer FAKECLOUD fakecloud /work/peers/fakecloud/bin/fakecloud)

command -v wrk >/dev/null || { echo "wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/localvpc-bench-writes.XXXXXX")
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

for name in describe instances; do
    body=$DESCRIBE
    [ "$name" = instances ] && body=$INSTANCES
    cat >"$WORK/$name.lua" <<EOF
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "$AUTH"
EOF
done

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
        || echo $((20000 + RANDOM % 20000))
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

post() { # post BODY → prints the HTTP status; the body goes to $WORK/answer.xml
    curl -s -o "$WORK/answer.xml" -w '%{http_code}' -H "Authorization: $AUTH" \
        -H 'Content-Type: application/x-www-form-urlencoded' --data "$1" "http://127.0.0.1:$PORT/" || true
}

wait_ready() { # until DescribeVpcs answers 200; at most 60 s
    local deadline=$(($(now_ms) + 60000))
    until [ "$(post "$DESCRIBE")" = 200 ]; do
        kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited before answering" >&2; exit 1; }
        [ "$(now_ms)" -lt "$deadline" ] || { echo "the server did not answer within 60 s" >&2; exit 1; }
        sleep 0.05
    done
}

RESULTS="$WORK/results.md"
printf '| server | store | CreateSecurityGroup/s | non-2xx | p50 | p99 | DescribeVpcs/s | non-2xx | DescribeInstances (1,000)/s | p50 | non-2xx |\n|---|---|---|---|---|---|---|---|---|---|---|\n' >"$RESULTS"

run_wrk() { # run_wrk NAME SCRIPT [ARGS...] → wrk's report in $WORK/NAME.txt
    local name=$1 script=$2
    shift 2
    echo "--- $name: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s $(basename "$script") $*" >&2
    timeout 300 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" \
        "http://127.0.0.1:$PORT/" "$@" >"$WORK/$name.txt"
    cat "$WORK/$name.txt" >&2
}

field() { # field FILE WHAT
    case $2 in
        rps) awk '/^Requests\/sec:/ { print $2 }' "$1" ;;
        non2xx) awk '/Non-2xx/ { n = $NF } END { print n + 0 }' "$1" ;;
        p50) awk '$1 == "50%" { print $2 }' "$1" ;;
        p99) awk '$1 == "99%" { print $2 }' "$1" ;;
    esac
}

bench_server() { # bench_server LABEL STORE COMMAND... (the command must listen on $PORT)
    local label=$1 store=$2
    shift 2
    echo "=== $label ($store): $*" >&2
    "$@" >"$WORK/$label-$store.log" 2>&1 &
    SERVER_PID=$!
    wait_ready
    local status vpc_id
    status=$(post "Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16")
    [ "$status" = 200 ] || { echo "CreateVpc answered $status: $(cat "$WORK/answer.xml")" >&2; exit 1; }
    vpc_id=$(grep -o '<vpcId>[^<]*</vpcId>' "$WORK/answer.xml" | head -1 | sed 's/<[^>]*>//g')
    run_wrk "$label-$store-create" "$LUA" "$vpc_id" "$AUTH"
    run_wrk "$label-$store-describe" "$WORK/describe.lua"
    status=$(post "Action=CreateSubnet&Version=2016-11-15&VpcId=$vpc_id&CidrBlock=10.0.8.0%2F21")
    [ "$status" = 200 ] || { echo "CreateSubnet answered $status: $(cat "$WORK/answer.xml")" >&2; exit 1; }
    local subnet_id
    subnet_id=$(grep -o '<subnetId>[^<]*</subnetId>' "$WORK/answer.xml" | head -1 | sed 's/<[^>]*>//g')
    # 20 launches of 50: some servers cap one launch (fakecloud 0.51.0 at 64 instances).
    local launch
    for launch in $(seq 20); do
        status=$(post "Action=RunInstances&Version=2016-11-15&ImageId=ami-0123456789abcdef0&InstanceType=t3.micro&MinCount=50&MaxCount=50&SubnetId=$subnet_id")
        [ "$status" = 200 ] || { echo "RunInstances answered $status: $(head -c 600 "$WORK/answer.xml")" >&2; exit 1; }
    done
    post "$INSTANCES" >/dev/null
    echo "--- $label: DescribeInstances answers $(grep -o '<instanceId>' "$WORK/answer.xml" | wc -l) instances in $(wc -c <"$WORK/answer.xml") bytes" >&2
    run_wrk "$label-$store-instances" "$WORK/instances.lua"
    local create="$WORK/$label-$store-create.txt" describe="$WORK/$label-$store-describe.txt"
    local instances="$WORK/$label-$store-instances.txt"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$store" "$(field "$create" rps)" \
        "$(field "$create" non2xx)" "$(field "$create" p50)" "$(field "$create" p99)" \
        "$(field "$describe" rps)" "$(field "$describe" non2xx)" \
        "$(field "$instances" rps)" "$(field "$instances" p50)" "$(field "$instances" non2xx)" >>"$RESULTS"
    stop_server
}

for target in "${TARGETS[@]}"; do
    PORT=$(free_port)
    case $target in
        localvpc)
            BIN=${LOCALVPC_BIN:-$ROOT/target/release/localvpc}
            [ -x "$BIN" ] || (cd "$ROOT" && cargo build --release -p localvpc)
            bench_server localvpc sqlite "$BIN" serve --listen "127.0.0.1:$PORT" --store "sqlite:$WORK/localvpc.db" \
                --log warn
            PORT=$(free_port)
            bench_server localvpc memory "$BIN" serve --listen "127.0.0.1:$PORT" --store memory --log warn
            ;;
        moto)
            [ -n "$MOTO" ] || { echo "skipping moto: moto_server not found" >&2; continue; }
            bench_server moto memory "$MOTO" -H 127.0.0.1 -p "$PORT"
            ;;
        ministack)
            [ -n "$MINI" ] || { echo "skipping MiniStack: ministack not found" >&2; continue; }
            bench_server ministack memory env GATEWAY_PORT="$PORT" SERVICES=ec2 LOG_LEVEL=WARNING "$MINI"
            ;;
        fakecloud)
            [ -n "$FAKE" ] || { echo "skipping fakecloud: not found" >&2; continue; }
            # fakecloud 0.51.0: `--addr` (default 0.0.0.0:4566), state in memory.
            bench_server fakecloud memory "$FAKE" --addr "127.0.0.1:$PORT" --log-level warn
            ;;
        *)
            echo "unknown target $target (expected localvpc, moto, ministack or fakecloud)" >&2
            exit 2
            ;;
    esac
done

echo
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION, loopback, $(nproc) CPUs shared by client and server:"
cat "$RESULTS"
