"""Serve xent on one machine: one Streamlit process per core, behind nginx.

One Streamlit process runs every session's script on one interpreter, so CPU-heavy reruns
share one core (the GIL). This launcher starts N processes on 127.0.0.1 (ports PORT+1 … PORT+N),
waits until each answers its health URL, then runs nginx with the repository's site
(deploy/nginx/xent.conf) on ADDRESS:PORT in front of them. nginx keeps each browser on one
process (its WebSocket, uploads and media must reach the process that holds its session). On
SIGTERM or SIGINT, or when any child exits, it stops the others by their pids and exits.

With one process there is nothing to balance: the launcher becomes `streamlit run app.py` on
ADDRESS:PORT (one process per container, the layout for Kubernetes: one pod per core). Each
process first imports what the pages import and freezes those objects out of the garbage
collector's walks (`warm_interpreter`); the N processes are this script with XENT_PROCESSES=1.

    python deploy/serve.py                    # XENT_PROCESSES, or the CPUs this container may use
    XENT_PROCESSES=1 python deploy/serve.py   # one process, no nginx

Environment: XENT_PROCESSES (default: usable CPUs), XENT_PORT (8501), XENT_ADDRESS (0.0.0.0),
XENT_RUNTIME_DIR (nginx's pid and temporary files; default: a new folder under /tmp),
STREAMLIT_SERVER_COOKIE_SECRET (shared by every process; generated once here when unset, which
only does for one machine: replicas on several machines must be given the same value).
"""

from __future__ import annotations

import gc
import importlib
import math
import os
import pkgutil
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parent.parent
NGINX_SITE = Path(__file__).resolve().parent / "nginx" / "xent.conf"
START_SECONDS = 90
STOP_SECONDS = 10


def usable_cpus() -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup v2 CPU quota if any."""
    cpus = len(os.sched_getaffinity(0))
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
    except (OSError, ValueError):
        return cpus
    return cpus if quota == "max" else max(1, min(cpus, math.ceil(int(quota) / int(period))))


def streamlit_argv(address: str, port: int) -> list[str]:
    """`streamlit run app.py` on `address:port`, with the working directory's configuration."""
    return [
        "streamlit", "run", str(APP_ROOT / "app.py"),
        "--server.address", address,
        "--server.port", str(port),
    ]  # fmt: skip


def warm_interpreter() -> None:
    """Import what the pages import, then freeze it all out of the garbage collector's walks.

    A full collection walks every tracked object, and torch, pandas and Plotly bring hundreds of
    thousands that live as long as the process. Frozen, they are never walked again: a
    Playground rerun cost 34 ms of CPU instead of 41 (median of 3 runs each, ranges 33–37 and
    39–42 ms, alternating, on a busy 2-core machine). The first visitor no longer waits for the
    imports either.
    """
    sys.path.insert(0, str(APP_ROOT))
    for name in ("numpy", "pandas", "pyarrow", "plotly.graph_objects", "torch", "streamlit"):
        importlib.import_module(name)
    for package in ("xentcore", "xentui"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            importlib.import_module(module.name)
    gc.collect()
    gc.freeze()


def run_streamlit(address: str, port: int) -> None:
    """Become the Streamlit server on `address:port` (it handles its own signals)."""
    warm_interpreter()
    from streamlit.web import cli

    sys.argv = streamlit_argv(address, port)
    cli.main()


def nginx_config(
    runtime: Path, listen: str, upstreams: list[str], logging: str = "access_log off;"
) -> str:
    """A whole nginx.conf: the repository's site in front of `upstreams` ("host:port"), on `listen`.

    Every path nginx writes (pid, temporary files) is under `runtime` and its errors go to
    stderr, so it runs as any user. `logging` holds the http block's access-log directives
    (tests log each request's route).
    """
    site = NGINX_SITE.read_text()
    servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    site, replaced = re.subn(r"^\s*server xent:8501[^\n]*$", servers, site, flags=re.M)
    if replaced != 1:
        raise RuntimeError(f"{NGINX_SITE} no longer has one 'server xent:8501' upstream line")
    site = site.replace("listen 80;", f"listen {listen};")
    temp_paths = "\n".join(
        f"    {kind}_temp_path {runtime}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"worker_processes 1;\npid {runtime}/nginx.pid;\nerror_log stderr warn;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n    {logging}\n"
        f"{temp_paths}\n{site}\n}}\n"
    )


def nginx_command(config: Path) -> list[str]:
    """nginx in the foreground on `config` (-e: its early messages too go to stderr)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    return [
        binary,
        "-e",
        "stderr",
        "-p",
        str(config.parent),
        "-c",
        str(config),
        "-g",
        "daemon off;",
    ]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
            return answer.read() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def stop_all(children: list[subprocess.Popen]) -> None:
    """SIGTERM each child still running, by its pid; SIGKILL what is left after STOP_SECONDS."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def serve(processes: int, address: str, port: int, runtime: Path) -> int:
    """Start the processes and nginx, wait for the first to exit or a signal; the exit code."""
    env = dict(os.environ)
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
    ports = [port + 1 + i for i in range(processes)]
    children = [
        subprocess.Popen(
            [sys.executable, __file__],
            env={**env, "XENT_PROCESSES": "1", "XENT_ADDRESS": "127.0.0.1", "XENT_PORT": str(p)},
        )
        for p in ports
    ]
    stopping = []

    def on_signal(number, _frame) -> None:
        stopping.append(number)
        stop_all(children)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        deadline = time.monotonic() + START_SECONDS
        for p, child in zip(ports, children, strict=True):
            while not stopping and not healthy(f"http://127.0.0.1:{p}"):
                if child.poll() is not None or time.monotonic() > deadline:
                    print(f"serve: process on port {p} did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
        if stopping:
            return 0
        config = runtime / "nginx.conf"
        config.write_text(
            nginx_config(runtime, f"{address}:{port}", [f"127.0.0.1:{p}" for p in ports])
        )
        children.append(subprocess.Popen(nginx_command(config)))
        print(f"serve: {processes} processes behind nginx on {address}:{port}", flush=True)
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
        return 0 if stopping else 1  # a child that dies by itself takes the container down
    finally:
        stop_all(children)


def main() -> None:
    processes = int(os.environ.get("XENT_PROCESSES") or usable_cpus())
    address = os.environ.get("XENT_ADDRESS", "0.0.0.0")
    port = int(os.environ.get("XENT_PORT", "8501"))
    if processes < 1:
        sys.exit(f"XENT_PROCESSES must be at least 1; got {processes}")
    if processes == 1:
        run_streamlit(address, port)
        return
    runtime = Path(os.environ.get("XENT_RUNTIME_DIR") or tempfile.mkdtemp(prefix="xent-serve-"))
    runtime.mkdir(parents=True, exist_ok=True)
    sys.exit(serve(processes, address, port, runtime))


if __name__ == "__main__":
    main()
