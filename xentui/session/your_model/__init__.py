"""The "Your model" page's session layer: its state, its view's link and every tab's renderer.

- `state`: the analyses on screen — the request, the cache shared by the sessions, the problem.
- `view_link`: the selection and the file it is of, kept in the page's link.
- `results`: the fragment that draws the results — the headline figures, the tabs, the downloads.
- one module a tab: `losses` (Loss per sample, Worst samples), `classes`, `calibration`,
  `label_errors`, `compare`, `libraries`; `drill` lists the samples behind a click, and
  `samples` holds what every table of samples shares (Playground links, formats, pages).

The page reads its state through this package (``from xentui.session import your_model as ym``):
the names below are the state's, the view link's and the tabs' own state.
"""

from xentui.session.your_model.compare import COMPARE_OPTIONS, SECOND, answer_second
from xentui.session.your_model.drill import clear_selection, select_from_chart
from xentui.session.your_model.label_errors import find_label_issues, label_issues_found
from xentui.session.your_model.state import (
    ANALYSES,
    ANALYSIS,
    DRILL_PAGE,
    EXAMPLE,
    EXAMPLE_IDENTITY,
    FILE,
    PROBLEM,
    SELECTION,
    SHORT_HASH,
    SOURCE,
    answer,
    identity,
    init_state,
    notice_upload,
    open_in_playground,
    use_example,
    use_file,
)
from xentui.session.your_model.view_link import (
    LINK_DATA,
    LINK_NAME,
    LINK_SELECTION,
    pending_view,
    read_view_link,
    write_view_link,
)

__all__ = [
    "ANALYSES",
    "ANALYSIS",
    "COMPARE_OPTIONS",
    "DRILL_PAGE",
    "EXAMPLE",
    "EXAMPLE_IDENTITY",
    "FILE",
    "LINK_DATA",
    "LINK_NAME",
    "LINK_SELECTION",
    "PROBLEM",
    "SECOND",
    "SELECTION",
    "SHORT_HASH",
    "SOURCE",
    "answer",
    "answer_second",
    "clear_selection",
    "find_label_issues",
    "identity",
    "init_state",
    "label_issues_found",
    "notice_upload",
    "open_in_playground",
    "pending_view",
    "read_view_link",
    "select_from_chart",
    "use_example",
    "use_file",
    "write_view_link",
]
