"""The examples in the docstrings of xentcore, xentui/domain and xentui/kit run and hold.

Each module is imported by name and its docstrings' examples run through `doctest`; a failure
shows doctest's own report (the example, what was expected, what came).
"""

from __future__ import annotations

import doctest
import importlib

import pytest
from code_imports import module_name, python_files

PACKAGES = ("xentcore", "xentui/domain", "xentui/kit")
MODULES = [module_name(path) for path in python_files(*PACKAGES)]


def _run_examples(name: str) -> tuple[doctest.TestResults, str]:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    for test in doctest.DocTestFinder().find(module):
        runner.run(test, out=report.append)
    return runner.summarize(verbose=False), "".join(report)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    results, report = _run_examples(name)
    assert results.failed == 0, f"{results.failed} example(s) of {name} failed:\n{report}"


def test_the_examples_are_found():
    """A finder that sees nothing would pass every module: the core's examples must be seen."""
    attempted = sum(_run_examples(name)[0].attempted for name in MODULES)
    assert "xentcore.softmax" in MODULES and attempted >= 10, (MODULES, attempted)
