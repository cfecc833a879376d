"""A class at once: N sessions over Streamlit's own WebSocket protocol, no browser.

Each simulated student opens the Playground, then edits a logit or an option, waits a think time
drawn from an exponential distribution (mean 3 s), and edits again, for a set duration. Latency is
measured per rerun from the request to the server's "script finished" message. The report gives
p50/p95/p99/max, errors, reruns per second, and the server's CPU and RSS (read from /proc), with
memory per session; a second wave after the first has left shows whether memory leaks. Flood mode
(--flood) drops the think time and reports the most reruns per second the server sustains.

Hostile mode (--hostile K) runs a wave of the benign students alone, then the same wave again with
K attackers beside them, which paste oversized tables into the editors, open crafted links (JSON
nested 100,000 deep, 400-digit numbers, a 200,000-character option, …) and upload small files
that unpack to hundreds of MB to Your model, without pause. Both waves go through the
deployment's nginx site (deploy/nginx/xent.conf), and every simulated machine connects from a
loopback address of its own, so the edge sees each student and each attacker as one client.
It reports the benign p95 of both waves and their ratio, the benign errors, and the server's peak
RSS, sampled every 0.2 s, against the memory limit of deploy/k8s/deployment.yaml.

    python benchmarks/load.py --sessions 50 --duration 120          # starts a production server
    python benchmarks/load.py --url http://127.0.0.1:8080 --flood   # targets a running one
    python benchmarks/load.py --replicas 2 --flood                  # two replicas behind nginx
    python benchmarks/load.py --sessions 30 --hostile 3 --duration 40 --runs 3

Only addresses on this machine are targets; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import io
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import zlib
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlparse

import websockets
from streamlit.proto.WidgetStates_pb2 import WidgetState

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from servers import production_workdir, streamlit_server
from ws_client import Session, connect, editor_edit, slider_value

MAX_RERUNS_PER_SESSION = 10_000
DEPLOYMENT = Path(__file__).resolve().parent.parent / "deploy" / "k8s" / "deployment.yaml"


def random_edit(session: Session, rng: random.Random, edits: dict) -> list:
    """Mostly a logit typed into the editor; sometimes a label-smoothing change."""
    if rng.random() < 0.7:
        row, column = rng.randrange(2), f"c{rng.randrange(3)}"
        edits.setdefault(row, {})[column] = str(rng.randint(-5, 9))
        return [editor_edit(session.widget("logits_editor_"), edits)]
    return [slider_value(session.widget("opt_smoothing"), round(rng.uniform(0, 0.3), 2))]


def address(group: int, index: int) -> str:
    """A loopback address of its own for each simulated machine (group 1 benign, 2 hostile)."""
    return f"127.0.{group}.{index % 250 + 1}"


async def student(url: str, seed: int, deadline: float, think: float, cookie: str) -> Session:
    rng = random.Random(seed)
    async with connect(url, route_cookie=cookie, source=address(1, seed)) as ws:
        session = Session(ws)
        edits: dict = {}
        try:
            await session.rerun()  # opening the page
            for _ in range(MAX_RERUNS_PER_SESSION):
                if think:
                    await asyncio.sleep(min(rng.expovariate(1 / think), 30))
                if time.monotonic() >= deadline:
                    break
                await session.rerun(random_edit(session, rng, edits))
        except (TimeoutError, KeyError, websockets.WebSocketException) as problem:
            session.exceptions.append(f"{type(problem).__name__}: {problem}")
        return session


def _token(payload_json: str) -> str:
    """A share link's scenario in the app's link format, whatever the JSON holds."""
    body = base64.urlsafe_b64encode(zlib.compress(payload_json.encode(), 9)).rstrip(b"=")
    return "1." + body.decode("ascii")


# Links a hostile student crafts: each opens a new session on its query string.
CRAFTED_LINKS = [
    "s=" + _token("[" * 100_000 + "]" * 100_000),
    "s=" + _token('{"c":["a","b"],"z":[[1,' + "9" * 400 + ']],"t":[0]}'),
    "s=" + _token('{"c":["a","b"],"z":5,"t":[0]}'),
    "s=" + _token('{"c":["a","\\ud800"],"z":[[1,2]],"t":[0],"w":[1e300,1]}'),
    "s=" + _token('{"c":["a","b"],"z":[[1,2]],"t":[0],"r":"' + "x" * 200_000 + '"}'),
    "s=1." + "A" * 15_000,
    "term=inf&s=garbage",
]


@functools.cache
def upload_bombs() -> tuple[tuple[str, bytes], ...]:
    """Files of about 200 KB that unpack to 24 M × 2 float32 logits or 45 M class names."""
    import numpy as np  # only hostile mode needs it

    bombs = []
    for name, arrays in (
        ("logits.npz", {"logits": np.zeros((24_000_000, 2), np.float32)}),
        (
            "names.npz",
            {"logits": np.zeros((2, 2), np.float32), "class_names": np.full(45_000_000, "a")},
        ),
    ):
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        bombs.append((name, buffer.getvalue()))
    return tuple(bombs)


def oversized_paste(session: Session, rows: int) -> list:
    """The logits editor's state after pasting `rows` new rows (3 classes, a target each)."""
    state = WidgetState(id=session.widget("logits_editor_"))
    added = [{"c0": "1", "c1": "2", "c2": str(r % 7), "target": "cat"} for r in range(rows)]
    state.string_value = json.dumps({"edited_rows": {}, "added_rows": added, "deleted_rows": []})
    return [state]


