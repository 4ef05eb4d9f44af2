"""A private PostgreSQL cluster for the tests of the shared store (`serve --store postgres://…`).

`PostgresCluster.start()` runs Debian's (or PATH's) `initdb` and `pg_ctl` in a temporary folder, listening on a free
loopback port and a socket in that folder, with trust authentication for one superuser: nothing of the machine's
own PostgreSQL is touched. As root, the cluster runs as the `postgres` user (PostgreSQL refuses to run as root).

`PostgresCluster.find_binaries()` says why no cluster can be started (the tests that need one skip with it).
"""
from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUPERUSER = "localvpc"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresCluster:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="localvpc-pg-"))
        self.data = self.dir / "data"
        self._user = None
        if os.geteuid() == 0:
            self._user = pwd.getpwnam("postgres")
            os.chown(self.dir, self._user.pw_uid, self._user.pw_gid)

    @staticmethod
    def find_binaries() -> tuple[Path | None, str]:
        """(folder of initdb/pg_ctl, "") or (None, why not)."""
        candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
        on_path = shutil.which("pg_ctl")
        if on_path:
            candidates.append(str(Path(on_path).resolve().parent))
        for folder in candidates:
            if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
                if os.geteuid() == 0:
                    try:
                        pwd.getpwnam("postgres")
                    except KeyError:
                        return None, "running as root and there is no `postgres` user to run PostgreSQL as"
                if not shutil.which("psql"):
                    return None, "psql is not on PATH"
                return Path(folder), ""
        return None, "no initdb/pg_ctl found (install Debian's `postgresql` package)"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        def demote():
            if self._user is not None:
                os.setgid(self._user.pw_gid)
                os.setuid(self._user.pw_uid)
        return subprocess.run(list(argv), capture_output=True, text=True, preexec_fn=demote, check=check,
                              cwd=str(self.dir), timeout=120)

    def start(self) -> "PostgresCluster":
        if not self.data.exists():
            self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                      "-E", "UTF8", "--no-sync")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=300",
                  "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        p = subprocess.run(["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", self.url(database),
                            "-c", sql], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"psql failed: {p.stderr}")
        return p.stdout.strip()

    def fresh_database(self, key: str) -> str:
        """A new, empty database named after `key` (dropped first if it exists); its URL."""
        name = "lv_" + hashlib.sha1(key.encode()).hexdigest()[:16]
        self.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.psql("SELECT 1")
                return
            except RuntimeError:
                time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not come back")


class ExternalPostgres(PostgresCluster):
    """A PostgreSQL server someone else runs (`LOCALVPC_E2E_STORE=postgres://USER[:PASS]@HOST:PORT/DB`): the tests
    make and drop their own databases on it, and never stop it."""

    def __init__(self, url: str):  # noqa: super().__init__ would make a cluster folder
        self.base = url.rsplit("/", 1)[0]
        self.admin_database = url.rsplit("/", 1)[1] or "postgres"

    def start(self) -> "ExternalPostgres":
        return self

    def stop(self, mode: str = "fast") -> None:
        raise RuntimeError("an external PostgreSQL is not stopped by the tests")

    def destroy(self) -> None:
        pass

    def url(self, database: str | None = None) -> str:
        return f"{self.base}/{database or self.admin_database}"

    def psql(self, sql: str, database: str | None = None) -> str:
        return super().psql(sql, database or self.admin_database)
