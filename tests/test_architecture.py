"""The layers hold: who may import whom, read from the source with `ast`.

- xentcore is the numerics: NumPy and the standard library at import time; PyTorch and
  scikit-learn only inside the functions that use them; nothing of the app or its UI libraries.
- xentui/domain and xentui/kit are pure: no Streamlit (and domain no pandas or Plotly either).
- the features (playground, lessons, your_model) never import each other nor Streamlit; they build
  on domain, kit and xentcore.
- xentui/session is the only xentui package that imports Streamlit.
- pages/ and app.py may use all of xentui, but not each other.
- xentui/ holds only its eight packages.

Each test is parametrized by file, and each failure names the file, the line, the import and the
rule it breaks.
"""

from __future__ import annotations

import ast

import pytest
from code_imports import REPO_ROOT, STDLIB, imports_in, imports_of, python_files, relative

FEATURES = ("playground", "lessons", "your_model", "sequences", "poll")
PACKAGES = ("domain", "kit", *FEATURES, "session")
UI_LIBRARIES = ("streamlit", "pandas", "plotly")


def _files(*paths: str) -> list:
    return [pytest.param(path, id=relative(path)) for path in python_files(*paths)]


def _broken(path, rule: str, allowed) -> None:
    """Fail, naming every import of `path` that `allowed(import)` refuses, and the rule."""
    broken = [str(i) for i in imports_of(path) if not allowed(i)]
    assert not broken, f"{relative(path)} breaks the rule “{rule}”:\n  " + "\n  ".join(broken)


def _within(module: str, *packages: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _package_of(path) -> str:
    """'xentui.lessons' for xentui/lessons/gradients.py."""
    return "xentui." + path.relative_to(REPO_ROOT / "xentui").parts[0]


# ------------------------------------------------------------------------------------- xentcore


@pytest.mark.parametrize("path", _files("xentcore"))
def test_xentcore_imports_nothing_of_the_app_nor_its_ui_libraries(path):
    _broken(
        path,
        "xentcore imports nothing from xentui, pages, app.py, streamlit, pandas or plotly",
        lambda i: not _within(i.module, "xentui", "pages", "app", *UI_LIBRARIES),
    )


@pytest.mark.parametrize("path", _files("xentcore"))
def test_xentcore_imports_only_numpy_and_the_standard_library_at_module_level(path):
    _broken(
        path,
        "at module level xentcore imports only NumPy, the standard library and itself",
        lambda i: i.lazy or i.top in STDLIB or i.top in {"numpy", "xentcore"},
    )


@pytest.mark.parametrize("path", _files("xentcore"))
def test_inside_functions_xentcore_adds_only_torch_or_scikit_learn(path):
    _broken(
        path,
        "inside functions xentcore may add only torch or sklearn to NumPy and the standard library",
        lambda i: (
            not i.lazy or i.top in STDLIB or i.top in {"numpy", "xentcore", "torch", "sklearn"}
        ),
    )


# ------------------------------------------------------------------------------------ domain, kit


@pytest.mark.parametrize("path", _files("xentui/domain"))
def test_domain_imports_no_ui_library(path):
    _broken(
        path,
        "xentui/domain imports no streamlit, pandas or plotly",
        lambda i: not _within(i.module, *UI_LIBRARIES),
    )


@pytest.mark.parametrize("path", _files("xentui/domain"))
def test_domain_builds_only_on_kit_and_xentcore(path):
    _broken(
        path,
        "of the repository, xentui/domain imports only xentui.domain, xentui.kit and xentcore",
        lambda i: i.top != "xentui" or _within(i.module, "xentui.domain", "xentui.kit"),
    )


@pytest.mark.parametrize("path", _files("xentui/kit"))
def test_kit_imports_no_streamlit(path):
    _broken(path, "xentui/kit imports no streamlit", lambda i: i.top != "streamlit")


@pytest.mark.parametrize("path", _files("xentui/kit"))
def test_kit_builds_on_nothing_else_of_xentui(path):
    _broken(
        path,
        "of the repository, xentui/kit imports only xentui.kit and xentcore",
        lambda i: i.top != "xentui" or _within(i.module, "xentui.kit"),
    )


# --------------------------------------------------------------------------------------- features


@pytest.mark.parametrize("path", _files(*(f"xentui/{f}" for f in FEATURES)))
def test_features_import_no_streamlit(path):
    _broken(
        path,
        "features (playground, lessons, your_model) import no streamlit",
        lambda i: i.top != "streamlit",
    )


@pytest.mark.parametrize("path", _files(*(f"xentui/{f}" for f in FEATURES)))
def test_features_never_import_each_other(path):
    own = _package_of(path)
    others = [f"xentui.{f}" for f in FEATURES if f"xentui.{f}" != own]
    _broken(
        path,
        f"a feature never imports another feature: {own} may not import {', '.join(others)}",
        lambda i: not _within(i.module, *others),
    )


@pytest.mark.parametrize("path", _files(*(f"xentui/{f}" for f in FEATURES)))
def test_features_do_not_import_the_session(path):
    _broken(
        path,
        "features build on xentui.domain, xentui.kit and xentcore, never on xentui.session",
        lambda i: not _within(i.module, "xentui.session"),
    )


# ---------------------------------------------------------------------------- session, pages, app


@pytest.mark.parametrize(
    "path", [p for p in _files("xentui") if "session" not in p.values[0].parts]
)
def test_only_the_session_package_of_xentui_imports_streamlit(path):
    _broken(
        path,
        "xentui/session is the only xentui package that imports streamlit",
        lambda i: i.top != "streamlit",
    )


@pytest.mark.parametrize("path", _files("pages", "app.py"))
def test_pages_and_app_do_not_import_each_other(path):
    _broken(
        path,
        "pages/ and app.py may import anything in xentui, but not each other (nor a page another)",
        lambda i: not _within(i.module, "pages", "app"),
    )


@pytest.mark.parametrize("path", _files("xentcore", "xentui"))
def test_library_code_imports_no_page_script(path):
    _broken(
        path,
        "xentcore and xentui import nothing from pages/ or app.py",
        lambda i: not _within(i.module, "pages", "app"),
    )


@pytest.mark.parametrize("path", _files("pages", "xentui"))
def test_no_page_stops_before_the_frame_finishes(path):
    # app.py draws the Share control after page.run(): st.stop() in a page would drop it.
    calls = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Call)]
    stops = [
        c.lineno
        for c in calls
        if isinstance(c.func, ast.Attribute) and c.func.attr == "stop" and _named(c.func, "st")
    ]
    assert not stops, f"{relative(path)} calls st.stop() at line(s) {stops}"