PASTES_PER_SESSION = 10
REFUSED_RETRY = 0.05  # seconds a refused attacker waits before it tries again


async def hostile(url: str, seed: int, deadline: float, cookie: str) -> Session:
    """Crafted links, upload bombs and sessions of oversized pastes, back to back, until `deadline`.

    Each link and each upload opens a new session, as a reloaded tab does; a paste session keeps
    its WebSocket and pastes again as soon as each rerun ends. All from one address per attacker.
    """
    rng = random.Random(seed)
    record = Session(None)
    source = address(2, -seed)
    for step in range(MAX_RERUNS_PER_SESSION):
        if time.monotonic() >= deadline:
            break
        try:
            async with connect(url, route_cookie=cookie, source=source) as ws:
                session = Session(ws)
                if step % 3 == 1:
                    await session.rerun(query_string=rng.choice(CRAFTED_LINKS))
                elif step % 3 == 2:
                    await session.rerun(page="your-model")
                    name, data = rng.choice(upload_bombs())
                    bomb = await session.upload(url, session.widget("ym_file"), name, data)
                    await session.rerun([bomb], page="your-model")
                else:
                    await session.rerun()
                    for _ in range(PASTES_PER_SESSION):
                        if time.monotonic() >= deadline:
                            break
                        rows = rng.choice((3_000, 10_000))
                        await session.rerun(oversized_paste(session, rows))
                record.latencies.extend(session.latencies)
                record.exceptions.extend(session.exceptions)
        except (TimeoutError, KeyError, OSError, websockets.WebSocketException) as problem:
            record.exceptions.append(f"{type(problem).__name__}: {problem}")
            await asyncio.sleep(REFUSED_RETRY)
    return record


class PeakRSS:
    """The largest RSS of the server processes, sampled in a thread until stopped."""

    def __init__(self, pids: list[int], every: float = 0.2) -> None:
        self.pids, self.every, self.peak = pids, every, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, sum(proc_stats(pid)[1] for pid in self.pids))
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def memory_limit_mib() -> float:
    """The container's memory limit in deploy/k8s/deployment.yaml (the `limits:` entry)."""
    text = DEPLOYMENT.read_text()
    limits = text[text.index("limits:") :]
    value, unit = re.search(r"memory:\s*(\d+)(Mi|Gi)", limits).groups()
    return float(value) * (1024 if unit == "Gi" else 1)


