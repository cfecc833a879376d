"""Every third-party module the code imports comes from a distribution pinned with ==.

The app's code (xentcore/, xentui/, pages/, app.py) must be served by requirements.txt; the tests
and benchmarks by requirements-dev.txt, which includes requirements.txt. Every line of both is a
pin, and the environment under test has the pinned versions. Imports inside functions
count as much as those at the top: a lazy import still needs its package installed. Modules are
mapped to distributions by the installed metadata (`yaml` comes from PyYAML, `sklearn` from
scikit-learn).
"""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from code_imports import REPO_ROOT, imports_of, python_files, third_party

RUNTIME_CODE = ("xentcore", "xentui", "pages", "app.py")
DEV_CODE = ("tests", "benchmarks")
PIN = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;#]+)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """{normalised distribution name: version} pinned with == in a requirements file and the
    files it includes with -r; a line that is not such a pin raises, naming file and line."""
    pinned: dict[str, str] = {}
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith(("-r ", "--requirement ")):
            pinned.update(pins(path.parent / line.split(maxsplit=1)[1]))
            continue
        match = PIN.fullmatch(line)
        if match is None:
            raise ValueError(
                f"{path.name}:{number}: {raw!r} is not a pin of the form name==version"
            )
        pinned[_normal(match[1])] = match[3]
    return pinned


def _imported(paths: tuple[str, ...]) -> dict[str, list[str]]:
    """{top-level module: the places importing it} over the third-party imports of `paths`."""
    found: dict[str, list[str]] = {}
    for path in python_files(*paths):
        for item in third_party(imports_of(path)):
            found.setdefault(item.top, []).append(str(item))
    return found


RUNTIME = _imported(RUNTIME_CODE)
DEV = _imported(DEV_CODE)


def _assert_pinned(module: str, places: list[str], requirements: str) -> None:
    distributions = importlib.metadata.packages_distributions().get(module)
    where = "\n  ".join(places)
    assert distributions, (
        f"{module} is imported but no installed distribution provides it:\n  {where}"
    )
    pinned = pins(REPO_ROOT / requirements)
    assert any(_normal(d) in pinned for d in distributions), (
        f"{module} (distribution {' or '.join(distributions)}) is not pinned with == in "
        f"{requirements}; it is imported by:\n  {where}"
    )


@pytest.mark.parametrize("module", sorted(RUNTIME))
def test_each_runtime_import_is_pinned_in_requirements(module):
    _assert_pinned(module, RUNTIME[module], "requirements.txt")


@pytest.mark.parametrize("module", sorted(DEV))
def test_each_test_and_benchmark_import_is_pinned_in_dev_requirements(module):
    _assert_pinned(module, DEV[module], "requirements-dev.txt")


@pytest.mark.parametrize("requirements", ["requirements.txt", "requirements-dev.txt"])
def test_every_requirement_is_pinned_with_double_equals(requirements):
    assert pins(REPO_ROOT / requirements), f"{requirements} pins nothing"


@pytest.mark.parametrize("requirements", ["requirements.txt", "requirements-dev.txt"])
def test_the_installed_versions_are_the_pinned_ones(requirements):
    """The environment under test is the one the pins describe (a local build such as +cpu is
    the same version)."""
    wrong = []
    for name, version in pins(REPO_ROOT / requirements).items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "not installed"
        if installed.split("+")[0] != version:
            wrong.append(f"{name}=={version} pinned, {installed} installed")
    assert not wrong, f"{requirements}: " + "; ".join(wrong)


def test_the_runtime_imports_are_found():
    """A reader that found nothing would pass: the app's own libraries must be seen."""
    assert {"numpy", "pandas", "plotly", "streamlit", "torch", "sklearn"} <= set(RUNTIME)
