"""The repository's nginx site in front of local replicas, on 127.0.0.1, stopped by its pid."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from servers import REPO_ROOT, free_port, healthy

NGINX_SITE = REPO_ROOT / "deploy" / "nginx" / "xent.conf"
# Each request's route cookie and the upstream that served it, so tests can check stickiness.
ACCESS_LOG_FORMAT = 'log_format routed "$cookie_xent_route $upstream_addr $status $request_uri";'


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )


def nginx_config(folder: Path, port: int, upstreams: list[str]) -> Path:
    """The repository's site, pointed at local replicas, inside a minimal nginx.conf."""
    site = NGINX_SITE.read_text()
    servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    site, replaced = re.subn(r"^\s*server xent:8501[^\n]*$", servers, site, flags=re.M)
    if replaced != 1:
        raise RuntimeError(f"{NGINX_SITE} no longer has one 'server xent:8501' upstream line")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    conf = folder / "nginx.conf"
    temp_paths = "\n".join(
        f"    {kind}_temp_path {folder}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf.write_text(
        f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n    {ACCESS_LOG_FORMAT}\n"
        f"    access_log {folder}/access.log routed;\n{temp_paths}\n{site}\n}}\n"
    )
    return conf


def start_nginx(folder: Path, upstreams: list[str]) -> tuple[str, subprocess.Popen]:
    """Start nginx in the foreground on a free port; return its URL and process."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx not found; install it with `apt-get install nginx`")
    port = free_port()
    conf = nginx_config(folder, port, upstreams)
    process = subprocess.Popen([binary, "-c", str(conf), "-g", "daemon off;"])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while not healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"nginx did not start: {(folder / 'error.log').read_text()}")
        time.sleep(0.1)
    return url, process


def routes(folder: Path) -> dict[str, set[str]]:
    """Which upstreams served each route cookie, from the access log."""
    served: dict[str, set[str]] = {}
    for line in (folder / "access.log").read_text().splitlines():
        cookie, upstream, *_ = line.split(" ")
        if cookie != "-" and upstream != "-":
            served.setdefault(cookie, set()).update(u.strip(",") for u in upstream.split(", "))
    return served
