"""The repository's nginx configuration in front of two app replicas, all on 127.0.0.1.

Sessions opened through the proxy work over its WebSocket and stay on their replica; when that
replica dies, a shared link reopened through the proxy restores its scenario on the other one.
"""

from __future__ import annotations

import re
import secrets
import urllib.request
from contextlib import ExitStack

import pytest
from proxy import nginx_binary, routes, start_nginx
from servers import production_workdir, stop, streamlit_server, unavailable

from xentui.domain.presets import PRESETS
from xentui.domain.share_link import encode

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def proxied_replicas(tmp_path_factory):
    """Two production-profile replicas sharing a cookie secret, and nginx in front of them."""
    if nginx_binary() is None:
        unavailable("nginx not found; install it with `apt-get install nginx`")
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
        upstreams = [url.removeprefix("http://") for url, _ in replicas]
        url, nginx = start_nginx(folder, upstreams)
        stack.callback(stop, nginx)
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
    served = routes(proxied_replicas["folder"])
    assert all(len(served[c]) == 1 for c in cookies), served
    used = set().union(*(served[c] for c in cookies))
    assert used == set(proxied_replicas["replicas"]), "12 visitors should reach both replicas"


def test_sessions_work_through_the_proxy_and_survive_a_dead_replica(proxied_replicas, browser):
    url = proxied_replicas["url"]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/")
    _wait_for_loss(page, "1.2753")  # the script ran: the WebSocket works through nginx
    (cookie,) = [c["value"] for c in context.cookies() if c["name"] == "xent_route"]
    (serving,) = routes(proxied_replicas["folder"])[cookie]

    # The replica that holds this session dies; the link of another scenario is reopened.
    stop(proxied_replicas["replicas"][serving][1])
    preset = PRESETS["PyTorch explainer: confident and wrong (16.0)"]
    page.goto(f"{url}/?s={encode(preset)}")
    _wait_for_loss(page, "16.0000")
    assert page.locator('[data-testid="stException"]').count() == 0
    survivors = set(proxied_replicas["replicas"]) - {serving}
    assert routes(proxied_replicas["folder"])[cookie] >= survivors
    context.close()
