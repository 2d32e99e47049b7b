"""The lessons as files: pairs in sync, outputs fresh and clean, no magics, a size cap.

Every lesson is a pair, notebooks/NN_name.py (what reviewers read) and NN_name.ipynb (what
GitHub shows, with outputs). tools/build_outputs.py makes both from one clean run. The Japanese
edition's lessons, notebooks/ja/NN_name.*, are held to the same rules.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupytext.config import load_jupytext_config

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from notebook_stamp import STAMP_KEY, code_hash  # noqa: E402

EDITIONS = (ROOT / "notebooks", ROOT / "notebooks" / "ja")
NOTEBOOKS = sorted(p for edition in EDITIONS for p in edition.glob("[0-9][0-9]_*.ipynb"))
MAX_BYTES = 2_000_000
REBUILD = "Rebuild it: .venv/bin/python tools/build_outputs.py {name}.py"


def lesson_ids():
    return [path.relative_to(ROOT / "notebooks").with_suffix("").as_posix() for path in NOTEBOOKS]


@pytest.fixture(params=NOTEBOOKS, ids=lesson_ids())
def lesson(request) -> Path:
    return request.param


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("edition", EDITIONS, ids=["en", "ja"])
def test_every_lesson_is_a_pair(edition):
    stems_py = {p.stem for p in edition.glob("[0-9][0-9]_*.py")}
    stems_ipynb = {p.stem for p in edition.glob("[0-9][0-9]_*.ipynb")}
    assert stems_py == stems_ipynb, f"unpaired lessons: {sorted(stems_py ^ stems_ipynb)}"
    assert len(stems_ipynb) >= 5


def test_pair_in_sync(lesson):
    """Rendering the .ipynb in percent format gives the committed .py, byte for byte."""
    config = load_jupytext_config(str(lesson))
    rendered = jupytext.writes(jupytext.read(lesson), fmt="py:percent", config=config)
    committed = lesson.with_suffix(".py").read_text()
    assert rendered == committed, f"{lesson.name} and its .py differ. " + REBUILD.format(
        name=lesson.with_suffix("").relative_to(ROOT).as_posix()
    )


def test_outputs_come_from_the_current_code(lesson):
    notebook = read(lesson)
    stamp = notebook.metadata.get(STAMP_KEY, {}).get("code_sha256")
    assert stamp == code_hash(notebook), (
        f"{lesson.name}: its code changed since its outputs were built. "
        + REBUILD.format(name=lesson.with_suffix("").relative_to(ROOT).as_posix())
    )


def test_outputs_from_one_clean_run(lesson):
    counts = [c.execution_count for c in read(lesson).cells if c.cell_type == "code"]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{lesson.name}: execution counts {counts} are not 1..N. "
        + REBUILD.format(name=lesson.with_suffix("").relative_to(ROOT).as_posix())
    )


def test_no_error_or_stderr_outputs(lesson):
    for number, cell in enumerate(read(lesson).cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{lesson.name} cell {number}: an error output"
            is_stderr = output.output_type == "stream" and output.name == "stderr"
            assert not is_stderr, f"{lesson.name} cell {number} wrote to stderr: {output.text!r}"


def test_notebook_under_size_cap(lesson):
    size = lesson.stat().st_size
    assert size < MAX_BYTES, f"{lesson.name} is {size:,} bytes; the cap is {MAX_BYTES:,}"


MAGIC = re.compile(r"^\s*(%|!)", re.MULTILINE)


def test_no_ipython_magics(lesson):
    """A bad line magic can pass nbval silently (nbval #147), and magics don't run as Python."""
    for number, cell in enumerate(read(lesson).cells):
        if cell.cell_type == "code":
            assert not MAGIC.search(cell.source), f"{lesson.name} cell {number} uses a magic"


def test_lesson_has_title_setup_and_checks(lesson):
    cells = read(lesson).cells
    title, summary = (
        ("# レッスン", "まとめ") if lesson.parent.name == "ja" else ("# Lesson", "Summary")
    )
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith(title), (
        f"{lesson.name} must open with a '{title} N: ...' title"
    )
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "SEED = " in code, f"{lesson.name} has no SEED in its setup cell"
    assert "assert " in code, f"{lesson.name} has no check cell"
    assert any(summary in c.source for c in cells if c.cell_type == "markdown")
