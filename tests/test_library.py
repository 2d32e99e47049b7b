"""The library as code: documented, pointing at its lessons, doctests passing, ruff clean."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import typing
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


# The modules a lesson imports from directly, beside the package's own names: the exercise
# checks of lessons 8 and 9, and the widgets and inspection tools (kept out of dqn_lib's
# namespace so that the core never imports ipywidgets).
SUBMODULES = [
    "checks",
    "checks_agent",
    "checks_experiments",
    "checks_table",
    "checks_inside",
    "checks_ladder",
    "checks_playground",
    "inspection",
    "parallel",
    "playground",
    "presets",
    "starts",
    "stats",
]
PUBLIC = [("dqn_lib", name) for name in dqn_lib.__all__] + [
    (f"dqn_lib.{module}", name)
    for module in SUBMODULES
    for name in importlib.import_module(f"dqn_lib.{module}").__all__
]


@pytest.mark.parametrize("module, name", PUBLIC, ids=[f"{m}.{n}" for m, n in PUBLIC])
def test_public_name_documented_and_points_to_an_existing_lesson(module, name):
    obj = getattr(importlib.import_module(module), name)
    if not (inspect.isfunction(obj) or inspect.isclass(obj)):
        return  # constants are documented where they are defined
    doc = inspect.getdoc(obj) or ""
    module_doc = inspect.getdoc(sys.modules[obj.__module__]) or ""
    assert doc, f"{module}.{name} has no docstring"
    # Its own docstring's lessons, or else its module's: the lesson that teaches it.
    lesson = r"notebooks/(?:ja/)?\d\d_\w+\.py"  # a lesson of either edition
    lessons = re.findall(lesson, doc) or re.findall(lesson, module_doc)
    assert lessons, f"{module}.{name}: neither it nor its module names the lesson that teaches it"
    for lesson in lessons:
        assert (ROOT / lesson).exists(), f"{module}.{name} points to {lesson}, which is missing"
    texts = [(ROOT / lesson).read_text() for lesson in lessons]
    if "Not taught in a lesson" in doc:
        # A helper: the lesson it names must mention what it serves, a name in ``double quotes``.
        served = re.findall(r"``(\w+)", doc)
        assert any(re.search(rf"\b{s}\b", t) for s in served for t in texts), (
            f"{module}.{name} says it serves {served}, but {lessons} mention none of them"
        )
    else:
        assert any(re.search(rf"\b{re.escape(name)}\b", t) for t in texts), (
            f"{module}.{name} points to {lessons}, which never mention {name}: name the lesson "
            "that uses it, or say 'Not taught in a lesson' and what it serves"
        )


def _public_functions(obj):
    if inspect.isfunction(obj):
        yield obj.__name__, obj
    elif inspect.isclass(obj) and typing.Protocol not in obj.__mro__:
        for name, member in vars(obj).items():
            if name.startswith("_") and name != "__init__":
                continue
            if isinstance(member, staticmethod | classmethod):
                member = member.__func__
            elif isinstance(member, property):
                member = member.fget
            if inspect.isfunction(member):
                yield f"{obj.__name__}.{name}", member


@pytest.mark.parametrize("module, name", PUBLIC, ids=[f"{m}.{n}" for m, n in PUBLIC])
def test_public_signatures_are_typed(module, name):
    obj = getattr(importlib.import_module(module), name)
    for where, function in _public_functions(obj):
        signature = inspect.signature(function)
        untyped = [
            p
            for p in signature.parameters
            if p not in ("self", "cls")
            and signature.parameters[p].annotation is inspect.Parameter.empty
        ]
        assert not untyped, f"{module}.{where}: parameters without a type: {untyped}"
        assert signature.return_annotation is not inspect.Signature.empty, (
            f"{module}.{where} has no return type"
        )


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]])
def test_ruff_clean(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, "."], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- The import graph -------------------------------------------------------------------------


def _layers() -> dict[str, int]:
    """Each module's layer, from the numbered list in the package docstring."""
    layers = {}
    for line in (dqn_lib.__doc__ or "").splitlines():
        match = re.fullmatch(r"(\d+)\. ([a-z0-9_, ]+)", line.strip())
        if match:
            for module in match.group(2).split(", "):
                assert module not in layers, f"{module} is listed twice in dqn_lib's docstring"
                layers[module] = int(match.group(1))
    return layers


def _imports_of(path: Path) -> set[str]:
    """The dqn_lib modules a source file imports, at the top or inside a function."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dqn_lib"):
            if node.module == "dqn_lib":
                found.add("__init__")  # the package itself: the top, above every module
            else:
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(
                alias.name.split(".")[1]
                for alias in node.names
                if alias.name.startswith("dqn_lib.")
            )
    return found


def test_every_module_imports_only_from_layers_below_its_own():
    layers = _layers()
    package = Path(dqn_lib.__file__).parent
    modules = {path.stem for path in package.glob("*.py")} - {"__init__"}
    assert set(layers) == modules, (
        f"dqn_lib's docstring lists {sorted(set(layers) - modules)} that do not exist and "
        f"misses {sorted(modules - set(layers))}: add each module to one layer"
    )
    layers["__init__"] = max(layers.values()) + 1
    upward = [
        f"{module} (layer {layers[module]}) imports {target} (layer {layers[target]})"
        for module in sorted(modules)
        for target in sorted(_imports_of(package / f"{module}.py"))
        if layers[target] >= layers[module]
    ]
    assert not upward, "imports that point up or sideways:\n" + "\n".join(upward)


def test_the_layer_check_catches_an_import_that_points_up(tmp_path):
    """The test above can fail: a module of layer 1 importing one of layer 6 is reported."""
    source = tmp_path / "config.py"
    source.write_text("def f():\n    from dqn_lib.training import train\n")
    assert _imports_of(source) == {"training"}
    assert _layers()["training"] > _layers()["config"]
