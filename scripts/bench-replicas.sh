#!/usr/bin/env bash
# Durable writes and reads per second through the EC2 API with the shared store: 1 and 3 `localvpc serve` replicas
# on one PostgreSQL, beside one server on the embedded SQLite store, in the same run.
#
# Usage: scripts/bench-replicas.sh
#
# For each setup: start the server(s) on free 127.0.0.1 ports, create one VPC through the first, then run wrk with
# scripts/wrk/create-security-group.lua (every request a new group, so every request is a committed write) for
# DURATION, then DescribeVpcs for DURATION. With 3 replicas the CONNECTIONS are split over three wrk processes, one
# per replica, started together; their rates are summed. Afterwards every replica must list the same groups, at
# least the 2xx writes (and at most CONNECTIONS more: those in flight when wrk stopped counting), or the run fails:
# a figure only counts when nothing acknowledged was lost.
#
# PostgreSQL: a private cluster (Debian's initdb/pg_ctl, as the `postgres` user when root) in a temporary folder on
# a free port, with its defaults (`fsync=on`, `synchronous_commit=on`): a write is acknowledged once PostgreSQL has
# flushed it, as the SQLite store's answer waits for its fsync.
#
# Bounded: loopback only, each wrk run lasts DURATION, every process is stopped when its setup ends (and on exit).
# Environment: DURATION (10s), CONNECTIONS (16), LOCALVPC_BIN (default target/release/localvpc, built with
# `cargo build --release -p localvpc` when absent), TMPDIR. Needs: wrk, curl, PostgreSQL's server binaries.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LUA="$ROOT/scripts/wrk/create-security-group.lua"
BIN=${LOCALVPC_BIN:-$ROOT/target/release/localvpc}
AUTH='AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0'

command -v wrk >/dev/null || { echo "wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }
PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)")
[ -x "$PG_BIN/pg_ctl" ] || PG_BIN=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")
[ -x "$PG_BIN/pg_ctl" ] || { echo "PostgreSQL's server binaries are not installed (apt-get install postgresql)" >&2; exit 1; }
[ -x "$BIN" ] || (cd "$ROOT" && cargo build --release -p localvpc)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/localvpc-bench-replicas.XXXXXX")
PG_AS=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$WORK"
    PG_AS=(runuser -u postgres --)
fi
PIDS=()
stop_servers() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    PIDS=()
}
cleanup() {
    stop_servers
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

PG_PORT=$(free_port)
"${PG_AS[@]}" "$PG_BIN/initdb" -D "$WORK/pg" -U localvpc --auth=trust -E UTF8 >/dev/null
"${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
    -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
PG_URL="postgres://localvpc@127.0.0.1:$PG_PORT"
createdb() { "$PG_BIN/psql" -q -h 127.0.0.1 -p "$PG_PORT" -U localvpc -d postgres -c "CREATE DATABASE $1" >/dev/null; }

post() { # post PORT BODY → prints the HTTP status; the body goes to $WORK/answer.xml
    curl -s -o "$WORK/answer.xml" -w '%{http_code}' -H "Authorization: $AUTH" \
        -H 'Content-Type: application/x-www-form-urlencoded' --data "$2" "http://127.0.0.1:$1/" || true
}

start_server() { # start_server NAME PORT STORE
    "$BIN" serve --listen "127.0.0.1:$2" --store "$3" --log warn >"$WORK/$1.log" 2>&1 &
    PIDS+=($!)
    local deadline=$(($(now_ms) + 60000))
    until [ "$(post "$2" 'Action=DescribeVpcs&Version=2016-11-15')" = 200 ]; do
        [ "$(now_ms)" -lt "$deadline" ] || { echo "$1 did not answer within 60 s: $(tail -5 "$WORK/$1.log")" >&2; exit 1; }
        sleep 0.05
    done
}

field() { # field FILE WHAT
    case $2 in
        rps) awk '/^Requests\/sec:/ { print $2 }' "$1" ;;
        requests) awk '/requests in/ { print $1 }' "$1" ;;
        non2xx) awk '/Non-2xx/ { n = $NF } END { print n + 0 }' "$1" ;;
        p50) awk '$1 == "50%" { print $2 }' "$1" ;;
        p99) awk '$1 == "99%" { print $2 }' "$1" ;;
    esac
}

