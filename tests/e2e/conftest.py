"""End-to-end fixtures for localvpc: a real server process, real boto3 clients and the real aws CLI.

Server contract (see /work/shared/DESIGN.md "Contracts" and the brief):
  localvpc serve --listen 127.0.0.1:PORT --store memory|sqlite:/path
  GET  /_localvpc/health -> 200 when ready
  POST /_localvpc/reset  -> wipe all state

Environment knobs:
  LOCALVPC_BIN            path of the binary (default <repo>/target/debug/localvpc)
  LOCALVPC_E2E_CLI=subprocess   run the aws CLI as a subprocess instead of in-process
  LOCALVPC_E2E_STORE=postgres   the shared server and the restart servers (`sqlite_server`) run on PostgreSQL: a
                                private cluster per xdist worker (see postgres_cluster.py), a database per server;
                                `=postgres://USER@HOST:PORT/DB` uses that PostgreSQL instead (databases made on it)
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import namedtuple
from pathlib import Path

import pytest
import requests

from postgres_cluster import ExternalPostgres, PostgresCluster

pytest.register_assert_rewrite("helpers")

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "localvpc"
DEFAULT_ACCOUNT = "123456789012"

# --------------------------------------------------------------------------------------------------
# Isolate every AWS client (boto3 and the in-process CLI) from the host's configuration.
# --------------------------------------------------------------------------------------------------
_ISOLATION_DIR = tempfile.mkdtemp(prefix="localvpc-e2e-awscfg-")
for _var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
             "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_STS", "AWS_CA_BUNDLE",
             "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_PAGER", "HTTP_PROXY", "HTTPS_PROXY",
             "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)
os.environ["AWS_CONFIG_FILE"] = os.path.join(_ISOLATION_DIR, "config")
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(_ISOLATION_DIR, "credentials")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ["NO_PROXY"] = "127.0.0.1,localhost"
os.environ["no_proxy"] = "127.0.0.1,localhost"


def _binary() -> Path:
    return Path(os.environ.get("LOCALVPC_BIN", str(DEFAULT_BIN)))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalVpcServer:
    """One `localvpc serve` process. Can be killed (SIGKILL) and started again on the same store."""

    def __init__(self, store: str, log_dir: Path, name: str = "server", extra_args: list[str] | None = None,
                 preexec_fn=None):
        self.store = store
        self.log_dir = Path(log_dir)
        self.name = name
        self.extra_args = list(extra_args or [])  # more `serve` flags, e.g. ["--quotas", "aws"]
        self.preexec_fn = preexec_fn  # runs in the child before exec, e.g. to lower RLIMIT_NOFILE
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self._starts = 0
        self.log_path: Path | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> "LocalVpcServer":
        binary = _binary()
        if not binary.exists():
            pytest.fail(f"localvpc binary not found at {binary} (build it with `cargo build -p localvpc` "
                        f"or set LOCALVPC_BIN)", pytrace=False)
        self._starts += 1
        self.port = free_port()
        self.log_path = self.log_dir / f"{self.name}-{self._starts}.log"
        log = open(self.log_path, "wb")
        cmd = [str(binary), "serve", "--listen", f"127.0.0.1:{self.port}", "--store", self.store, *self.extra_args]
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     cwd=str(self.log_dir), preexec_fn=self.preexec_fn)
        log.close()
        deadline = time.monotonic() + timeout
        last_err = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"localvpc exited with {self.proc.returncode} during start-up "
                            f"({' '.join(cmd)}):\n{self.log_tail()}", pytrace=False)
            try:
                # `Connection: close`: the probe's connection must not linger (until Python's garbage collector
                # gets to it) and hold one of the server's connection slots.
                r = requests.get(f"{self.endpoint}/_localvpc/health", timeout=1, headers={"Connection": "close"})
                if r.status_code == 200:
                    return self
                last_err = f"HTTP {r.status_code}"
            except requests.RequestException as e:  # not listening yet
                last_err = repr(e)
            time.sleep(0.05)
        self.kill()
        pytest.fail(f"localvpc did not become healthy within {timeout}s (last: {last_err}):\n{self.log_tail()}",
                    pytrace=False)

    def log_tail(self, n: int = 40) -> str:
        if not self.log_path or not self.log_path.exists():
            return "(no log)"
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(lines[-n:])

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no flush."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()

    def reset(self) -> None:
        r = requests.post(f"{self.endpoint}/_localvpc/reset", timeout=10)
        assert r.status_code == 200, f"reset failed: HTTP {r.status_code} {r.text[:500]}"


# --------------------------------------------------------------------------------------------------
# Server fixtures
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def log_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("localvpc-logs")


def _e2e_store() -> str:
    return os.environ.get("LOCALVPC_E2E_STORE", "")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL to put stores on: the one LOCALVPC_E2E_STORE names, else a private cluster started here (and
    stopped at the end of the session). Skips — loudly — when none can be had."""
    store = _e2e_store()
    if store.startswith(("postgres://", "postgresql://")):
        yield ExternalPostgres(store)
        return
    bindir, why = PostgresCluster.find_binaries()
    if bindir is None:
        message = f"NO POSTGRESQL: the shared-store tests cannot run ({why})"
        print(f"\n*** {message} ***", file=sys.stderr)
        pytest.skip(message)
    cluster = PostgresCluster(bindir)
    try:
        cluster.start()
    except subprocess.CalledProcessError as error:
        cluster.destroy()
        message = f"NO POSTGRESQL: a private cluster did not start ({error.stderr or error})"
        print(f"\n*** {message} ***", file=sys.stderr)
        pytest.skip(message)
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def server(request, log_dir):
    if _e2e_store().startswith("postgres"):
        store = request.getfixturevalue("postgres").fresh_database(f"server-{_worker()}")
        srv = LocalVpcServer(store, log_dir, name="postgres")
    else:
        srv = LocalVpcServer("memory", log_dir, name="memory")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(autouse=True)