def _named(attribute: ast.Attribute, name: str) -> bool:
    return isinstance(attribute.value, ast.Name) and attribute.value.id == name


# ---------------------------------------------------------------------------------------- layout


def test_xentui_holds_only_its_packages():
    entries = {
        entry.name for entry in (REPO_ROOT / "xentui").iterdir() if entry.name != "__pycache__"
    }
    expected = {"__init__.py", *PACKAGES}
    assert entries == expected, (
        "xentui/ holds only __init__.py and the packages "
        f"{', '.join(PACKAGES)}; found also {sorted(entries - expected)}, "
        f"missing {sorted(expected - entries)}"
    )
    missing_init = [p for p in PACKAGES if not (REPO_ROOT / "xentui" / p / "__init__.py").is_file()]
    assert not missing_init, f"packages without __init__.py: {missing_init}"


def test_the_reader_sees_lazy_relative_and_submodule_imports():
    """The rules are only as good as the reader: it must see every kind of import."""
    source = (
        "import numpy as np\n"
        "from xentui.kit import format\n"
        "from . import latex\n"
        "from ..domain.scenario import Scenario\n"
        "def f():\n"
        "    import torch\n"
        "    from sklearn.metrics import log_loss\n"
        "class C:\n"
        "    import xentcore\n"
    )
    seen = imports_in(source, REPO_ROOT / "xentui" / "kit" / "probe.py")
    assert [(i.module, i.lazy) for i in seen] == [
        ("numpy", False),
        ("xentui.kit.format", False),
        ("xentui.kit.latex", False),
        ("xentui.domain.scenario", False),
        ("torch", True),
        ("sklearn.metrics", True),
        ("xentcore", False),
    ]
    assert str(seen[4]) == "xentui/kit/probe.py:6 imports torch inside a function"
