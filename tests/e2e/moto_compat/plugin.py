"""A pytest plugin loaded into moto's own test run (`-p plugin`): points each xdist worker at its own localvpc.

moto's tests in server mode reset the server (`POST /moto-api/reset`) at the start of every test, so two workers
sharing one server would wipe each other's state. `LOCALVPC_MOTO_ENDPOINTS` lists one endpoint per worker; worker
`gwN` takes the N-th. moto reads `TEST_SERVER_MODE_ENDPOINT` when a mock starts, after this hook has run.
"""
import os


def pytest_configure(config):
    endpoints = os.environ.get("LOCALVPC_MOTO_ENDPOINTS", "").split(",")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    if endpoints and endpoints[0]:
        os.environ["TEST_SERVER_MODE_ENDPOINT"] = endpoints[index % len(endpoints)]