def proc_stats(pid: int) -> tuple[float, float]:
    """(CPU seconds used, RSS in MiB) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return cpu, rss_pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def wave(
    url: str, sessions: int, duration: float, think: float, seed: int, hostiles: int = 0
) -> list[Session]:
    """The benign students' sessions (the hostile ones run beside them, not returned)."""
    deadline = time.monotonic() + duration
    tasks, attackers = [], []
    for i in range(hostiles):
        attackers.append(asyncio.create_task(hostile(url, -seed - i, deadline, f"h{seed + i}")))
    for i in range(sessions):
        # Students arrive over the first few seconds, not in one instant.
        await asyncio.sleep(min(0.1, 3.0 / max(sessions, 1)))
        tasks.append(asyncio.create_task(student(url, seed + i, deadline, think, f"s{seed + i}")))
    benign = await asyncio.gather(*tasks)
    done = await asyncio.gather(*attackers)  # each stops by itself at the deadline
    if done:
        acts = sum(len(record.latencies) for record in done)
        refused = sum(len(record.exceptions) for record in done)
        print(
            f"  hostile sessions: {acts} reruns served (crafted links, oversized pastes, upload "
            f"bombs); {refused} attempts refused or cut (the edge's 429s among them)"
        )
    return benign


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report(name: str, results: list[Session], elapsed: float) -> dict[str, float]:
    latencies = [v * 1000 for s in results for v in s.latencies[1:]]  # edits, not page loads
    loads = [s.latencies[0] * 1000 for s in results if s.latencies]
    errors = [e for s in results for e in s.exceptions]
    figures = {
        "reruns": len(latencies),
        "reruns_per_s": len(latencies) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 0.50),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies, default=float("nan")),
        "errors": len(errors),
    }
    print(
        f"{name}: {figures['reruns']} edit reruns in {elapsed:.0f} s "
        f"({figures['reruns_per_s']:.1f}/s); latency ms p50 {figures['p50']:.0f}, "
        f"p95 {figures['p95']:.0f}, p99 {figures['p99']:.0f}, max {figures['max']:.0f}; "
        f"page load p50 {statistics.median(loads) if loads else float('nan'):.0f} ms; "
        f"errors {len(errors)}"
    )
    for error in sorted(set(errors))[:5]:
        print(f"  error: {error[:200]}")
    return figures


