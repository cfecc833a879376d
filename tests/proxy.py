"""The repository's nginx site in front of local processes, on 127.0.0.1, stopped by its pid.

The configuration is the one deploy/serve.py writes for the image; only the access log differs,
so that tests can read which process served each request.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from servers import free_port, healthy

from deploy.serve import nginx_command, nginx_config

# Each request's route cookie, client address and the upstream that served it.
ACCESS_LOG_FORMAT = (
    'log_format routed "$cookie_xent_route $remote_addr $upstream_addr $status $request_uri";'
)


def nginx_binary() -> str | None:
    binary = nginx_command(Path("nginx.conf"))[0]
    return binary if Path(binary).exists() else None


def start_nginx(folder: Path, upstreams: list[str]) -> tuple[str, subprocess.Popen]:
    """Start nginx in the foreground on a free port of 127.0.0.1; return its URL and process."""
    if nginx_binary() is None:
        raise FileNotFoundError("nginx not found; install it with `apt-get install nginx`")
    port = free_port()
    logging = f"{ACCESS_LOG_FORMAT}\n    access_log {folder}/access.log routed;"
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, f"127.0.0.1:{port}", upstreams, logging))
    with (folder / "error.log").open("wb") as errors:
        process = subprocess.Popen(nginx_command(conf), stderr=errors)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"nginx did not start: {(folder / 'error.log').read_text()}")
        time.sleep(0.1)
    return url, process


def routes(folder: Path, by: str = "cookie") -> dict[str, set[str]]:
    """Which upstreams served each route cookie (or each client `address`), from the access log."""
    served: dict[str, set[str]] = {}
    for line in (folder / "access.log").read_text().splitlines():
        cookie, address, upstream, *_ = line.split(" ")
        key = cookie if by == "cookie" else address
        if key != "-" and upstream != "-":
            served.setdefault(key, set()).update(u.strip(",") for u in upstream.split(", "))
    return served


def sessions_per_upstream(folder: Path) -> dict[str, int]:
    """How many WebSocket sessions (answered 101) each upstream took, from the access log."""
    counts: dict[str, int] = {}
    for line in (folder / "access.log").read_text().splitlines():
        _, _, upstream, status, uri = line.split(" ")[:5]
        if uri == "/_stcore/stream" and status == "101":
            counts[upstream] = counts.get(upstream, 0) + 1
    return counts
