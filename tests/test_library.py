"""The library as code: documented, pointing at its lessons, doctests passing, ruff clean."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import dqn_lib

ROOT = Path(__file__).resolve().parent.parent
MODULES = [
    importlib.import_module(f"dqn_lib.{m.name}") for m in pkgutil.iter_modules(dqn_lib.__path__)
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0


@pytest.mark.parametrize("name", dqn_lib.__all__)
def test_public_name_documented_and_points_to_an_existing_lesson(name):
    obj = getattr(dqn_lib, name)
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return  # constants are documented where they are defined
    doc = inspect.getdoc(obj) or ""
    module_doc = inspect.getdoc(sys.modules[obj.__module__]) or ""
    lessons = re.findall(r"notebooks/\d\d_\w+\.py", doc + module_doc)
    assert doc, f"dqn_lib.{name} has no docstring"
    assert lessons, f"dqn_lib.{name}: neither it nor its module names the lesson that teaches it"
    for lesson in lessons:
        assert (ROOT / lesson).exists(), f"dqn_lib.{name} points to {lesson}, which does not exist"


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_clean(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
