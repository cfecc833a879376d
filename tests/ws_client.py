"""A Streamlit client without a browser: Streamlit's own WebSocket protocol, as the page speaks it.

One `Session` opens /_stcore/stream, asks for reruns with widget states, and records what each run
sent back: widget ids, metric values, exceptions, the query string, and the run's latency (request
to "script finished"). Used by the session-isolation test and by benchmarks/load.py.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import time
import urllib.error
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

RERUN_TIMEOUT = 30.0
XSRF_COOKIE = "_streamlit_xsrf"  # streamlit/web/server/starlette/starlette_server_config.py


def stream_url(base_url: str) -> str:
    return urlparse(base_url)._replace(scheme="ws").geturl().rstrip("/") + "/_stcore/stream"


def open_page(base_url: str, source: str = "") -> dict[str, str]:
    """Load the page as a browser does first; the cookies it is given (nginx's route cookie).

    A simulated browser that keeps them and sends them on its WebSocket and uploads is one
    visitor to a sticky proxy, as each student's browser is.
    """
    _, answer, _ = _request(base_url, "GET", "/", source)
    return _set_cookies(answer)


def _set_cookies(answer) -> dict[str, str]:
    pairs = [c.split(";", 1)[0].split("=", 1) for c in answer.get_all("Set-Cookie") or []]
    return {name: value.strip('"') for name, value in pairs}  # the value may come quoted


def _cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}


def connect(base_url: str, route_cookie: str = "", source: str = "", cookies=None):
    """An async context manager for a WebSocket session.

    `cookies` (from `open_page`) or a `route_cookie` of its own make it one visitor to a sticky
    proxy. `source` is the local address to connect from (any of 127.0.0.0/8 on loopback), so
    that a proxy sees one client per address, as it would see students on their own machines.
    """
    jar = {**(cookies or {}), **({"xent_route": route_cookie} if route_cookie else {})}
    headers = _cookie_header(jar)
    return websockets.connect(
        stream_url(base_url),
        subprotocols=["streamlit"],
        additional_headers=headers,
        max_size=None,
        local_addr=(source, 0) if source else None,
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
        elif proto.default or proto.default == 0:
            # A list of indices in some elements' protos, one index in others.
            index = proto.default if isinstance(proto.default, int) else proto.default[0]
            state.string_value = proto.options[index]
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
    session_id: str = ""
    cookies: dict[str, str] = field(default_factory=dict)  # the browser's, sent on uploads
    _file_urls: dict[str, object] = field(default_factory=dict)  # request id → FileURLs

    async def rerun(
        self, states: list[WidgetState] = (), query_string: str = "", page: str = ""
    ) -> float:
        """Ask for a rerun (of the page at address `page`); wait until it finishes; its latency."""
        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        msg.rerun_script.page_name = page
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
            elif kind == "new_session":
                self.session_id = forward.new_session.initialize.session_id
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

    async def upload(self, base_url: str, uploader: str, name: str, data: bytes) -> WidgetState:
        """Upload `data` as a browser does; return the uploader's state that names the file.

        Ask the server for an upload address over the WebSocket, PUT the file there over HTTP
        (with the XSRF cookie and header a page holds), and name it in the widget's state.
        """
        request = BackMsg()
        request.file_urls_request.request_id = request_id = uuid.uuid4().hex
        request.file_urls_request.file_names.append(name)
        request.file_urls_request.session_id = self.session_id
        await self.ws.send(request.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await asyncio.wait_for(self.ws.recv(), RERUN_TIMEOUT))
            if forward.WhichOneof("type") == "file_urls_response":
                response = forward.file_urls_response
                if response.response_id == request_id:
                    break
        if response.error_msg:
            raise RuntimeError(f"no upload address: {response.error_msg}")
        urls = response.file_urls[0]
        source = self.ws.local_address[0] if self.ws is not None else ""
        await asyncio.to_thread(
            _put_file, base_url, urls.upload_url, name, data, source, self.cookies
        )
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id)
        info.file_urls.CopyFrom(urls)
        state = WidgetState(id=uploader)
        state.file_uploader_state_value.CopyFrom(FileUploaderState(uploaded_file_info=[info]))
        return state

    def widget(self, key_part: str) -> str:
        """The id of the widget whose key contains `key_part` (ids embed the user key)."""
        found = [w for w in self.widgets if key_part in w]
        if not found:
            raise KeyError(f"no widget with {key_part!r} among {sorted(self.widgets)}")
        return found[-1]


def _request(base_url: str, method: str, path: str, source: str, body=None, headers=None):
    """One HTTP request from the local address `source`; (status, headers, body)."""
    address = urlparse(base_url)
    connection = http.client.HTTPConnection(
        address.hostname, address.port, timeout=RERUN_TIMEOUT, source_address=(source, 0)
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read()
    finally:
        connection.close()


def _put_file(
    base_url: str, upload_url: str, name: str, data: bytes, source: str = "", cookies=None
) -> None:
    """PUT one file as multipart/form-data, as the page does: the browser's cookies (so a sticky
    proxy sends it to the session's process), and the XSRF cookie the health URL hands out."""
    jar = dict(cookies or {})
    _, answer, _ = _request(base_url, "GET", "/_stcore/health", source, headers=_cookie_header(jar))
    jar[XSRF_COOKIE] = _set_cookies(answer).get(XSRF_COOKIE, "")
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    path = urlparse(upload_url).path if upload_url.startswith("http") else upload_url
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        **_cookie_header(jar),
        "X-Xsrftoken": jar[XSRF_COOKIE],
    }
    status, _, answer_body = _request(base_url, "PUT", path, source, body, headers)
    if status >= 400:
        raise urllib.error.HTTPError(
            path, status, answer_body[:200].decode(errors="replace"), None, None
        )
