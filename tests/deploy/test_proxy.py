"""The repository's nginx configuration in front of two app processes, all on 127.0.0.1.

Sessions opened through the proxy work over its WebSocket and stay on their process, uploads
included, and browsers spread over the processes; when a process dies, a shared link reopened
through the proxy restores its scenario on the other one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import urllib.request
from contextlib import ExitStack

import pytest
from proxy import nginx_binary, routes, sessions_per_upstream
from servers import start_servers, stop, unavailable
from ws_client import Session, connect, open_page

from xentui.domain.presets import PRESETS
from xentui.domain.share_link import encode

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def proxied_replicas(tmp_path_factory):
    """Two production-profile processes sharing a cookie secret, and nginx in front of them."""
    if nginx_binary() is None:
        unavailable("nginx not found; install it with `apt-get install nginx`")
    folder = tmp_path_factory.mktemp("proxy")
    with ExitStack() as stack:
        served = start_servers(stack, folder, processes=2)
        yield {"url": served.url, "folder": folder, "replicas": dict(served.processes)}


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


BROWSERS = 12


async def _browse_and_upload(url: str, index: int, keeps_cookies: bool) -> dict[str, str]:
    """A browser from an address of its own: a session, then a file uploaded into it."""
    source = f"127.0.3.{index + 1}"
    cookies = await asyncio.to_thread(open_page, url, source) if keeps_cookies else {}
    async with connect(url, source=source, cookies=cookies) as ws:
        session = Session(ws, cookies=cookies)
        await session.rerun()
        # Only the process holding the session accepts the upload (else "Invalid session_id").
        await session.upload(url, "uploader", "logits.csv", b"0.1,0.9\n")
    assert not session.exceptions
    return cookies


def test_each_browser_keeps_its_process_for_its_uploads_and_browsers_spread(proxied_replicas):
    url, folder = proxied_replicas["url"], proxied_replicas["folder"]
    before = sessions_per_upstream(folder)

    async def browsers():
        return await asyncio.gather(
            *(_browse_and_upload(url, i, keeps_cookies=i % 4 != 0) for i in range(BROWSERS))
        )

    with concurrent.futures.ThreadPoolExecutor(1) as worker:  # Playwright may hold this loop
        jars = worker.submit(asyncio.run, browsers()).result()
    by_cookie, by_address = routes(folder), routes(folder, by="address")
    for index, jar in enumerate(jars):
        served = by_cookie[jar["xent_route"]] if jar else by_address[f"127.0.3.{index + 1}"]
        assert len(served) == 1, (index, served)  # its WebSocket, health and upload: one process
    after = sessions_per_upstream(folder)
    spread = {u: after[u] - before.get(u, 0) for u in after}
    assert sum(spread.values()) == BROWSERS
    assert set(spread) == set(proxied_replicas["replicas"]), spread


FLOOD = 360  # new sessions asked for at once from one address: past the 20 + 300 the edge queues
SESSION_BURST, SESSION_QUEUE = 20, 300  # deploy/nginx/xent.conf: burst=320 delay=20


async def _open_stream(host: str, port: int, source: str, wait: float) -> int | None:
    """The status nginx answers a WebSocket upgrade from `source` with, or None if it waits."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    try:
        writer.write(
            (
                f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                "Sec-WebSocket-Protocol: streamlit\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), wait)
        return int(line.split()[1])
    except TimeoutError:
        return None  # held in the edge's queue
    finally:
        writer.close()


def test_the_edge_queues_a_flood_of_sessions_from_one_address_and_refuses_past_it(
    proxied_replicas,
):
    host, port = proxied_replicas["url"].removeprefix("http://").split(":")

    async def flood():
        attempts = [_open_stream(host, int(port), "127.0.5.1", wait=3) for _ in range(FLOOD)]
        flooded = asyncio.gather(*attempts)
        await asyncio.sleep(1)
        neighbour = await _open_stream(host, int(port), "127.0.5.2", wait=3)
        return await flooded, neighbour

    with concurrent.futures.ThreadPoolExecutor(1) as worker:  # Playwright may hold this loop
        statuses, neighbour = worker.submit(asyncio.run, flood()).result()
    assert neighbour == 101  # another address is not held up by the flood
    assert statuses.count(101) >= SESSION_BURST  # the burst went straight through
    refused = statuses.count(429)
    # Past the burst and the queue, refused at once (a few more got in as the queue drained).
    assert (
        FLOOD - SESSION_BURST - SESSION_QUEUE - 10
        <= refused
        <= FLOOD - SESSION_BURST - SESSION_QUEUE
    )
    assert set(statuses) <= {101, 429, None}


def test_sessions_work_through_the_proxy_and_survive_a_dead_replica(proxied_replicas, browser):
    url = proxied_replicas["url"]
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/")
    _wait_for_loss(page, "1.2753")  # the script ran: the WebSocket works through nginx
    (cookie,) = [c["value"] for c in context.cookies() if c["name"] == "xent_route"]
    (serving,) = routes(proxied_replicas["folder"])[cookie]

    # The replica that holds this session dies; the link of another scenario is reopened.
    stop(proxied_replicas["replicas"][serving])
    preset = PRESETS["PyTorch explainer: confident and wrong (16.0)"]
    page.goto(f"{url}/?s={encode(preset)}")
    _wait_for_loss(page, "16.0000")
    assert page.locator('[data-testid="stException"]').count() == 0
    survivors = set(proxied_replicas["replicas"]) - {serving}
    assert routes(proxied_replicas["folder"])[cookie] >= survivors
    context.close()
