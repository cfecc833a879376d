"""A Streamlit client without a browser: Streamlit's own WebSocket protocol, as the page speaks it.

One `Session` opens /_stcore/stream, asks for reruns with widget states, and records what each run
sent back: widget ids, metric values, exceptions, the query string, and the run's latency (request
to "script finished"). Used by the session-isolation test and by benchmarks/load.py.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RERUN_TIMEOUT = 30.0


def stream_url(base_url: str) -> str:
    return urlparse(base_url)._replace(scheme="ws").geturl().rstrip("/") + "/_stcore/stream"


def connect(base_url: str, route_cookie: str = ""):
    """An async context manager for a WebSocket session (route cookie for sticky proxies)."""
    headers = {"Cookie": f"xent_route={route_cookie}"} if route_cookie else {}
    return websockets.connect(
        stream_url(base_url), subprotocols=["streamlit"], additional_headers=headers, max_size=None
    )


def editor_edit(widget_id: str, edited_rows: dict[int, dict[str, str]]) -> WidgetState:
    """The data editor's widget state for cell edits (rows are 0-based, columns are keys)."""
    state = WidgetState(id=widget_id)
    rows = {str(row): cells for row, cells in edited_rows.items()}
    state.string_value = json.dumps({"edited_rows": rows, "added_rows": [], "deleted_rows": []})
    return state


def slider_value(widget_id: str, value: float) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.double_array_value.data.append(value)
    return state


def _shown_value(kind: str, proto) -> WidgetState | None:
    """The state a browser would send back for a widget, from the value the server showed.

    A browser reports every widget's current value on each rerun; a widget left out is reset to
    its default, so a faithful client must echo them all.
    """
    state = WidgetState(id=proto.id)
    if kind == "slider":
        state.double_array_value.data.extend(proto.value if proto.set_value else proto.default)
    elif kind == "number_input":
        state.double_value = proto.value if proto.set_value else proto.default
    elif kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind == "button_group":
        chosen = (
            list(proto.raw_values)
            if proto.set_value
            else [proto.options[i].content for i in proto.default]
        )
        state.string_array_value.data.extend(chosen)
    elif kind == "selectbox":
        if proto.set_value:
            state.string_value = proto.raw_value
        elif proto.default:
            state.string_value = proto.options[proto.default[0]]
        else:
            return None
    else:
        return None
    return state


@dataclass
class Session:
    ws: websockets.ClientConnection
    widgets: dict[str, str] = field(default_factory=dict)  # id → element type
    shown_states: dict[str, WidgetState] = field(default_factory=dict)  # id → echoed state
    metrics: dict[str, str] = field(default_factory=dict)  # label → value, of the last run
    exceptions: list[str] = field(default_factory=list)
    query_string: str = ""
    latencies: list[float] = field(default_factory=list)

    async def rerun(self, states: list[WidgetState] = (), query_string: str = "") -> float:
        """Ask for a rerun; wait until it finishes; return its latency in seconds."""
        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        changed = {state.id for state in states}
        echoed = [s for i, s in self.shown_states.items() if i not in changed]
        msg.rerun_script.widget_states.widgets.extend([*echoed, *states])
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        self.metrics = {}
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(self.ws.recv(), RERUN_TIMEOUT))
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self._see(forward.delta.new_element)
            elif kind == "page_info_changed":
                self.query_string = forward.page_info_changed.query_string
            elif kind == "script_finished":
                if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    self.exceptions.append("compile error")
                latency = time.perf_counter() - started
                self.latencies.append(latency)
                return latency

    def _see(self, element) -> None:
        kind = element.WhichOneof("type")
        inner = getattr(element, kind)
        if kind == "exception":
            self.exceptions.append(inner.message)
        elif kind == "metric":
            self.metrics[inner.label] = inner.body
        widget_id = getattr(inner, "id", "")
        if widget_id:
            self.widgets[widget_id] = kind
            # Like a browser: keep the value it holds unless the server sets a new one.
            if widget_id not in self.shown_states or getattr(inner, "set_value", False):
                shown = _shown_value(kind, inner)
                if shown is not None:
                    self.shown_states[widget_id] = shown

    def widget(self, key_part: str) -> str:
        """The id of the widget whose key contains `key_part` (ids embed the user key)."""
        found = [w for w in self.widgets if key_part in w]
        if not found:
            raise KeyError(f"no widget with {key_part!r} among {sorted(self.widgets)}")
        return found[-1]