def _fresh_state(request, server):
    """Every test starts from an empty server (reset wipes all accounts and regions)."""
    if server.proc is not None and server.proc.poll() is not None:
        pytest.fail(f"the shared localvpc server died (exit {server.proc.returncode}):\n{server.log_tail()}",
                    pytrace=False)
    server.reset()
    yield


@pytest.fixture
def endpoint(server) -> str:
    return server.endpoint


@pytest.fixture
def sqlite_server(request, tmp_path, log_dir):
    """Factory for separate servers on a sqlite store (restart tests; on PostgreSQL under
    LOCALVPC_E2E_STORE=postgres). All are stopped at teardown."""
    made: list[LocalVpcServer] = []
    databases: dict[Path, str] = {}

    def make(db_path: Path | None = None, name: str = "sqlite") -> LocalVpcServer:
        path = db_path or (tmp_path / "localvpc.db")
        store = f"sqlite:{path}"
        if _e2e_store().startswith("postgres"):
            # The same durable store for the same path: one database per path, made empty at its first use.
            if path not in databases:
                databases[path] = request.getfixturevalue("postgres").fresh_database(f"{_worker()}-{path}")
            store = databases[path]
        srv = LocalVpcServer(store, log_dir, name=f"{name}-{len(made)}")
        made.append(srv)
        return srv

    yield make
    for srv in made:
        srv.stop()


# --------------------------------------------------------------------------------------------------
# boto3 clients
# --------------------------------------------------------------------------------------------------
_BOTO_SESSION = boto3.session.Session()
_CLIENT_CONFIG = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)
_NOVALIDATE_CONFIG = _CLIENT_CONFIG.merge(Config(parameter_validation=False))


def make_client(endpoint: str, service: str = "ec2", region: str = "us-east-1", key: str = "test",
                secret: str = "test", validate: bool = True):
    return _BOTO_SESSION.client(
        service,
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=_CLIENT_CONFIG if validate else _NOVALIDATE_CONFIG,
    )


@pytest.fixture
def client_factory(server):
    """client_factory(service='ec2', region='us-east-1', key='test', validate=True, endpoint=None)."""

    def factory(service: str = "ec2", region: str = "us-east-1", key: str = "test", secret: str = "test",
                validate: bool = True, endpoint: str | None = None):
        return make_client(endpoint or server.endpoint, service, region, key, secret, validate)

    return factory


@pytest.fixture
def ec2(client_factory):
    return client_factory()


@pytest.fixture
def ec2_raw(client_factory):
    """ec2 client without client-side parameter validation (to send out-of-range values)."""
    return client_factory(validate=False)


