"""The repository's nginx configuration in front of two app replicas, all on 127.0.0.1.

Sessions opened through the proxy work over its WebSocket and stay on their replica; when that
replica dies, a shared link reopened through the proxy restores its scenario on the other one.
"""

from __future__ import annotations

import re
import secrets
import shutil
import subprocess
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest
from servers import REPO_ROOT, free_port, healthy, production_workdir, stop, streamlit_server

from xentui.scenario import PRESETS
from xentui.share_link import encode

pytestmark = pytest.mark.browser

NGINX_SITE = REPO_ROOT / "deploy" / "nginx" / "xent.conf"
ACCESS_LOG_FORMAT = 'log_format routed "$cookie_xent_route $upstream_addr $status $request_uri";'


def _nginx_binary() -> str:
    path = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if path is None:
        import os

        reason = "nginx not found; install it with `apt-get install nginx`"
        if os.environ.get("XENT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (required in CI)")
        pytest.skip(reason)
    return path


def _nginx_config(folder: Path, port: int, upstreams: list[str]) -> Path:
    """The repository's site, pointed at local replicas, inside a minimal nginx.conf."""
    site = NGINX_SITE.read_text()
    servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=10s;" for u in upstreams)
    site, replaced = re.subn(r"^\s*server xent:8501[^\n]*$", servers, site, flags=re.M)
    assert replaced == 1, "the site's upstream line moved; update this test"
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    conf = folder / "nginx.conf"
    conf.write_text(
        f"""
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    {ACCESS_LOG_FORMAT}
    access_log {folder}/access.log routed;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
"""
    )
    return conf


def _routes(folder: Path) -> dict[str, set[str]]:
    """Which upstreams served each route cookie, from the access log."""
    routes: dict[str, set[str]] = {}
    for line in (folder / "access.log").read_text().splitlines():
        cookie, upstream, *_ = line.split(" ")
        if cookie != "-" and upstream != "-":
            routes.setdefault(cookie, set()).update(u.strip(",") for u in upstream.split(", "))
    return routes


@pytest.fixture(scope="module")
def proxied_replicas(tmp_path_factory):
    """Two production-profile replicas sharing a cookie secret, and nginx in front of them."""
    nginx = _nginx_binary()
    folder = tmp_path_factory.mktemp("proxy")
    workdir = production_workdir(folder / "app")
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(16)}
    with ExitStack() as stack:
        replicas = [
            stack.enter_context(
                streamlit_server(folder / f"replica{i}.log", workdir=workdir, env=env)
            )
            for i in range(2)
        ]
        port = free_port()
        upstreams = [url.removeprefix("http://") for url, _ in replicas]
        conf = _nginx_config(folder, port, upstreams)
        proxy = subprocess.Popen([nginx, "-c", str(conf), "-g", "daemon off;"])
        stack.callback(stop, proxy)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while not healthy(url):
            assert proxy.poll() is None, (folder / "error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield {
            "url": url,
            "folder": folder,
            "replicas": dict(zip(upstreams, replicas, strict=True)),
        }


def _wait_for_loss(page, text: str) -> None:
    page.wait_for_selector(f'[data-testid="stMetricValue"]:has-text("{text}")', timeout=30_000)


def test_each_visitor_gets_a_route_cookie_and_keeps_its_replica(proxied_replicas):
    url = proxied_replicas["url"]
    cookies = []
    for _ in range(12):
        with urllib.request.urlopen(f"{url}/") as answer:
            header = answer.headers.get("Set-Cookie", "")
        match = re.search(r"xent_route=([^;]+)", header)
        assert match, f"no route cookie in {header!r}"
        cookies.append(match.group(1))
    for cookie in cookies:
        for _ in range(3):
            request = urllib.request.Request(
                f"{url}/_stcore/health", headers={"Cookie": f"xent_route={cookie}"}
            )
            with urllib.request.urlopen(request) as answer:
                assert answer.read() == b"ok"
                renewed = [
                    h for h in answer.headers.get_all("Set-Cookie") or [] if "xent_route" in h
                ]
                assert not renewed, "a known visitor keeps its cookie"
    routes = _routes(proxied_replicas["folder"])
    assert all(len(routes[c]) == 1 for c in cookies), routes
    used = set().union(*(routes[c] for c in cookies))
    assert used == set(proxied_replicas["replicas"]), "12 visitors should reach both replicas"


def test_sessions_work_through_the_proxy_and_survive_a_dead_replica(proxied_replicas, browser):
    url = proxied_replicas["url"]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/")
    _wait_for_loss(page, "1.2753")  # the script ran: the WebSocket works through nginx
    (cookie,) = [c["value"] for c in context.cookies() if c["name"] == "xent_route"]
    (serving,) = _routes(proxied_replicas["folder"])[cookie]

    # The replica that holds this session dies; the link of another scenario is reopened.
    stop(proxied_replicas["replicas"][serving][1])
    preset = PRESETS["PyTorch explainer: confident and wrong (16.0)"]
    page.goto(f"{url}/?s={encode(preset)}")
    _wait_for_loss(page, "16.0000")
    assert page.locator('[data-testid="stException"]').count() == 0
    survivors = set(proxied_replicas["replicas"]) - {serving}
    assert _routes(proxied_replicas["folder"])[cookie] >= survivors
    context.close()
