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
    importlib.import_module(m.name) for m in pkgutil.walk_packages(dqn_lib.__path__, "dqn_lib.")
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_doctests(module):
    result = doctest.testmod(module)
    assert result.failed == 0


# The modules a lesson imports from directly, beside the package's own names: the exercise
# checks (the package dqn_lib.checks, whose face names every check), and the widgets and
# inspection tools (kept out of dqn_lib's namespace so that the core never imports ipywidgets).
SUBMODULES = [
    "checks",
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
    """Each module's layer, from the numbered list in the package docstring (a layer's list may
    go on over indented lines after a comma; a module of a subpackage is ``checks.harness``)."""
    layers = {}
    for line in re.sub(r",\n +", ", ", dqn_lib.__doc__ or "").splitlines():
        match = re.fullmatch(r"(\d+)\. ([a-z0-9_., ]+)", line.strip())
        if match:
            for module in match.group(2).split(", "):
                assert module not in layers, f"{module} is listed twice in dqn_lib's docstring"
                layers[module] = int(match.group(1))
    return layers


def _imports_of(path: Path, package: str = "dqn_lib") -> set[str]:
    """The dqn_lib modules a source file imports, at the top or inside a function, named as in
    the layer list (``training``, ``checks.harness``; ``__init__`` for dqn_lib itself). A
    relative import is resolved from ``package``, the package the file is in."""
    import ast

    def named(module: str) -> str | None:
        if module == "dqn_lib":
            return "__init__"  # the package itself: the top, above every module
        return module.removeprefix("dqn_lib.") if module.startswith("dqn_lib.") else None

    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # from .harness import x, from .. import y
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.add(named(module))
        elif isinstance(node, ast.Import):
            found.update(named(alias.name) for alias in node.names)
    return found - {None}


def _modules(package: Path) -> dict[str, Path]:
    """Every module of dqn_lib, subpackages' included, by its name in the layer list."""
    modules = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    modules.pop("", None)  # dqn_lib/__init__.py: the top
    return modules


def test_every_module_imports_only_from_layers_below_its_own():
    layers = _layers()
    package = Path(dqn_lib.__file__).parent
    paths = _modules(package)
    modules = set(paths)
    assert set(layers) == modules, (
        f"dqn_lib's docstring lists {sorted(set(layers) - modules)} that do not exist and "
        f"misses {sorted(modules - set(layers))}: add each module to one layer"
    )
    layers["__init__"] = max(layers.values()) + 1
    imports = {
        module: _imports_of(
            path,
            ".".join(["dqn_lib", *path.relative_to(package).parent.parts]),
        )
        for module, path in paths.items()
    }
    unknown = [f"{m} imports {t}" for m in sorted(modules) for t in imports[m] if t not in layers]
    assert not unknown, "imports of modules that are not in the layer list:\n" + "\n".join(unknown)
    upward = [
        f"{module} (layer {layers[module]}) imports {target} (layer {layers[target]})"
        for module in sorted(modules)
        for target in sorted(imports[module])
        if layers[target] >= layers[module]
    ]
    assert not upward, "imports that point up or sideways:\n" + "\n".join(upward)


def test_the_layer_check_catches_an_import_that_points_up(tmp_path):
    """The test above can fail: a module of layer 1 importing one of layer 6 is reported."""
    source = tmp_path / "config.py"
    source.write_text("def f():\n    from dqn_lib.training import train\n")
    assert _imports_of(source) == {"training"}
    assert _layers()["training"] > _layers()["config"]


def test_the_layer_check_sees_the_checks_package_and_relative_imports(tmp_path):
    """A check module's imports are named as its layer list names them, a relative one too:
    a harness importing a lesson's checks points up."""
    source = tmp_path / "harness.py"
    source.write_text(
        "from dqn_lib.checks.agent import check_n_step_target\n"
        "from .cartpole import check_cartpole_policy\n"
        "from .. import training\n"
        "import dqn_lib.checks.q_table\n"
    )
    assert _imports_of(source, "dqn_lib.checks") == {
        "checks.agent",
        "checks.cartpole",
        "checks.q_table",
        "__init__",
    }
    layers = _layers()
    assert layers["checks.agent"] > layers["checks.harness"] > layers["playground"]
    assert layers["checks"] > layers["checks.training"]
