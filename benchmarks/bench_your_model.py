"""How long, and how much memory, does the "Your model" page take for a large upload?

Run from the repository root:

    python benchmarks/bench_your_model.py            # the two .npy cases, then a CSV for reference
    python benchmarks/bench_your_model.py --no-csv
    python benchmarks/bench_your_model.py --bombs     # small hostile files: refused how fast?

Cases (the issue's scale targets): a 100 000 × 1 000 float32 .npy (400 MB) and a 1 000 000 × 10
float32 .npy (40 MB), each with a labels .npy. For reference only (no target): the 1 000 000 × 10
data as a CSV with a label column.

What is measured, and how. Every case runs twice, each time in a fresh process: once as a server
runs (for the times), once with `_measure.ALLOCATOR_ENV` (for the memory: freed memory goes back
to the kernel, so a peak is a peak — but every block temporary then becomes an mmap and its page
faults, which would inflate the times). In each process:

1. the app is opened headless with Streamlit's AppTest on pages/analyse/your_model.py — the
   page's own script, run exactly as the server runs it (minus the network) — and a small upload
   of the same shape class is analysed once, so that imports (torch) and code paths are warm;
2. the peak-RSS mark is reset; the file is read from disk into bytes ("read once": the moment the
   upload has completed, the server holds exactly these bytes);
3. the bytes are given to the page's file uploader and `at.run()` is timed: this is the server
   time from a completed upload to a rendered page — hashing, parsing, the analysis, PyTorch's
   figure, every figure and table;
4. reruns follow: one moving the bins slider with the upload held (a full-script rerun, which
   includes Streamlit's deep copy of the upload), then, with the uploaders emptied, one moving
   the bins slider and one changing k (see `child`): all answered from the cache.

Peak memory is the growth of the process's resident set over steps 2–3, which includes the
upload's bytes themselves; it is compared with 3 × the file size. Beside the server time: the
time to read the file once, and two hashes of it (the page uses SHA-256; BLAKE2b for comparison),
and the analysis's own stage times. Times are wall-clock on a machine that may be shared: the
number of CPUs other processes kept busy is printed beside them.

With --bombs, each of the small hostile files of tests/upload_cases.py (an .npz unpacking to
24 M × 2 float32, one of 45 M class names, a CSV of 10⁶ columns, an .npz of 10 000 arrays, a
lying archive) is given to the page's uploader in a fresh process (with `_measure.ALLOCATOR_ENV`)
three times; the medians of the wall time and CPU time of that run and of its peak memory growth
are printed with the message the page shows.

Two models compared: two 100 000 × 1 000 .npy files with the same labels are given to the page's
uploaders with the Compare tab on a second upload, and the run from both uploads completed to the
rendered comparison is timed (target 6 s; memory against 3 × the two files).

Every case runs --repeats times (default 3); the median and the range are printed. Lines
starting with "VERDICT" compare the medians with the issue's targets (3 s, 6 s for the
comparison, 3 × the files). The script exits 0 either way: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import _measure  # noqa: E402
import numpy as np  # noqa: E402

APP = REPO_ROOT / "app.py"
PAGE = "pages/analyse/your_model.py"
BUDGET_SECONDS = 3.0
MEMORY_FACTOR = 3.0
NPY_CASES = [(100_000, 1_000), (1_000_000, 10)]
COMPARE_CASE = (100_000, 1_000)
COMPARE_BUDGET_SECONDS = 6.0
WRITE_BLOCK_ROWS = 50_000
SEED = 0


# ------------------------------------------------------------------------------- the data files


def logits_block(rng: np.random.Generator, labels: np.ndarray, classes: int) -> np.ndarray:
    """Logits of a plausible, over-confident classifier: noise, plus a bump on the label."""
    block = (2.0 * rng.standard_normal((labels.size, classes))).astype(np.float32)
    block[np.arange(labels.size), labels] += 4.0
    return block


def write_npy_case(folder: Path, rows: int, classes: int, model: int = 0) -> tuple[Path, Path]:
    """Scores and labels .npy files, written block by block (the parent never holds 400 MB).

    Every `model` has the same labels and scores of its own (model 1 is the compared model B).
    """
    rng = np.random.default_rng(SEED)
    scores_path = folder / f"logits_{rows}x{classes}_{model}.npy"
    labels_path = folder / f"labels_{rows}.npy"
    labels = rng.integers(0, classes, rows)
    np.save(labels_path, labels)
    if model:
        rng = np.random.default_rng(SEED + 100 + model)
    scores = np.lib.format.open_memmap(
        scores_path, mode="w+", dtype=np.float32, shape=(rows, classes)
    )
    for start in range(0, rows, WRITE_BLOCK_ROWS):
        stop = min(start + WRITE_BLOCK_ROWS, rows)
        scores[start:stop] = logits_block(rng, labels[start:stop], classes)
    scores.flush()
    del scores
    return scores_path, labels_path


def write_csv_case(folder: Path, rows: int, classes: int) -> Path:
    rng = np.random.default_rng(SEED)
    path = folder / f"scores_{rows}x{classes}.csv"
    with path.open("w") as out:
        out.write(",".join(f"c{k}" for k in range(classes)) + ",label\n")
        for start in range(0, rows, WRITE_BLOCK_ROWS):
            stop = min(start + WRITE_BLOCK_ROWS, rows)
            labels = rng.integers(0, classes, stop - start)
            block = np.column_stack([logits_block(rng, labels, classes), labels])
            np.savetxt(out, block, fmt=["%.6g"] * classes + ["%d"], delimiter=",")
    return path


# ---------------------------------------------------------------------------- the child process


def _small_npy(rows: int, classes: int) -> tuple[bytes, bytes]:
    rng = np.random.default_rng(SEED + 1)
    labels = rng.integers(0, classes, rows)
    scores, target = io.BytesIO(), io.BytesIO()
    np.save(scores, logits_block(rng, labels, classes))
    np.save(target, labels)
    return scores.getvalue(), target.getvalue()


def child(scores_path: Path, labels_path: Path | None) -> dict[str, object]:
    """Steps 1–4 of the module docstring, in this (fresh) process; returns the figures."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=600)
    at.run()  # the first run calls st.navigation, which registers the page to switch to
    at.switch_page(PAGE).run()
    csv = labels_path is None
    # Warm-up with a small file of the same kind (and the example already shown): imports, torch's
    # thread pool, every code path of parsing, analysis, figures and tables.
    if csv:
        header = ",".join(f"c{k}" for k in range(10)) + ",label\n"
        rows = "\n".join(",".join(["0.5"] * 10 + [str(i % 10)]) for i in range(2000))
        at.file_uploader(key="ym_file").set_value(
            ("warm.csv", (header + rows).encode(), "text/csv")
        )
    else:
        classes = np.load(scores_path, mmap_mode="r").shape[1]
        small, small_labels = _small_npy(2_000, classes)
        at.file_uploader(key="ym_file").set_value(("warm.npy", small, "application/octet-stream"))
        at.file_uploader(key="ym_labels").set_value(
            ("warm_labels.npy", small_labels, "application/octet-stream")
        )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    gc.collect()

    busy_before, wall_before = _measure.cpu_seconds(), time.perf_counter()
    _measure.reset_peak_rss()
    baseline = _measure._status_kib("VmRSS") * 1024
    start = time.perf_counter()
    data = scores_path.read_bytes()
    labels = None if labels_path is None else labels_path.read_bytes()
    read_seconds = time.perf_counter() - start

    files = {"ym_file": (scores_path.name, data)}
    if labels is not None:
        files["ym_labels"] = (labels_path.name, labels)
    _upload(at, files)
    server_seconds, peak = _timed_run(at, baseline)
    busy = _measure.cpus_busy_elsewhere(
        busy_before, _measure.cpu_seconds(), time.perf_counter() - wall_before
    )
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    analysis = at.session_state["ym_analysis"]
    assert analysis.source == scores_path.name, analysis.source

    # Reruns. AppTest reruns the whole script, whose st.file_uploader deep-copies the upload
    # (Streamlit does, on every run). On the server, the bins and k widgets live in a fragment,
    # which reruns alone, without the uploaders. Both are timed: the full rerun with the upload
    # held, and the rerun with the uploaders emptied (the analysis stays on screen), which is
    # the fragment's work plus the few input widgets.
    start = time.perf_counter()
    at.slider(key="ym_bins").set_value(30).run()
    full_rerun_seconds = time.perf_counter() - start
    at.file_uploader(key="ym_file").set_value(None)
    at.file_uploader(key="ym_labels").set_value(None)
    at.run()
    assert at.session_state["ym_analysis"] is analysis
    start = time.perf_counter()
    at.slider(key="ym_bins").set_value(20).run()
    bins_seconds = time.perf_counter() - start
    start = time.perf_counter()
    at.slider(key="ym_k").set_value(50).run()
    k_seconds = time.perf_counter() - start
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["ym_analysis"] is analysis  # answered from the cache: same object

    hashes = {}
    for name in ("sha256", "blake2b"):
        start = time.perf_counter()
        hashlib.new(name, data).digest()
        hashes[name] = time.perf_counter() - start
    return {
        "file_bytes": len(data),
        "read_seconds": read_seconds,
        "server_seconds": server_seconds,
        "peak_bytes": peak,
        "full_rerun_seconds": full_rerun_seconds,
        "bins_rerun_seconds": bins_seconds,
        "k_rerun_seconds": k_seconds,
        "hash_seconds": hashes,
        "stages": analysis.timings,
        "mean_loss": analysis.mean_loss,
        "temperature": analysis.temperature.temperature,
        "busy_elsewhere": busy,
    }