def run_wave(url: str, args, seed: int, pids: list[int], label: str) -> tuple[dict, float, float]:
    before = [proc_stats(pid) for pid in pids]
    started = time.monotonic()
    results = asyncio.run(
        wave(url, args.sessions, args.duration, 0 if args.flood else args.think, seed)
    )
    elapsed = time.monotonic() - started
    after = [proc_stats(pid) for pid in pids]
    figures = report(label, results, elapsed)
    cpu = sum(a[0] - b[0] for a, b in zip(after, before, strict=True))
    rss_before, rss_after = sum(b[1] for b in before), sum(a[1] for a in after)
    print(
        f"  server CPU {cpu:.1f} s ({cpu / elapsed:.0%} of one core); RSS {rss_before:.0f} → "
        f"{rss_after:.0f} MiB ({(rss_after - rss_before) / args.sessions:+.2f} MiB per session)"
    )
    return figures, rss_before, rss_after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="target a running server instead of starting one")
    parser.add_argument("--pid", type=int, action="append", default=[], help="its process id(s)")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds per wave")
    parser.add_argument("--think", type=float, default=3.0, help="mean think time, seconds")
    parser.add_argument("--flood", action="store_true", help="no think time: maximum throughput")
    parser.add_argument("--waves", type=int, default=2, help="the second wave checks for leaks")
    parser.add_argument("--replicas", type=int, default=1, help="behind nginx when above 1")
    parser.add_argument(
        "--hostile", type=int, default=0, help="hostile sessions beside the students (0: none)"
    )
    parser.add_argument("--runs", type=int, default=1, help="hostile mode: repeat, for a median")
    args = parser.parse_args()
    if not 1 <= args.sessions <= 500 or not 0 < args.duration <= 1800:
        parser.error("sessions must be in [1, 500] and duration in (0, 1800] seconds")
    if not 0 <= args.hostile <= 20 or not 1 <= args.runs <= 5:
        parser.error("hostile must be in [0, 20] and runs in [1, 5]")

    with ExitStack() as stack:
        url, pids = args.url, list(args.pid)
        if url is None:
            # Hostile mode goes through the deployment's edge, nginx, as a class's server does.
            url, pids = start_servers(stack, args.replicas, proxy=bool(args.hostile))
        elif urlparse(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            parser.error("only servers on this machine may be loaded")
        mode = "flood" if args.flood else f"think time {args.think:g} s"
        print(f"{args.sessions} sessions, {args.duration:g} s per wave, {mode}, target {url}")
        # A few sessions first, so that the imports (torch, Plotly, pandas) a cold server pays
        # once are not counted as memory per session; behind nginx, 4 per replica reach them all.
        asyncio.run(wave(url, 4 * max(1, len(pids)), 1.0, 0, seed=1))
        print(f"machine load (1, 5, 15 min): {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
        if args.hostile:
            hostile_runs(url, args, pids)
            return
        peaks = []
        for number in range(1, args.waves + 1):
            figures, rss_before, rss_after = run_wave(
                url, args, 1000 * number, pids, f"wave {number}"
            )
            peaks.append(rss_after)
            if number == 1 and pids:
                per_session = (rss_after - rss_before) / args.sessions
                print(
                    f"VERDICT RSS growth {per_session:.2f} MiB per session (budget 5 MiB): "
                    f"{'PASS' if per_session <= 5 else 'FAIL'}"
                )
            if number == 1 and not args.flood:
                verdict = figures["p95"] <= 300 and figures["errors"] == 0
                print(
                    f"VERDICT p95 {figures['p95']:.0f} ms (budget 300 ms), errors "
                    f"{figures['errors']}: {'PASS' if verdict else 'FAIL'}"
                )
            if args.flood:
                print(f"VERDICT flood throughput: {figures['reruns_per_s']:.1f} reruns/s")
            time.sleep(5)  # let the first wave's sessions close
        if len(peaks) > 1 and pids:
            growth = peaks[-1] / peaks[0] - 1
            print(
                f"VERDICT second-wave RSS {peaks[-1]:.0f} MiB vs first {peaks[0]:.0f} MiB "
                f"({growth:+.1%}, budget +10%): {'PASS' if growth <= 0.10 else 'FAIL'}"
            )


def hostile_runs(url: str, args, pids: list[int]) -> None:
    """Benign students alone, then beside the hostile sessions; `args.runs` times."""
    limit = memory_limit_mib()
    ratios, peaks, errors = [], [], 0
    for run in range(1, args.runs + 1):
        think = 0 if args.flood else args.think
        alone = asyncio.run(wave(url, args.sessions, args.duration, think, 1000 * run))
        calm = report(f"run {run}, students alone", alone, args.duration)
        with PeakRSS(pids) as rss:
            beside = asyncio.run(
                wave(url, args.sessions, args.duration, think, 1000 * run, args.hostile)
            )
        attacked = report(
            f"run {run}, beside {args.hostile} hostile sessions", beside, args.duration
        )
        ratios.append(attacked["p95"] / calm["p95"] if calm["p95"] else float("inf"))
        peaks.append(rss.peak)
        errors += attacked["errors"]
        print(
            f"  peak server RSS {rss.peak:.0f} MiB (limit {limit:.0f}); p95 ratio {ratios[-1]:.2f}"
        )
        time.sleep(5)
    spread = f"median {statistics.median(ratios):.2f}, range {min(ratios):.2f}–{max(ratios):.2f}"
    print(
        f"VERDICT benign p95 beside hostile sessions / alone: {spread} (budget 2×): "
        f"{'PASS' if statistics.median(ratios) <= 2 else 'FAIL'}"
    )
    print(
        f"VERDICT peak server RSS {max(peaks):.0f} MiB (limit {limit:.0f} MiB, "
        f"{args.runs} runs): {'PASS' if max(peaks) < limit else 'FAIL'}"
    )
    verdict = "PASS" if not errors else "FAIL"
    print(f"VERDICT benign errors beside hostile sessions: {errors}: {verdict}")


def start_servers(stack: ExitStack, replicas: int, proxy: bool = False) -> tuple[str, list[int]]:
    """Production-profile server(s) on 127.0.0.1; behind nginx if `proxy` or more than one."""
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xent-load-")))
    workdir = production_workdir(folder / "app")
    env = {"STREAMLIT_SERVER_COOKIE_SECRET": "load-test-secret"}
    servers = [
        stack.enter_context(streamlit_server(folder / f"r{i}.log", workdir=workdir, env=env))
        for i in range(replicas)
    ]
    pids = [process.pid for _, process in servers]
    if replicas == 1 and not proxy:
        return servers[0][0], pids
    from proxy import start_nginx  # tests/proxy.py: the repository's nginx site on loopback

    url, nginx = start_nginx(folder, [u.removeprefix("http://") for u, _ in servers])
    stack.callback(nginx.terminate)
    return url, pids


if __name__ == "__main__":
    main()