# run_wrk NAME SCRIPT PORTS... — one wrk per port, the connections split between them, all started together.
run_wrk() {
    local name=$1 script=$2
    shift 2
    local count=$# index=0 port connections
    local wrk_pids=()
    for port in "$@"; do
        connections=$((CONNECTIONS / count + (index < CONNECTIONS % count ? 1 : 0)))
        WRK_TAG="p$index" timeout 300 wrk -t1 -c"$connections" -d"$DURATION" --latency -s "$script" \
            "http://127.0.0.1:$port/" "${WRK_ARGS[@]}" >"$WORK/$name-$index.txt" &
        wrk_pids+=($!)
        index=$((index + 1))
    done
    local pid
    for pid in "${wrk_pids[@]}"; do wait "$pid"; done
    cat "$WORK/$name"-*.txt >&2
}

sum() { # sum NAME WHAT → the sum over the wrk processes of NAME
    local file total=0
    for file in "$WORK/$1"-*.txt; do total=$(echo "$total + $(field "$file" "$2")" | bc); done
    echo "$total"
}

groups_on() { # groups_on PORT → how many security groups DescribeSecurityGroups lists
    post "$1" 'Action=DescribeSecurityGroups&Version=2016-11-15' >/dev/null
    grep -o '<groupId>' "$WORK/answer.xml" | wc -l
}

cat >"$WORK/describe.lua" <<EOF
wrk.method = "POST"
wrk.body = "Action=DescribeVpcs&Version=2016-11-15"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "$AUTH"
EOF

RESULTS="$WORK/results.md"
printf '| setup | CreateSecurityGroup/s | non-2xx | p50 | p99 | DescribeVpcs/s | non-2xx | p50 |\n|---|---|---|---|---|---|---|---|\n' >"$RESULTS"

bench() { # bench LABEL STORE... (one server per store URL; all on the same database for replicas)
    local label=$1
    shift
    local ports=() index=0 store
    for store in "$@"; do
        ports+=("$(free_port)")
        start_server "$label-$index" "${ports[$index]}" "$store"
        index=$((index + 1))
    done
    [ "$(post "${ports[0]}" 'Action=CreateVpc&Version=2016-11-15&CidrBlock=10.0.0.0%2F16')" = 200 ] \
        || { echo "CreateVpc failed: $(cat "$WORK/answer.xml")" >&2; exit 1; }
    local vpc_id
    vpc_id=$(grep -o '<vpcId>[^<]*</vpcId>' "$WORK/answer.xml" | head -1 | sed 's/<[^>]*>//g')
    local before
    before=$(groups_on "${ports[0]}")
    echo "=== $label: $# server(s), CreateSecurityGroup" >&2
    WRK_ARGS=("$vpc_id" "$AUTH")
    run_wrk "$label-create" "$LUA" "${ports[@]}"
    echo "=== $label: DescribeVpcs" >&2
    WRK_ARGS=()
    run_wrk "$label-describe" "$WORK/describe.lua" "${ports[@]}"
    # Every acknowledged write is on every replica, and every replica lists the same: wrk counts only the answers
    # it read before its time was up, so up to CONNECTIONS more writes (in flight then) may have been committed.
    local written expected port listed first=""
    written=$(($(sum "$label-create" requests) - $(sum "$label-create" non2xx)))
    expected=$((before + written))
    for port in "${ports[@]}"; do
        listed=$(groups_on "$port")
        [ -n "$first" ] || first=$listed
        if [ "$listed" -lt "$expected" ] || [ "$listed" -gt $((expected + CONNECTIONS)) ] || [ "$listed" -ne "$first" ]; then
            echo "$label: port $port lists $listed groups; acknowledged: $expected; the first server: $first" >&2
            exit 1
        fi
    done
    echo "=== $label: every server lists the same $first groups, all $expected acknowledged ones among them" >&2
    printf '| %s | %.0f | %s | %s | %s | %.0f | %s | %s |\n' "$label" "$(sum "$label-create" rps)" \
        "$(sum "$label-create" non2xx)" "$(field "$WORK/$label-create-0.txt" p50)" \
        "$(field "$WORK/$label-create-0.txt" p99)" "$(sum "$label-describe" rps)" "$(sum "$label-describe" non2xx)" \
        "$(field "$WORK/$label-describe-0.txt" p50)" >>"$RESULTS"
    stop_servers
}

bench "sqlite, 1 server" "sqlite:$WORK/state.db"
createdb one
bench "postgres, 1 replica" "$PG_URL/one"
createdb three
bench "postgres, 3 replicas" "$PG_URL/three" "$PG_URL/three" "$PG_URL/three"

echo
echo "wrk, $CONNECTIONS connections in all, $DURATION each, loopback, $(nproc) CPUs shared by clients, servers and PostgreSQL"
echo "(p50/p99: the first wrk process's):"
cat "$RESULTS"