def _upload(at, files: dict[str, tuple[str, bytes]]) -> None:
    """Give each uploader (by key) its (name, bytes)."""
    for key, (name, data) in files.items():
        at.file_uploader(key=key).set_value((name, data, "application/octet-stream"))


def _timed_run(at, baseline: int) -> tuple[float, int]:
    """One run of the page: its seconds and the peak memory above `baseline`, in bytes."""
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    return seconds, _measure._status_kib("VmHWM") * 1024 - baseline


def compare_child(scores_path: Path, labels_path: Path, second_path: Path) -> dict[str, object]:
    """Two models compared: from both uploads completed to the rendered Compare tab."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=600)
    at.run()
    at.switch_page(PAGE).run()
    classes = np.load(scores_path, mmap_mode="r").shape[1]
    small, small_labels = _small_npy(2_000, classes)
    at.button_group(key="ym_compare").set_value("file").run()
    _upload(
        at,
        {"ym_file": ("warm.npy", small), "ym_labels": ("wl.npy", small_labels)}
        | {"ym_file_b": ("warm_b.npy", small)},
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    gc.collect()
    _measure.reset_peak_rss()
    baseline = _measure._status_kib("VmRSS") * 1024
    data, labels, second = (p.read_bytes() for p in (scores_path, labels_path, second_path))
    _upload(
        at,
        {"ym_file": (scores_path.name, data), "ym_labels": (labels_path.name, labels)}
        | {"ym_file_b": (second_path.name, second)},
    )
    server_seconds, peak = _timed_run(at, baseline)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    table = next(d.value for d in at.dataframe if "95% interval of B − A" in d.value.columns)
    return {
        "file_bytes": len(data) + len(second),
        "server_seconds": server_seconds,
        "peak_bytes": peak,
        "loss_difference": float(table.iloc[0]["B − A"]),
    }


def run_compare(scores_path: Path, labels_path: Path, second_path: Path) -> dict[str, object]:
    """Time from a process with the default allocator, memory from one with ALLOCATOR_ENV."""
    command = ["--compare-child", str(scores_path), str(labels_path), str(second_path)]
    timed = _run(command, {})
    sized = _run(command, _measure.ALLOCATOR_ENV)
    return {**timed, "peak_bytes": sized["peak_bytes"]}


def _run(arguments: list[str], extra_env: dict[str, str]) -> dict[str, object]:
    environment = {**os.environ, **extra_env}
    completed = subprocess.run(
        [sys.executable, __file__, *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO_ROOT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"the measuring process failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_child(scores_path: Path, labels_path: Path | None) -> dict[str, object]:
    """Times from a process with the default allocator, memory from one with ALLOCATOR_ENV."""
    timed = _child_process(scores_path, labels_path, {})
    sized = _child_process(scores_path, labels_path, _measure.ALLOCATOR_ENV)
    return {**timed, "peak_bytes": sized["peak_bytes"]}


def _child_process(
    scores_path: Path, labels_path: Path | None, extra_env: dict[str, str]
) -> dict[str, object]:
    paths = [str(scores_path)] + ([] if labels_path is None else [str(labels_path)])
    return _run(["--child", *paths], extra_env)


def _spread(values: list[float], unit: float = 1.0) -> str:
    """median (min–max) of `values` ÷ unit."""
    v = sorted(x / unit for x in values)
    return f"{v[len(v) // 2]:.2f} (range {v[0]:.2f}–{v[-1]:.2f}, {len(v)} runs)"


def median_run(results: list[dict[str, object]]) -> dict[str, object]:
    """The run of median server time, its peak memory the median of all runs' peaks."""
    ordered = sorted(results, key=lambda r: r["server_seconds"])
    peaks = sorted(r["peak_bytes"] for r in results)
    return {**ordered[len(ordered) // 2], "peak_bytes": peaks[len(peaks) // 2]}


def report_compare(label: str, results: list[dict[str, object]], budget: float) -> list[str]:
    size = results[0]["file_bytes"]
    server = median_run(results)
    times = [r["server_seconds"] for r in results]
    peaks = [r["peak_bytes"] / size for r in results]
    return [
        f"\n{label}: {size / 2**20:.1f} MB in the two files",
        f"  both uploads → rendered comparison: {_spread(times)} s",
        f"  peak memory growth: {_spread(peaks)} × the two files; mean loss B − A "
        f"{server['loss_difference']:+.4f}",
        f"VERDICT {label}: server time median {server['server_seconds']:.2f} s vs {budget:.0f} s "
        "budget — " + ("PASS" if server["server_seconds"] <= budget else "FAIL"),
        f"VERDICT {label}: peak memory median {server['peak_bytes'] / size:.2f}× the files vs "
        f"{MEMORY_FACTOR:.0f}× — "
        + ("PASS" if server["peak_bytes"] <= MEMORY_FACTOR * size else "FAIL"),
    ]


# ----------------------------------------------------------------------------------- the bombs


def _bombs() -> dict[str, object]:
    """name → a callable giving (file name, bytes, has_header) — built in the measuring process."""
    sys.path.insert(0, str(REPO_ROOT / "tests"))
    import upload_cases

    return {
        "npz of 24 M × 2 float32 zeros": lambda: ("zeros.npz", upload_cases.zeros_bomb(), True),
        "npz of 45 M class names": lambda: ("names.npz", upload_cases.names_bomb(), True),
        "CSV of 10⁶ header columns": lambda: ("wide.csv", upload_cases.header_bomb(), True),
        "CSV of 10⁶ columns, no header": lambda: ("wide.csv", upload_cases.columns_bomb(), False),
        "npz of 10 000 arrays": lambda: ("many.npz", upload_cases.members_bomb(), True),
        "npz whose sizes lie": lambda: ("lying.npz", upload_cases.lying_bomb(), True),
    }


def bomb_child(name: str) -> dict[str, object]:
    """Give one bomb to the page's uploader; measure that run (wall, CPU, peak memory growth)."""
    from streamlit.testing.v1 import AppTest

    file_name, data, has_header = _bombs()[name]()
    at = AppTest.from_file(str(APP), default_timeout=600)
    at.run()
    at.switch_page(PAGE).run()
    gc.collect()
    _measure.reset_peak_rss()
    baseline = _measure._status_kib("VmRSS") * 1024
    wall, cpu = time.perf_counter(), time.process_time()
    at.file_uploader(key="ym_file").set_value((file_name, data, "application/octet-stream"))
    at.run()
    if not has_header and any(box.key == "ym_header" for box in at.checkbox):
        at.checkbox(key="ym_header").set_value(False).run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = _measure._status_kib("VmHWM") * 1024 - baseline
    problem = at.session_state["ym_problem"]
    shown = "no problem shown" if problem is None else str(problem)
    return {"wall": wall, "cpu": cpu, "peak": peak, "file": len(data), "message": shown}


def run_bombs(repeats: int = 3) -> None:
    import statistics

    for name in _bombs():
        runs = []
        for _ in range(repeats):
            command = [sys.executable, __file__, "--bomb-child", name]
            environment = {**os.environ, **_measure.ALLOCATOR_ENV}
            completed = subprocess.run(
                command, capture_output=True, text=True, env=environment, cwd=REPO_ROOT
            )
            if completed.returncode != 0:
                raise RuntimeError(f"the measuring process failed:\n{completed.stderr[-4000:]}")
            runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        peak = statistics.median(r["peak"] for r in runs)
        print(
            f"\n{name} ({runs[0]['file'] / 1024:,.0f} kB): wall {wall:.2f} s, CPU {cpu:.2f} s, "
            f"peak memory growth {peak / 2**20:,.0f} MB (medians of {repeats})\n"
            f"  shown: {runs[0]['message'][:300]}",
            flush=True,
        )


# ------------------------------------------------------------------------------------- report


def report(label: str, results: list[dict[str, object]], verdict: bool) -> list[str]:
    result = median_run(results)
    size = result["file_bytes"]
    server, read = result["server_seconds"], result["read_seconds"]
    stages = ", ".join(f"{k} {v * 1e3:.0f} ms" for k, v in result["stages"].items())
    hashes = result["hash_seconds"]
    lines = [
        f"\n{label}: {size / 2**20:.1f} MB",
        f"  read the file once          {read * 1e3:8.0f} ms",
        f"  upload → rendered page      {server * 1e3:8.0f} ms   ({server / read:.1f}× the read)"
        if read > 0
        else f"  upload → rendered page      {server * 1e3:8.0f} ms",
        f"    of which the analysis:    {stages}",
        f"    hashing the bytes:        SHA-256 {hashes['sha256'] * 1e3:.0f} ms (used), "
        f"BLAKE2b {hashes['blake2b'] * 1e3:.0f} ms",
        f"  rerun after a bins change   {result['bins_rerun_seconds'] * 1e3:8.0f} ms   "
        "(the upload not re-copied, as in the server's fragment rerun)",
        f"  rerun after a k change      {result['k_rerun_seconds'] * 1e3:8.0f} ms",
        f"  full-script rerun holding the upload (AppTest) {result['full_rerun_seconds'] * 1e3:.0f}"
        " ms: Streamlit deep-copies the upload on every full run",
        f"  peak memory growth          {result['peak_bytes'] / 2**20:8.0f} MB   "
        f"({result['peak_bytes'] / size:.2f}× the file, the upload's bytes included)",
        f"  mean loss {result['mean_loss']:.4f}, fitted T {result['temperature']:.3f}; "
        f"CPUs busy elsewhere meanwhile: {result['busy_elsewhere']:.1f}",
    ]
    lines += [
        f"  server time over the runs: {_spread([r['server_seconds'] for r in results])} s",
        "  peak memory over the runs: "
        f"{_spread([r['peak_bytes'] / size for r in results])} × the file",
    ]
    if verdict:
        lines += [
            f"VERDICT {label}: server time median {server:.2f} s vs {BUDGET_SECONDS:.0f} s "
            "budget — " + ("PASS" if server <= BUDGET_SECONDS else "FAIL"),
            f"VERDICT {label}: peak memory median {result['peak_bytes'] / size:.2f}× the file vs "
            f"{MEMORY_FACTOR:.0f}× — "
            + ("PASS" if result["peak_bytes"] <= MEMORY_FACTOR * size else "FAIL"),
        ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--no-csv", action="store_true", help="skip the CSV reference case")
    parser.add_argument("--bombs", action="store_true", help="measure the hostile small files")
    parser.add_argument("--bomb-child", help=argparse.SUPPRESS)
    parser.add_argument("--compare-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=3, help="runs per case (the median)")
    parser.add_argument("--only-compare", action="store_true", help="only the two-model case")
    args = parser.parse_args(argv)
    if args.compare_child:
        print(json.dumps(compare_child(*(Path(p) for p in args.compare_child))))
        return 0
    if args.bomb_child:
        print(json.dumps(bomb_child(args.bomb_child)))
        return 0
    if args.bombs:
        run_bombs()
        return 0
    if args.child:
        paths = [Path(p) for p in args.child]
        result = child(paths[0], paths[1] if len(paths) > 1 else None)
        print(json.dumps(result))
        return 0

    print(
        f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPUs; "
        "page time measured through AppTest (the page script as the server runs it)"
    )
    repeats = max(1, args.repeats)
    with tempfile.TemporaryDirectory(prefix="xent-bench-") as folder:
        for rows, classes in [] if args.only_compare else NPY_CASES:
            scores_path, labels_path = write_npy_case(Path(folder), rows, classes)
            label = f"{rows:,} × {classes:,} float32 .npy"
            results = [run_child(scores_path, labels_path) for _ in range(repeats)]
            for line in report(label, results, verdict=True):
                print(line, flush=True)
            scores_path.unlink()
        rows, classes = COMPARE_CASE
        first, labels_path = write_npy_case(Path(folder), rows, classes)
        second, _ = write_npy_case(Path(folder), rows, classes, model=1)
        label = f"two {rows:,} × {classes:,} float32 .npy models compared"
        results = [run_compare(first, labels_path, second) for _ in range(repeats)]
        for line in report_compare(label, results, COMPARE_BUDGET_SECONDS):
            print(line, flush=True)
        first.unlink()
        second.unlink()
        if not args.no_csv and not args.only_compare:
            rows, classes = NPY_CASES[1]
            csv_path = write_csv_case(Path(folder), rows, classes)
            label = f"{rows:,} × {classes:,} CSV with a label column (reference, no target)"
            for line in report(label, [run_child(csv_path, None)], verdict=False):
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
