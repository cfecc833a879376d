"""The "Your model" page's analyses on screen: the request, the shared cache, the problem.

Uploads are analysed within a CPU budget (ANALYSIS_CPU_SECONDS, xentui/your_model/upload.py)
and kept in ANALYSES, shared by every session, bounded in bytes (UPLOAD_CACHE_BYTES, set by
XENT_UPLOAD_CACHE_MB) and per session, and let go of when the session ends.

What the page shows is the last analysis that succeeded (ANALYSIS). Each run works out its
*request* — which file, labels, options — and only when the request differs from the last one is
anything read, hashed or analysed; moving a slider is a request already answered. A request that
fails leaves its UploadError (whose `problem` the page shows beside its input) in PROBLEM and the
previous analysis on screen.

The results are drawn by a fragment (xentui/session/your_model/results.py), from ANALYSIS in
session state: moving a slider reruns only that fragment and reads the same object. Tests drive
the page through AppTest, giving files to the uploaders with
`at.file_uploader(key="ym_file").set_value((name, bytes, mime))` (see
tests/your_model/test_page.py); no hook beyond the widgets' keys is needed.
"""

from __future__ import annotations

import logging

import numpy as np
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from xentui.domain.scenario import Scenario
from xentui.domain.share_link import QUERY_KEY, encode
from xentui.kit.problems import Problem, quote
from xentui.session import playground
from xentui.your_model.analysis import Analysis, analyse_upload
from xentui.your_model.analysis_cache import AnalysisCache, TooLarge
from xentui.your_model.example import example_data
from xentui.your_model.load import Upload, load_model_data
from xentui.your_model.upload import (
    ANALYSES_PER_SESSION,
    ANALYSIS_CPU_SECONDS,
    UPLOAD_CACHE_BYTES,
    CpuBudget,
    UploadError,
    content_digest,
    describe_size,
    quoted,
    refuse,
)

__all__ = [
    "ANALYSES",
    "ANALYSIS",
    "DRILL_PAGE",
    "EXAMPLE",
    "EXAMPLE_IDENTITY",
    "FILE",
    "PROBLEM",
    "SELECTION",
    "SHORT_HASH",
    "SOURCE",
    "answer",
    "file_analysis",
    "identity",
    "init_state",
    "notice_upload",
    "open_in_playground",
    "unforeseen",
    "use_example",
    "use_file",
]

ANALYSIS = "ym_analysis"  # the Analysis on screen: the last one that succeeded
PROBLEM = "ym_problem"  # the UploadError of the current request, or None
SOURCE = "ym_source"  # EXAMPLE or FILE: what the user last chose to see
_REQUEST = "ym_request"  # the request ANALYSIS or PROBLEM answers
_SEEN_UPLOAD = "ym_seen_upload"  # the file_id of the last upload noticed
_DIGESTS = "ym_digests"  # file_id → SHA-256 of its bytes: a file is hashed once per session
_KEY = "ym_key"  # the cache key of ANALYSIS, None for the example
_IDENTITY = "ym_identity"  # (short content hash, file name) of ANALYSIS's scores file
SELECTION = "ym_selection"  # the text of the drilled-down Selection (xentui/your_model/drill.py)
DRILL_PAGE = "ym_drill_page"  # the page of the drilled-down list
SHORT_HASH = 12  # hex digits of the SHA-256 a link names its file by
EXAMPLE_IDENTITY = ("example", "the example")
EXAMPLE, FILE = "example", "file"
_LOG = logging.getLogger(__name__)
PLAYGROUND_PAGE = "pages/explore/playground.py"


# The uploads' analyses, shared by every session: bounded in bytes, at most
# ANALYSES_PER_SESSION a session, freed when the session ends (see analysis_cache.py). The same
# object is handed to every session asking for it — safe because an Analysis is a frozen
# dataclass whose arrays are read-only. The key is a SHA-256 of the bytes plus the options that
# change the result: the same content is analysed once, and different content can never be
# served another upload's results.
ANALYSES: AnalysisCache[Analysis] = AnalysisCache(UPLOAD_CACHE_BYTES, ANALYSES_PER_SESSION)


class _Session:
    """The token this session holds its analyses by (one per session, compared by identity)."""


# Session-scoped: Streamlit clears a session's resources when its browser disconnects (a closed
# tab, a lost network) and when it shuts down, calling on_release — which lets go of what the
# session held. A session that reconnects gets a new token and holds its analysis again.
@st.cache_resource(scope="session", on_release=ANALYSES.release, show_spinner=False)
def _session() -> _Session:
    return _Session()


# The example is three fixed analyses (one per reading) of 20 000 × 10 scores: kept for all.
@st.cache_resource(max_entries=3, show_spinner=False)
def _example_analysis(interpretation: str) -> Analysis:
    return analyse_upload(example_data(), interpretation)


def init_state() -> None:
    """On the page's first run in a session: show the example, so the page works with no upload."""
    if ANALYSIS in st.session_state:
        return
    st.session_state[SOURCE] = EXAMPLE
    st.session_state[_DIGESTS] = {}
    st.session_state[_REQUEST] = (EXAMPLE, "detect")
    st.session_state[PROBLEM] = None
    st.session_state[_KEY] = None
    st.session_state[_IDENTITY] = EXAMPLE_IDENTITY
    st.session_state[SELECTION] = None
    st.session_state[ANALYSIS] = _example_analysis("detect")


def use_example() -> None:
    st.session_state[SOURCE] = EXAMPLE


def use_file() -> None:
    st.session_state[SOURCE] = FILE


def notice_upload(upload: UploadedFile | None) -> None:
    """A file not seen before switches the page to it."""
    if upload is not None and upload.file_id != st.session_state.get(_SEEN_UPLOAD):
        st.session_state[_SEEN_UPLOAD] = upload.file_id
        st.session_state[SOURCE] = FILE


