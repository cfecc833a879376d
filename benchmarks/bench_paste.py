"""What a large paste into the Playground's editors costs the server, over the real WebSocket.

Run from the repository root:

    python benchmarks/bench_paste.py                  # 3,000 and 10,000 rows, median of 3
    python benchmarks/bench_paste.py --rows 3000 --repeats 5

A paste of many rows into a data editor reaches the server as one edit state whose "added_rows"
hold every pasted row; the browser sends that state again with every later rerun of the session
until the editor is recreated. For each size the script opens a fresh session on a live
`streamlit run app.py`, then times (request to "script finished"):

- the rerun the paste starts (rows pasted into the logits editor, or into the classes editor);
- the next rerun of the same session (a slider moved), the browser echoing the editor's state;
- beside them, a rerun after one typed cell, in the same server: the yardstick.

Each figure is the median of --repeats sessions. It is a report, not a test: it exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import ws_client
from servers import streamlit_server
from streamlit.proto.WidgetStates_pb2 import WidgetState
from ws_client import Session, connect, editor_edit, slider_value

# A paste of 10,000 rows took minutes before the editors refused it: wait for it.
ws_client.RERUN_TIMEOUT = 600.0


def pasted(widget_id: str, rows: list[dict[str, object]]) -> WidgetState:
    """The editor's state after `rows` were pasted below its last row."""
    state = WidgetState(id=widget_id)
    state.string_value = json.dumps({"edited_rows": {}, "added_rows": rows, "deleted_rows": []})
    return state


def sample_rows(count: int) -> list[dict[str, object]]:
    return [
        {"c0": str(i % 7), "c1": "2", "c2": "3", "target": "cat", "ignore": False}
        for i in range(count)
    ]


def class_rows(count: int) -> list[dict[str, object]]:
    return [{"name": f"class {i}", "weight": "1"} for i in range(count)]


async def one_session(url: str, table: str, count: int) -> tuple[float, float, float]:
    """(paste rerun, next rerun, one-cell rerun) in seconds, for a fresh session."""
    async with connect(url) as ws:
        session = Session(ws)
        await session.rerun()
        cell = await session.rerun(
            [editor_edit(session.widget("logits_editor_"), {0: {"c0": "4"}})]
        )
        editor = session.widget(f"{table}_editor_")
        rows = sample_rows(count) if table == "logits" else class_rows(count)
        paste = await session.rerun([pasted(editor, rows)])
        if session.exceptions:
            raise RuntimeError(session.exceptions)
        # A browser keeps sending the editor's state (if the editor is still on the page).
        echo = [pasted(editor, rows)] if editor in session.widgets else []
        smoothing = slider_value(session.widget("opt_smoothing"), 0.1)
        later = await session.rerun([*echo, smoothing])
        return paste, later, cell


async def main(rows: list[int], repeats: int, tables: list[str]) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        streamlit_server(Path(folder) / "streamlit.log") as (url, _),
    ):
        async with connect(url) as ws:  # warm-up: imports, torch, the first figures
            await Session(ws).rerun()
        print(f"{'editor':8} {'rows':>7} {'paste rerun':>12} {'next rerun':>11} {'one cell':>9}")
        for table in tables:
            for count in rows:
                runs = [await one_session(url, table, count) for _ in range(repeats)]
                paste, later, cell = (statistics.median(r[i] for r in runs) for i in range(3))
                print(
                    f"{table:8} {count:>7,} {paste:>10.3f} s {later:>9.3f} s {cell:>7.3f} s"
                    f"   (paste = {paste / cell:,.0f}× one cell)"
                )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[3000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tables", nargs="+", default=["logits", "classes"])
    args = parser.parse_args()
    asyncio.run(main(args.rows, args.repeats, args.tables))
