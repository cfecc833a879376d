"""A class of 100 answering a Class poll at once: all recorded, and the teacher's view keeps up.

Starts Debian's PostgreSQL on 127.0.0.1 and two app replicas behind the repository's nginx
(or, with --sqlite, one replica on a SQLite file), creates a poll, then, for each of --runs
runs, --students simulated students (the WebSocket client of benchmarks/load.py, each from its
own local address) arrive within --spread seconds and answer, while the teacher's page reruns
every 0.5 s. It prints, per run, the seconds until the teacher saw every answer, the teacher's
rerun p95 and the students' submission p95, then VERDICT lines over the median and range of the
runs: every answer recorded, all within 30 s, the teacher's p95 ≤ 1 s.

    python benchmarks/poll_load.py                  # PostgreSQL, 2 replicas, 100 students, 3 runs
    python benchmarks/poll_load.py --sqlite --students 50
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pg_server import postgres_server
from poll_client import OWN_QUESTIONS, class_with_teacher, p95
from servers import start_servers

from xentui.poll.limits import DATABASE_ENV
from xentui.poll.store import PollStore

WITHIN_SECONDS = 30.0
TEACHER_P95 = 1.0


def _summary(values: list[float], unit: str) -> str:
    return (
        f"median {statistics.median(values):.2f} {unit} (range {min(values):.2f}–{max(values):.2f})"
    )


def run(args: argparse.Namespace, database: str, folder: Path) -> bool:
    os.environ[DATABASE_ENV] = database  # the replicas inherit the one setting
    processes = 1 if args.sqlite else 2
    with ExitStack() as stack:
        served = start_servers(stack, folder, processes=processes, proxy=processes > 1)
        store = PollStore(database)
        took, teacher_p95, missing = [], [], 0
        for number in range(1, args.runs + 1):
            code, teacher = store.create(OWN_QUESTIONS)
            latencies, refreshes, seconds = asyncio.run(
                class_with_teacher(served.url, code, teacher, args.students, args.spread)
            )
            recorded = len(store.answers(code))
            missing += args.students - recorded
            took.append(seconds)
            teacher_p95.append(p95(refreshes))
            print(
                f"run {number}: {recorded}/{args.students} recorded; teacher saw all after "
                f"{seconds:.1f} s; teacher rerun p95 {teacher_p95[-1] * 1000:.0f} ms over "
                f"{len(refreshes)} reruns; submission p95 {p95(latencies) * 1000:.0f} ms; "
                f"load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
        store.close()
    where = "SQLite, 1 replica" if args.sqlite else "PostgreSQL, 2 replicas behind nginx"
    verdicts = [
        (f"every answer recorded ({where}): {missing} missing", missing == 0),
        (f"class of {args.students} seen within {WITHIN_SECONDS:.0f} s: {_summary(took, 's')}",
         statistics.median(took) <= WITHIN_SECONDS),
        (f"teacher view rerun p95 {_summary(teacher_p95, 's')} ≤ {TEACHER_P95:.0f} s",
         statistics.median(teacher_p95) <= TEACHER_P95),
    ]  # fmt: skip
    for text, ok in verdicts:
        print(f"VERDICT {text} {'PASS' if ok else 'FAIL'}")
    return all(ok for _, ok in verdicts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spread", type=float, default=10.0, help="arrivals within, seconds")
    parser.add_argument("--sqlite", action="store_true", help="one replica on SQLite instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xent-poll-load-") as folder:
        if args.sqlite:
            ok = run(args, f"sqlite:///{Path(folder) / 'polls.sqlite3'}", Path(folder))
        else:
            with postgres_server() as database:
                ok = run(args, database, Path(folder))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
