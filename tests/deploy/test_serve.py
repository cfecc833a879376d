"""deploy/serve.py, the image's launcher: two processes behind nginx, started and stopped.

Through the port it opens, sessions run and their uploads are accepted (only the process that
holds a session accepts its uploads, so several browsers uploading show that nginx keeps each on
its process); on SIGTERM every child stops, by its pid.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from proxy import nginx_binary
from servers import REPO_ROOT, free_port, healthy, production_workdir, stop, unavailable
from ws_client import Session, connect, open_page

from deploy.serve import nginx_command, nginx_config, usable_cpus

pytestmark = pytest.mark.browser

LAUNCHER = REPO_ROOT / "deploy" / "serve.py"


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


async def _browser(url: str, index: int) -> list[str]:
    source = f"127.0.4.{index + 1}"
    cookies = await asyncio.to_thread(open_page, url, source)
    async with connect(url, source=source, cookies=cookies) as ws:
        session = Session(ws, cookies=cookies)
        await session.rerun()
        await session.upload(url, "uploader", "logits.csv", b"0.1,0.9\n")
    return session.exceptions


def test_the_launcher_serves_two_processes_behind_nginx_and_stops_them_all(tmp_path):
    if nginx_binary() is None:
        unavailable("nginx not found; install it with `apt-get install nginx`")
    port = free_port()
    env = {
        **os.environ,
        "XENT_PROCESSES": "2",
        "XENT_ADDRESS": "127.0.0.1",
        "XENT_PORT": str(port),
        "XENT_RUNTIME_DIR": str(tmp_path / "run"),
    }
    env.pop("STREAMLIT_SERVER_COOKIE_SECRET", None)  # the launcher makes one for its processes
    workdir = production_workdir(tmp_path / "app")
    with (tmp_path / "serve.log").open("wb") as log:
        launcher = subprocess.Popen(
            [sys.executable, str(LAUNCHER)], cwd=workdir, env=env, stdout=log, stderr=log
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while not healthy(url):
            assert launcher.poll() is None, (tmp_path / "serve.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        children = _children(launcher.pid)
        assert len(children) == 3  # two Streamlit processes and nginx

        async def browsers():
            return await asyncio.gather(*(_browser(url, i) for i in range(6)))

        with concurrent.futures.ThreadPoolExecutor(1) as worker:  # Playwright may hold this loop
            assert worker.submit(asyncio.run, browsers()).result() == [[]] * 6

        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=20) == 0
        assert not any(_alive(pid) for pid in children)
    finally:
        stop(launcher)  # SIGTERM: the launcher stops its children before it exits


def test_the_written_nginx_configuration_passes_nginx_t(tmp_path):
    if nginx_binary() is None:
        unavailable("nginx not found; install it with `apt-get install nginx`")
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(tmp_path, "127.0.0.1:8501", ["127.0.0.1:8502", "127.0.0.1:8503"]))
    command = [*nginx_command(conf)[:-2], "-t"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert conf.read_text().count("server 127.0.0.1:85") == 2


def test_the_default_is_one_process_per_usable_cpu():
    assert 1 <= usable_cpus() <= os.cpu_count()
