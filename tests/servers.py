"""Start and stop local Streamlit servers for tests and benchmarks, each by its own pid.

`start_servers` runs the production layout of deploy/serve.py: N processes sharing a cookie
secret behind the repository's nginx (tests/proxy.py). tests/conftest.py starts the one server
the browser tests share. A program they need that is missing skips those tests, or fails them
in CI.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_CONFIG = REPO_ROOT / "deploy" / "config.production.toml"
LAUNCHER = REPO_ROOT / "deploy" / "serve.py"
START_SECONDS = 60
STOP_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
            return answer.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def unavailable(reason: str) -> None:
    """Skip the test that needs a missing program, or fail it where XENT_REQUIRE_BROWSER=1 (CI)."""
    if os.environ.get("XENT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (XENT_REQUIRE_BROWSER=1: the browser tests are required)")
    pytest.skip(reason)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def production_workdir(folder: Path) -> Path:
    """A working directory whose .streamlit/config.toml is the production profile.

    Streamlit reads its configuration from the working directory, so a server started there runs
    the repository's app exactly as the Docker image would.
    """
    (folder / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copy(PRODUCTION_CONFIG, folder / ".streamlit" / "config.toml")
    return folder


@contextmanager
def streamlit_server(
    log_path: Path,
    script: Path = REPO_ROOT / "app.py",
    workdir: Path = REPO_ROOT,
    extra_args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    launcher: bool = False,
):
    """Run `streamlit run <script>` on a free 127.0.0.1 port; yield (url, process).

    With `launcher`, run the app as the image does instead: deploy/serve.py with one process.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        *extra_args,
    ]  # fmt: skip
    if launcher:
        command = [sys.executable, str(LAUNCHER)]
        where = {"XENT_PROCESSES": "1", "XENT_ADDRESS": "127.0.0.1", "XENT_PORT": str(port)}
        env = {**(env or {}), **where}
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
        try:
            deadline = time.monotonic() + START_SECONDS
            while not healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"streamlit did not answer {url}/_stcore/health within {START_SECONDS} s "
                        f"(exit code {process.poll()}); its output:\n"
                        f"{log_path.read_text(errors='replace')}"
                    )
                time.sleep(0.1)
            yield url, process
        finally:
            stop(process)


@dataclass(frozen=True)
class Served:
    """Where `start_servers` serves: the URL to open, the Streamlit processes, their folder."""

    url: str
    processes: dict[str, subprocess.Popen]  # "127.0.0.1:port" → its Streamlit process
    folder: Path  # the processes' logs, and nginx's access.log (see proxy.routes) when proxied
    nginx_pid: int | None = None

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes.values()]


def start_servers(
    stack: ExitStack, folder: Path, processes: int = 1, proxy: bool = False
) -> Served:
    """`processes` production-profile servers on 127.0.0.1, behind nginx if `proxy` or above one.

    Each is a process of deploy/serve.py, as in the image, and they share one cookie secret;
    `stack` stops them all.
    """
    from proxy import start_nginx  # proxy imports this module

    workdir = production_workdir(folder / "app")
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": "local-test-secret"}
    servers = [
        stack.enter_context(
            streamlit_server(folder / f"p{i}.log", workdir=workdir, env=env, launcher=True)
        )
        for i in range(processes)
    ]
    by_address = {url.removeprefix("http://"): process for url, process in servers}
    if processes == 1 and not proxy:
        return Served(servers[0][0], by_address, folder)
    url, nginx = start_nginx(folder, list(by_address))
    stack.callback(stop, nginx)
    return Served(url, by_address, folder, nginx.pid)
