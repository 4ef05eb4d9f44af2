"""`localvpc serve` under connection pressure: descriptor exhaustion, slow and idle clients, the connection cap.

Each test spawns its own server with the `serve` flags under test (`--header-timeout`, `--idle-timeout`,
`--max-connections`) or a lowered RLIMIT_NOFILE, and drives it with plain sockets, as a hostile or careless client
would, plus `requests` for the ordinary client that must keep working.
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import socket
import time

import requests

from conftest import LocalVpcServer

HEALTH_REQUEST = b"GET /_localvpc/health HTTP/1.1\r\nHost: localvpc\r\n\r\n"


@contextlib.contextmanager
def serving(log_dir, name: str, *flags: str, preexec_fn=None):
    server = LocalVpcServer("memory", log_dir, name=name, extra_args=list(flags), preexec_fn=preexec_fn)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def connect(server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


def ask_health(sock: socket.socket, timeout: float = 5.0) -> tuple[int, dict]:
    """One keep-alive request on `sock`; the status and the JSON body of the answer."""
    sock.settimeout(timeout)
    sock.sendall(HEALTH_REQUEST)
    return read_answer(sock)


def read_answer(sock: socket.socket) -> tuple[int, dict]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"connection closed before the answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        chunk = sock.recv(4096)
        assert chunk, "connection closed in the middle of the answer"
        body += chunk
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body)


def closed_by_server(sock: socket.socket, wait: float) -> bool:
    """True once the server has closed `sock` (end of stream or reset), waiting at most `wait` seconds."""
    readable, _, _ = select.select([sock], [], [], wait)
    if not readable:
        return False
    try:
        return sock.recv(4096) == b""
    except (ConnectionResetError, socket.timeout):
        return True


def wait_closed(sock: socket.socket, limit: float) -> float:
    """Seconds until the server closes `sock`; fails after `limit`."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if closed_by_server(sock, 0.05):
            return time.monotonic() - started
    raise AssertionError(f"the server kept the connection open for {limit}s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def log_lines(server) -> list[str]:
    return server.log_path.read_text(errors="replace").splitlines()


def wait_for_log(server, text: str, limit: float = 5.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if any(text in line for line in log_lines(server)):
            return
        time.sleep(0.05)
    raise AssertionError(f"no log line with {text!r} within {limit}s:\n{server.log_tail()}")


def health_over_new_connection(server, timeout: float = 10.0) -> dict:
    r = requests.get(f"{server.endpoint}/_localvpc/health", timeout=timeout)
    assert r.status_code == 200, r.text
    return r.json()


def limit_open_files_to_64():
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))


# ------------------------------------------------------------------------------------------------
# Defect: descriptor exhaustion made the accept loop spin (a core, millions of log lines)
# ------------------------------------------------------------------------------------------------
def test_fd_exhaustion_backs_off_instead_of_busy_looping(log_dir):
    # A cap above the descriptor limit, so that accept itself runs out of descriptors (EMFILE).
    with serving(log_dir, "fd-exhaustion", "--max-connections", "1000", preexec_fn=limit_open_files_to_64) as srv:
        early = connect(srv)
        assert ask_health(early) == (200, {"status": "ok"})
        idle = [connect(srv) for _ in range(80)]
        try:
            wait_for_log(srv, "accept failed")
            assert any("Too many open files" in line for line in log_lines(srv)), srv.log_tail()
            cpu_before, lines_before = cpu_seconds(srv.proc.pid), len(log_lines(srv))
            time.sleep(2.0)
            cpu = cpu_seconds(srv.proc.pid) - cpu_before
            new_lines = len(log_lines(srv)) - lines_before
            assert cpu < 0.2, f"the server used {cpu:.2f}s of CPU in 2s while out of descriptors"
            assert new_lines <= 1, f"{new_lines} log lines in 2s:\n{srv.log_tail()}"
            # The connection opened before the exhaustion is still served.
            assert ask_health(early) == (200, {"status": "ok"})
            # Free some descriptors: new connections are served again.
            for sock in idle[:40]:
                sock.close()
            assert health_over_new_connection(srv) == {"status": "ok"}
            assert ask_health(early) == (200, {"status": "ok"})
        finally:
            for sock in idle:
                sock.close()
            early.close()


def test_default_connection_cap_stays_below_the_open_file_limit(log_dir):
    """Without --max-connections the cap comes from RLIMIT_NOFILE: the server defers, it never hits EMFILE."""
    with serving(log_dir, "fd-default-cap", preexec_fn=limit_open_files_to_64) as srv:
        assert any("max_connections=32" in line for line in log_lines(srv)), srv.log_tail()
        idle = [connect(srv) for _ in range(40)]
        try:
            wait_for_log(srv, "connection limit reached")
            time.sleep(0.5)
            assert not any("accept failed" in line for line in log_lines(srv)), srv.log_tail()
            for sock in idle[:20]:
                sock.close()
            assert health_over_new_connection(srv) == {"status": "ok"}
        finally:
            for sock in idle:
                sock.close()