def _digest(upload: UploadedFile) -> str:
    digests = st.session_state[_DIGESTS]
    if upload.file_id not in digests:
        digests[upload.file_id] = content_digest(upload.getvalue())
    return digests[upload.file_id]


def file_analysis(
    scores: UploadedFile,
    labels: UploadedFile | None,
    request: tuple,
    fallback_labels: np.ndarray | None = None,
) -> tuple[str, Analysis]:
    """(the cache key, the analysis) of an upload, keyed by its bytes' digest and the options;
    `fallback_labels` are its labels when nothing else gives any (load_model_data)."""
    _, _, _, has_header, label_column, interpretation, max_bytes = request
    labels_key = "-" if labels is None else _digest(labels)
    if fallback_labels is not None:
        labels_key += "/" + content_digest(np.ascontiguousarray(fallback_labels).tobytes())
    # The name is part of the key: the analysis shows it, and a second upload of the same bytes
    # under another name must show its own.
    key = repr((_digest(scores), labels_key, has_header, label_column, interpretation, scores.name))

    def compute() -> Analysis:
        budget = CpuBudget(ANALYSIS_CPU_SECONDS, scores.name)
        data = load_model_data(
            Upload(scores.name, scores.getvalue()),
            None if labels is None else Upload(labels.name, labels.getvalue()),
            has_header=has_header,
            label_column=label_column,
            max_bytes=max_bytes,
            budget=budget,
            fallback_labels=fallback_labels,
        )
        return analyse_upload(data, interpretation, budget)

    try:
        with st.spinner("Analysing the scores…"):
            return key, ANALYSES.get(key, _session(), compute)
    except TooLarge as failure:
        raise refuse(
            "scores file",
            quoted(scores.name),
            f"results of {describe_size(failure.size)}",
            f"results of at most {describe_size(failure.max_bytes)}, what the server keeps for "
            "all open pages together — upload fewer samples",
        ) from None


def _hold_on_screen() -> None:
    """Hold the analysis on screen again if the cache let go of it.

    That happens to a session that reconnected (its token was released) or whose analysis was
    dropped to make room: what it shows is counted again, and room is made for it.
    """
    key = st.session_state.get(_KEY)
    if key is not None and key not in ANALYSES.held_by(_session()):
        ANALYSES.put(key, _session(), st.session_state[ANALYSIS])


_SCORES_FILE = "a CSV, .npy or .npz of scores with one row per sample"


def unforeseen(
    failure: Exception, scores: UploadedFile | None, expected: str = _SCORES_FILE
) -> UploadError:
    """A failure no check foresaw, as a problem beside the scores file (`expected`: what the
    uploader asks for)."""
    what = quote(f"{type(failure).__name__}: {failure}")
    return UploadError(
        Problem(
            "scores file",
            None,
            None,
            found=f"an error no check foresaw ({what})",
            expected=f"{expected} — if the file is one, this is a bug in xent",
            label="The upload" if scores is None else quoted(scores.name),
        )
    )


def answer(
    scores: UploadedFile | None,
    labels: UploadedFile | None,
    *,
    has_header: bool,
    label_column: int | None,
    interpretation: str,
    max_bytes: int,
    early_problem: UploadError | None = None,
) -> None:
    """Bring ANALYSIS and PROBLEM up to date with the inputs; do nothing if nothing changed.

    early_problem is a fault already found while laying out the inputs (a CSV's header).
    """
    if st.session_state[SOURCE] == EXAMPLE:
        request: tuple = (EXAMPLE, interpretation)
        scores = labels = early_problem = None  # the file's problems are not the example's
    elif scores is None:
        st.session_state[PROBLEM] = None  # the file was removed: keep showing what was there
        return
    else:
        request = (
            FILE,
            scores.file_id,
            None if labels is None else labels.file_id,
            has_header,
            label_column,
            interpretation,
            max_bytes,
        )
    if request == st.session_state[_REQUEST]:
        _hold_on_screen()
        return
    st.session_state[_REQUEST] = request
    try:
        if early_problem is not None:
            raise early_problem
        if scores is None:
            key, analysis = None, _example_analysis(interpretation)
        else:
            key, analysis = file_analysis(scores, labels, request)
    except UploadError as problem:
        st.session_state[PROBLEM] = problem
        return
    except Exception as failure:  # a page must never show a traceback
        # A file no check foresaw: say what happened beside the file, keep the page working,
        # and leave the traceback in the server's log for whoever can fix the check.
        _LOG.exception("analysing an upload failed")
        st.session_state[PROBLEM] = unforeseen(failure, scores)
        return
    if analysis is not st.session_state[ANALYSIS]:
        st.session_state[SELECTION] = None  # a selection is of the data it was made on
    st.session_state[ANALYSIS] = analysis
    st.session_state[_KEY] = key
    st.session_state[_IDENTITY] = (
        EXAMPLE_IDENTITY if scores is None else (_digest(scores)[:SHORT_HASH], scores.name)
    )
    st.session_state[PROBLEM] = None


def identity() -> tuple[str, str]:
    """(short SHA-256 of the scores file on screen, its name); ("example", …) for the example."""
    return st.session_state[_IDENTITY]


def open_in_playground(scenario: Scenario) -> None:
    """Make `scenario` the Playground's and go there (call when a button was clicked).

    The Playground reads a link (?s=) only on a session's first run (playground.init_state), so
    within a session the scenario is loaded into its state directly; the link is passed too, so
    that the address bar shows it and a reload reopens it.
    """
    playground.load_scenario(scenario)
    st.switch_page(PLAYGROUND_PAGE, query_params={QUERY_KEY: encode(scenario)})