# --------------------------------------------------------------------------------------------------
# The real aws CLI
# --------------------------------------------------------------------------------------------------
class CliResult(namedtuple("CliResult", "rc json stderr stdout")):
    """(exit code, parsed JSON or None, stderr, raw stdout). `.code`/`.message` parse an EC2 error."""

    _ERR = re.compile(r"An error occurred \(([^)]*)\) when calling the (\w+) operation(?: \([^)]*\))?: (.*)",
                      re.S)

    @property
    def code(self):
        m = self._ERR.search(self.stderr or "")
        return m.group(1) if m else None

    @property
    def message(self):
        m = self._ERR.search(self.stderr or "")
        return m.group(3).strip() if m else None

    def ok(self):
        assert self.rc == 0, f"aws CLI failed rc={self.rc}\nstderr: {self.stderr}\nstdout: {self.stdout}"
        return self.json


@contextlib.contextmanager
def _patched_environ(updates: dict):
    saved = {k: os.environ.get(k) for k in updates}
    try:
        for k, v in updates.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


_CLI_LOADER = None


def _run_cli_inprocess(argv: list[str], env: dict) -> tuple[int, str, str]:
    global _CLI_LOADER
    import botocore.session
    from awscli.clidriver import CLIDriver, _set_user_agent_for_session
    from awscli.plugin import load_plugins
    from awscli import EnvironmentVariables

    out, err = io.StringIO(), io.StringIO()
    with _patched_environ(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        # Same as awscli.clidriver.create_clidriver(), but sharing one data loader between calls so the
        # (large) EC2 model is parsed once per test session rather than once per command.
        session = botocore.session.Session(EnvironmentVariables)
        if _CLI_LOADER is None:
            _CLI_LOADER = session.get_component("data_loader")
        else:
            session.register_component("data_loader", _CLI_LOADER)
        _set_user_agent_for_session(session)
        load_plugins(session.full_config.get("plugins", {}), event_hooks=session.get_component("event_emitter"))
        driver = CLIDriver(session=session)
        try:
            rc = driver.main(argv)
        except SystemExit as e:  # argparse errors
            rc = e.code if isinstance(e.code, int) else 255
    return rc, out.getvalue(), err.getvalue()


def _run_cli_subprocess(argv: list[str], env: dict) -> tuple[int, str, str]:
    aws = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    full_env = dict(os.environ)
    full_env.update({k: v for k, v in env.items() if v is not None})
    for k, v in env.items():
        if v is None:
            full_env.pop(k, None)
    p = subprocess.run([aws, *argv], capture_output=True, text=True, env=full_env, timeout=60)
    return p.returncode, p.stdout, p.stderr


def run_aws(endpoint: str, *args, region: str = "us-east-1", key: str = "test", secret: str = "test",
            output: str = "json") -> CliResult:
    argv = [str(a) for a in args] + ["--endpoint-url", endpoint, "--output", output]
    env = {
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_DEFAULT_REGION": region,
        "AWS_REGION": None,
        "AWS_RETRY_MODE": "standard",
        "AWS_MAX_ATTEMPTS": "1",
    }
    if os.environ.get("LOCALVPC_E2E_CLI") == "subprocess":
        rc, stdout, stderr = _run_cli_subprocess(argv, env)
    else:
        rc, stdout, stderr = _run_cli_inprocess(argv, env)
    parsed = None
    if stdout.strip() and output == "json":
        try:
            parsed = json.loads(stdout)
        except ValueError:
            parsed = None
    return CliResult(rc, parsed, stderr, stdout)


@pytest.fixture
def aws(server):
    """aws('ec2', 'describe-vpcs', '--vpc-ids', vid, region=..., key=...) -> CliResult(rc, json, stderr, stdout)."""

    def call(*args, endpoint: str | None = None, **kw) -> CliResult:
        return run_aws(endpoint or server.endpoint, *args, **kw)

    return call


# --------------------------------------------------------------------------------------------------
# The web console in a real browser (console.py)
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    from console import start_browser
    driver = start_browser()
    yield driver
    driver.quit()


@pytest.fixture
def console(browser, server):
    """The console of the shared server in a clean browser (no cookies: the default account and Region)."""
    from console import Console
    browser.get(server.endpoint + "/console/assets/console.css")
    browser.delete_all_cookies()
    return Console(browser, server.endpoint)
