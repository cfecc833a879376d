"""A class at once: N sessions over Streamlit's own WebSocket protocol, no browser.

Each simulated student loads the page (keeping the cookies it is given, as a browser does), opens
the Playground, then edits a logit or an option, waits a think time drawn from an exponential
distribution (mean 3 s), and edits again, for a set duration. Latency is measured per rerun from
the request to the server's "script finished" message.

The server is the production layout of deploy/serve.py: --processes Streamlit processes (default:
this machine's CPUs) behind the repository's nginx, which keeps each browser on one process.
Each run (--runs, default 3) prints p50/p95/p99/max, errors, reruns per second, how the sessions
spread over the processes, and where the CPU went: the servers' (per rerun), nginx's, this load
client's, and other processes' on the machine, with the load average before and after. The
verdicts take the median and range over the runs. RSS (from /proc) gives memory per session,
and the last run against the first shows whether memory leaks. Flood mode (--flood) drops the
think time and reports the most reruns per second the server sustains.

Hostile mode (--hostile K) runs a wave of the benign students alone, then the same wave again with
K attackers beside them, which paste oversized tables into the editors, open crafted links (JSON
nested 100,000 deep, 400-digit numbers, a 200,000-character option, …) and upload small files
that unpack to hundreds of MB to Your model, without pause. Both waves go through the
deployment's nginx site (deploy/nginx/xent.conf), and every simulated machine connects from a
loopback address of its own, so the edge sees each student and each attacker as one client.
It reports the benign p95 of both waves and their ratio, the benign errors, and the server's peak
RSS, sampled every 0.2 s, against the memory limit of deploy/k8s/deployment.yaml.

    python benchmarks/load.py --sessions 100                        # one process per CPU
    python benchmarks/load.py --sessions 100 --processes 1          # one process, no nginx
    python benchmarks/load.py --url http://127.0.0.1:8080 --pid 123 --flood   # a running one
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
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _measure import cpu_seconds
from proxy import sessions_per_upstream
from servers import Served, start_servers
from ws_client import Session, connect, editor_edit, open_page, slider_value

from deploy.serve import usable_cpus

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


async def student(url: str, seed: int, deadline: float, think: float) -> Session:
    rng = random.Random(seed)
    source = address(1, seed)
    session = Session(None)
    try:
        session.cookies = await asyncio.to_thread(open_page, url, source)
        async with connect(url, source=source, cookies=session.cookies) as ws:
            session.ws = ws
            edits: dict = {}
            await session.rerun()  # opening the Playground
            for _ in range(MAX_RERUNS_PER_SESSION):
                if think:
                    pause = min(rng.expovariate(1 / think), 30, deadline - time.monotonic())
                    await asyncio.sleep(max(0.0, pause))
                if time.monotonic() >= deadline:
                    break
                await session.rerun(random_edit(session, rng, edits))
    except (TimeoutError, KeyError, OSError, websockets.WebSocketException) as problem:
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


async def hostile(url: str, seed: int, deadline: float) -> Session:
    """Crafted links, upload bombs and sessions of oversized pastes, back to back, until `deadline`.

    Each link and each upload opens a new session, as a reloaded tab does; a paste session keeps
    its WebSocket and pastes again as soon as each rerun ends. All from one address and one
    browser's cookies per attacker.
    """
    rng = random.Random(seed)
    record = Session(None)
    source = address(2, -seed)
    for step in range(MAX_RERUNS_PER_SESSION):
        if time.monotonic() >= deadline:
            break
        try:
            if not record.cookies:
                record.cookies = await asyncio.to_thread(open_page, url, source)
            async with connect(url, source=source, cookies=record.cookies) as ws:
                session = Session(ws, cookies=record.cookies)
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
    """The largest RSS of the server processes (each, and all together), sampled in a thread."""

    def __init__(self, pids: list[int], every: float = 0.2) -> None:
        self.pids, self.every, self.peak, self.peak_one = pids, every, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            each = [proc_stats(pid)[1] for pid in self.pids]
            self.peak, self.peak_one = max(self.peak, sum(each)), max(self.peak_one, *each)
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


def event_loop(pid: int) -> str:
    """uvloop if the server has it loaded (Streamlit uses it when installed), else asyncio."""
    return "uvloop" if "uvloop" in Path(f"/proc/{pid}/maps").read_text() else "asyncio"


def with_children(pid: int | None) -> list[int]:
    """A process and its direct children (nginx's master and its worker)."""
    if pid is None:
        return []
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [pid, *map(int, children)]


class Machine:
    """CPU seconds of the servers, nginx, this client and the whole machine, between two reads."""

    def __init__(self, servers: list[int], nginx: list[int]) -> None:
        self.servers, self.nginx = servers, nginx
        self.load_before = os.getloadavg()
        self.started = time.monotonic()
        self._before = self._read()

    def _read(self) -> tuple[float, float, float, float]:
        machine, client = cpu_seconds()
        server = sum(proc_stats(pid)[0] for pid in self.servers)
        return machine, client, server, sum(proc_stats(pid)[0] for pid in self.nginx)

    def report(self, reruns: int) -> str:
        """Where the CPU went since this was made, as one line (reruns: the servers' count)."""
        wall = time.monotonic() - self.started
        machine, client, server, nginx = (
            b - a for a, b in zip(self._before, self._read(), strict=True)
        )
        others = max(0.0, machine - client - server - nginx) / wall
        per_rerun = f"{1000 * server / reruns:.0f} ms per rerun" if reruns and self.servers else "?"
        return (
            f"  CPU: servers {server / wall:.2f} of {os.cpu_count()} CPUs ({per_rerun}), nginx "
            f"{nginx / wall:.2f}, this client {client / wall:.2f}, other processes {others:.2f}; "
            f"load average {self.load_before[0]:.2f} → {os.getloadavg()[0]:.2f}"
        )


async def wave(
    url: str, sessions: int, duration: float, think: float, seed: int, hostiles: int = 0
) -> list[Session]:
    """The benign students' sessions (the hostile ones run beside them, not returned)."""
    deadline = time.monotonic() + duration
    tasks, attackers = [], []
    for i in range(hostiles):
        attackers.append(asyncio.create_task(hostile(url, -seed - i, deadline)))
    for i in range(sessions):
        # Students arrive over the first few seconds, not in one instant.
        await asyncio.sleep(min(0.1, 3.0 / max(sessions, 1)))
        tasks.append(asyncio.create_task(student(url, seed + i, deadline, think)))
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
        "served": sum(len(s.latencies) for s in results),  # page loads too
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


def spread(served: Served | None, since: dict[str, int], quiet: bool = False) -> dict[str, int]:
    """Print how many sessions each process took since `since`; the counts so far."""
    if served is None or served.nginx_pid is None:
        return since
    counts = sessions_per_upstream(served.folder)
    new = {upstream: counts[upstream] - since.get(upstream, 0) for upstream in sorted(counts)}
    if not quiet:
        print(f"  sessions per process: {', '.join(f'{u} {n}' for u, n in new.items())}")
    return counts


def summary(values: list[float], unit: str = " ms") -> str:
    return (
        f"median {statistics.median(values):.0f}{unit} "
        f"(range {min(values):.0f}–{max(values):.0f}{unit.strip() and ' ' + unit.strip()})"
    )


def class_runs(url: str, args, pids: list[int], nginx: list[int], served: Served | None) -> None:
    """`args.runs` waves of students; the verdicts over their median and range."""
    think = 0 if args.flood else args.think
    runs, rss = [], []
    counts = spread(served, {}, quiet=True)  # the warm-up's sessions are not a run's
    for number in range(1, args.runs + 1):
        rss_before = sum(proc_stats(pid)[1] for pid in pids)
        machine = Machine(pids, nginx)
        started = time.monotonic()
        results = asyncio.run(wave(url, args.sessions, args.duration, think, 1000 * number))
        figures = report(f"run {number}", results, time.monotonic() - started)
        print(machine.report(figures["served"]))
        counts = spread(served, counts)
        rss_after = sum(proc_stats(pid)[1] for pid in pids)
        if pids:
            print(
                f"  server RSS {rss_before:.0f} → {rss_after:.0f} MiB "
                f"({(rss_after - rss_before) / args.sessions:+.2f} MiB per session)"
            )
        runs.append(figures)
        rss.append((rss_before, rss_after))
        time.sleep(5)  # let the run's sessions close
    p95s = [r["p95"] for r in runs]
    errors = sum(r["errors"] for r in runs)
    print(f"p50 {summary([r['p50'] for r in runs])}; p99 {summary([r['p99'] for r in runs])}")
    if args.flood:
        rates = [r["reruns_per_s"] for r in runs]
        print(f"VERDICT flood throughput: {summary(rates, ' reruns/s')}")
    else:
        verdict = "PASS" if statistics.median(p95s) <= 300 else "FAIL"
        print(f"VERDICT class of {args.sessions}: p95 {summary(p95s)} ≤ 300 ms {verdict}")
    print(f"VERDICT errors {errors} {'PASS' if errors == 0 else 'FAIL'}")
    if pids:
        per_session = (rss[0][1] - rss[0][0]) / args.sessions
        print(
            f"VERDICT RSS growth {per_session:.2f} MiB per session (budget 5 MiB) "
            f"{'PASS' if per_session <= 5 else 'FAIL'}"
        )
    if pids and len(rss) > 1:
        growth = rss[-1][1] / rss[0][1] - 1
        print(
            f"VERDICT last-run RSS {rss[-1][1]:.0f} MiB vs first {rss[0][1]:.0f} MiB "
            f"({growth:+.1%}, budget +10%) {'PASS' if growth <= 0.10 else 'FAIL'}"
        )


def hostile_runs(url: str, args, pids: list[int], nginx: list[int]) -> None:
    """Benign students alone, then beside the hostile sessions; `args.runs` times."""
    limit = memory_limit_mib()
    think = 0 if args.flood else args.think
    ratios, peaks, calm_p95s, attacked_p95s, errors = [], [], [], [], 0
    for run in range(1, args.runs + 1):
        machine = Machine(pids, nginx)
        alone = asyncio.run(wave(url, args.sessions, args.duration, think, 1000 * run))
        calm = report(f"run {run}, students alone", alone, args.duration)
        print(machine.report(calm["served"]))
        machine = Machine(pids, nginx)
        with PeakRSS(pids) as rss:
            beside = asyncio.run(
                wave(url, args.sessions, args.duration, think, 1000 * run, args.hostile)
            )
        attacked = report(
            f"run {run}, beside {args.hostile} hostile sessions", beside, args.duration
        )
        print(machine.report(0))
        calm_p95s.append(calm["p95"])
        attacked_p95s.append(attacked["p95"])
        ratios.append(attacked["p95"] / calm["p95"] if calm["p95"] else float("inf"))
        peaks.append(rss.peak_one)
        errors += attacked["errors"]
        print(
            f"  peak server RSS {rss.peak_one:.0f} MiB per process, {rss.peak:.0f} MiB in all "
            f"(limit {limit:.0f} MiB per container); p95 ratio {ratios[-1]:.2f}"
        )
        time.sleep(5)
    print(f"benign p95 alone {summary(calm_p95s)}; beside hostile {summary(attacked_p95s)}")
    spread_ = f"median {statistics.median(ratios):.2f}, range {min(ratios):.2f}–{max(ratios):.2f}"
    print(
        f"VERDICT benign p95 beside hostile sessions / alone: {spread_} (budget 2×) "
        f"{'PASS' if statistics.median(ratios) <= 2 else 'FAIL'}"
    )
    print(
        f"VERDICT peak server RSS {max(peaks):.0f} MiB per process (limit {limit:.0f} MiB, "
        f"{args.runs} runs) {'PASS' if max(peaks) < limit else 'FAIL'}"
    )
    print(
        f"VERDICT benign errors beside hostile sessions {errors} {'PASS' if not errors else 'FAIL'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="target a running server instead of starting one")
    parser.add_argument("--pid", type=int, action="append", default=[], help="its process id(s)")
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--think", type=float, default=3.0, help="mean think time, seconds")
    parser.add_argument("--flood", action="store_true", help="no think time: maximum throughput")
    parser.add_argument("--runs", type=int, default=3, help="runs, for a median and range")
    parser.add_argument(
        "--processes",
        type=int,
        default=usable_cpus(),
        help="Streamlit processes, behind nginx when above 1 (default: this machine's CPUs)",
    )
    parser.add_argument("--proxy", action="store_true", help="behind nginx even with 1 process")
    parser.add_argument(
        "--hostile", type=int, default=0, help="hostile sessions beside the students (0: none)"
    )
    args = parser.parse_args()
    if not 1 <= args.sessions <= 500 or not 0 < args.duration <= 1800:
        parser.error("sessions must be in [1, 500] and duration in (0, 1800] seconds")
    if not 0 <= args.hostile <= 20 or not 1 <= args.runs <= 5 or not 1 <= args.processes <= 16:
        parser.error("hostile must be in [0, 20], runs in [1, 5] and processes in [1, 16]")

    with ExitStack() as stack:
        url, pids, served = args.url, list(args.pid), None
        if url is None:
            # Hostile mode goes through the deployment's edge, nginx, as a class's server does.
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="xent-load-")))
            proxy = args.proxy or bool(args.hostile)
            served = start_servers(stack, folder, args.processes, proxy=proxy)
            url, pids = served.url, served.pids
        elif urlparse(url).hostname not in {"127.0.0.1", "localhost", "::1"}:
            parser.error("only servers on this machine may be loaded")
        nginx = with_children(served.nginx_pid if served else None)
        loops = {event_loop(pid) for pid in pids} or {"?"}
        mode = "flood" if args.flood else f"think time {args.think:g} s"
        layout = f"{len(pids)} Streamlit processes" if pids else "a running server"
        print(
            f"{args.sessions} sessions, {args.duration:g} s per run, {args.runs} runs, {mode}; "
            f"{layout}{' behind nginx' if nginx else ''} at {url} (event loop: "
            f"{', '.join(sorted(loops))}); {os.cpu_count()} CPUs"
        )
        # A few sessions first, so that the imports (torch, Plotly, pandas) a cold server pays
        # once are not counted as memory per session; 4 per process reach them all.
        asyncio.run(wave(url, 4 * max(1, len(pids)), 1.0, 0, seed=1))
        time.sleep(2)
        if args.hostile:
            hostile_runs(url, args, pids, nginx)
        else:
            class_runs(url, args, pids, nginx, served)


if __name__ == "__main__":
    main()