# ------------------------------------------------------------------------------------------------
# Defect: no read timeouts (slowloris connections were held for a minute and more)
# ------------------------------------------------------------------------------------------------
def test_slowloris_is_cut_after_the_header_timeout(log_dir):
    with serving(log_dir, "slowloris", "--header-timeout", "1", "--idle-timeout", "30") as srv:
        head = b"GET /_localvpc/health HTTP/1.1\r\nHost: localvpc\r\n" + b"X-Slow: " + b"s" * 1000
        slow = [connect(srv) for _ in range(20)]
        open_at = {sock: None for sock in slow}
        started = time.monotonic()
        position = 0
        answered_meanwhile = None
        while time.monotonic() - started < 5 and any(when is None for when in open_at.values()):
            for sock in slow:
                if open_at[sock] is None:
                    try:
                        sock.send(head[position:position + 1])
                    except (BrokenPipeError, ConnectionResetError):
                        open_at[sock] = time.monotonic() - started
                        continue
                    if closed_by_server(sock, 0):
                        open_at[sock] = time.monotonic() - started
            position += 1
            if answered_meanwhile is None and time.monotonic() - started > 0.5:
                # Positive control: an ordinary client is answered while the slow ones trickle.
                answered_meanwhile = health_over_new_connection(srv, timeout=2)
            time.sleep(0.1)
        for sock in slow:
            sock.close()
        held = sorted(when for when in open_at.values() if when is not None)
        assert len(held) == 20, f"only {len(held)} of 20 slow connections were cut within 5s"
        assert 0.9 <= held[0] and held[-1] <= 2.5, f"cut after {held[0]:.2f}..{held[-1]:.2f}s, not ~1s"
        assert answered_meanwhile == {"status": "ok"}


def test_a_head_sent_in_pieces_within_the_header_timeout_is_answered(log_dir):
    """Positive control of the header timeout: slow but in time is answered, on the same connection."""
    with serving(log_dir, "slow-in-time", "--header-timeout", "1") as srv:
        sock = connect(srv)
        started = time.monotonic()
        for start in range(0, len(HEALTH_REQUEST), 8):
            sock.sendall(HEALTH_REQUEST[start:start + 8])
            time.sleep(0.08)
        assert time.monotonic() - started < 0.9
        sock.settimeout(2)
        assert read_answer(sock) == (200, {"status": "ok"})
        assert ask_health(sock) == (200, {"status": "ok"})
        sock.close()


def test_idle_keep_alive_connection_is_closed_after_the_idle_timeout(log_dir):
    with serving(log_dir, "idle", "--header-timeout", "1", "--idle-timeout", "2.5") as srv:
        kept = connect(srv)
        assert ask_health(kept) == (200, {"status": "ok"})
        # Positive control: quiet for longer than the header timeout is not idle for too long.
        time.sleep(1.5)
        assert ask_health(kept) == (200, {"status": "ok"})
        closed_after = wait_closed(kept, limit=6)
        assert 2.2 <= closed_after <= 3.5, f"closed {closed_after:.2f}s after the last answer, not ~2.5s"
        # A connection that never sends a byte is idle too, from its accept.
        silent = connect(srv)
        closed_after = wait_closed(silent, limit=6)
        assert 2.2 <= closed_after <= 3.5, f"silent connection closed after {closed_after:.2f}s, not ~2.5s"
        kept.close()
        silent.close()


# ------------------------------------------------------------------------------------------------
# Defect: no cap on concurrent connections
# ------------------------------------------------------------------------------------------------
def test_connection_cap_defers_the_next_connection_with_a_log_line(log_dir):
    with serving(log_dir, "cap", "--max-connections", "3") as srv:
        held = [connect(srv) for _ in range(3)]
        for sock in held:
            assert ask_health(sock) == (200, {"status": "ok"})
        extra = connect(srv)  # the kernel completes the handshake; the server does not take it yet
        extra.sendall(HEALTH_REQUEST)
        extra.settimeout(1.0)
        try:
            early = extra.recv(4096)
        except socket.timeout:
            early = None
        assert early is None, f"the 4th connection was answered above the cap: {early!r}"
        wait_for_log(srv, "connection limit reached")
        cap_lines = [line for line in log_lines(srv) if "connection limit reached" in line]
        assert len(cap_lines) == 1, cap_lines
        assert "max_connections=3" in cap_lines[0], cap_lines[0]
        # Positive control: the connections being served keep working meanwhile.
        assert ask_health(held[0]) == (200, {"status": "ok"})
        # One closes: the waiting connection is taken and its request answered.
        held[1].close()
        extra.settimeout(5.0)
        data = extra.recv(4096)
        assert data.startswith(b"HTTP/1.1 200"), data
        assert b'{"status":"ok"}' in data, data
        for sock in held + [extra]:
            sock.close()


# ------------------------------------------------------------------------------------------------
# Found by the fuzz test: an answer given without reading the body closed the connection unannounced
# ------------------------------------------------------------------------------------------------
def post(sock: socket.socket, path: str, body: bytes) -> bytes:
    """POSTs `body` on `sock` and reads the whole answer; its head."""
    sock.sendall(b"POST %s HTTP/1.1\r\nHost: localvpc\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: %d\r\n\r\n" % (path.encode(), len(body)) + body)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before the answer: {data!r}"
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed in the middle of the answer"
        rest += chunk
    return head


def test_unread_request_body_answer_announces_connection_close(server):
    """A 405 for a POST to a GET route leaves the body unread: hyper must close, and the answer must say so, or
    a keep-alive client sends its next request into a closing connection and loses it."""
    sock = connect(server)
    head = post(sock, "/_localvpc/health", b"x" * 300_000)
    assert head.startswith(b"HTTP/1.1 405"), head
    assert b"\r\nconnection: close" in head.lower(), head
    assert wait_closed(sock, limit=5) < 5
    sock.close()
    # Positive control: a body the handler reads keeps the connection alive for the next request.
    sock = connect(server)
    body = b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=vpc-id&Filter.1.Value.1=" + b"v" * 200_000
    head = post(sock, "/", body)
    assert head.startswith(b"HTTP/1.1 400"), head  # the value is over the filter length limit
    assert b"connection: close" not in head.lower(), head
    assert ask_health(sock) == (200, {"status": "ok"})
    sock.close()
