"""Test-session rules shared by every test, and the one run of each lesson.

**Each lesson runs once**, cell by cell, through nbval's own kernel and cell items (`LessonFile`
below): the teacher's edition from top to bottom, and right after each exercise's check cell,
the student edition's version of that exercise (the stub from ``tools/make_student.py``, then the
check, which must say "not implemented yet" in one line, in Japanese in the Japanese edition),
then the teacher's solution again so that the rest of the lesson runs as written. One run
proves three things: every cell of the lesson runs, every solution passes its check, and the
student edition stops only at its exercises (its other cells are the teacher's, which
tests/test_student_edition.py checks).

nbval in lax mode compares no outputs, so a lesson cell that prints a warning or any other text
to stderr would pass unnoticed. The hook below fails such a cell and shows what it wrote.

**Runs computed once.** The Japanese lessons' code is the English lessons' apart from string
literals (tests/test_i18n.py), so their training runs are the same runs; so are the student
edition's in the browser; lesson 8 trains lesson 7's replay runs again (both with
``eval_values=True``) beside the target network, and lesson 9 lesson 8's target-network runs
beside Double DQN. Each lesson's kernel, and the student edition's JupyterLab in the browser
test, gets ``DQN_LIB_RUN_CACHE`` (dqn_lib/parallel.py): a temporary folder this session creates and
deletes, where ``run_in_processes`` keeps each run it computed under a hash of the function, the
job and the library's source. ``LessonScheduling`` below sends what reuses runs to one worker,
in order: both editions of a lesson, the English first; lessons 7, 8 and 9 (the ladder, each
rung trained beside the one before); lesson 10 and then the browser test, which runs lesson
10's student edition. Every other cell runs. The unit tests (which compare runs with each other)
never get the folder.

**Tiers** (markers, given here by where a test lives or by its own mark): ``notebook`` (the
lessons), ``browser`` (tests/test_browser.py), ``slow`` (a test that marks itself: a real kernel,
a training run, a subprocess). ``make check`` runs the rest, the unit tier.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile

ROOT = Path(__file__).resolve().parent
LESSON = re.compile(r"\d\d_\w+\.ipynb")
NOT_IMPLEMENTED = ("not implemented yet", "まだ実装されていません")
"""What a student edition's check says of a stub, in English and in Japanese."""


LESSON_RUNS = "DQN_TEST_LESSON_RUNS"
"""The session's folder of kept runs, passed from the controller to its workers."""


def pytest_configure(config):
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(LessonScheduling(), "lesson-scheduling")
    if LESSON_RUNS not in os.environ:  # the controller (or a run without workers) makes it
        os.environ[LESSON_RUNS] = tempfile.mkdtemp(prefix="dqn-lesson-runs-")
        config.lesson_runs_folder = os.environ[LESSON_RUNS]


def pytest_unconfigure(config):
    folder = getattr(config, "lesson_runs_folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        del os.environ[LESSON_RUNS]


def pytest_collect_file(file_path: Path, parent):
    """The lessons of both editions: notebooks/NN_name.ipynb and notebooks/ja/NN_name.ipynb."""
    editions = (ROOT / "notebooks", ROOT / "notebooks" / "ja")
    if file_path.parent in editions and LESSON.fullmatch(file_path.name):
        return LessonFile.from_parent(parent, path=file_path)
    return None


def _grade_id(cell) -> str:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")


def _exercise(grade_id: str) -> str:
    """``ex-06-2-check`` -> ``ex-06-2``."""
    return grade_id.rsplit("-", 1)[0]


class LessonFile(IPyNbFile):
    """A lesson, run once in one kernel: the teacher's cells, each exercise followed by the
    student edition's stub and check (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compare_outputs = False  # lax: the outputs are checked by the tests, not compared

    def setup(self):
        """Start the lesson's kernel with the session's kept runs (see the module docstring)."""
        from dqn_lib.parallel import RUN_CACHE

        os.environ[RUN_CACHE] = os.environ[LESSON_RUNS]
        try:
            super().setup()
        finally:
            del os.environ[RUN_CACHE]

    def collect(self):
        self.nb = nbformat.read(str(self.path), as_version=4)
        student = _student_notebook(self.path)
        student_cells = {}
        for cell in student.cells:
            grade_id = _grade_id(cell)
            if grade_id.startswith("ex-") and cell.cell_type == "code":
                student_cells.setdefault(_exercise(grade_id), []).append(cell)
        teacher_solutions = {}
        for cell in self.nb.cells:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution"):
                teacher_solutions.setdefault(_exercise(_grade_id(cell)), []).append(cell)
        number = 0
        for cell in self.nb.cells:
            if cell.cell_type != "code":
                continue
            yield _cell(self, f"Cell {number}", number, cell)
            number += 1
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("grade"):
                continue
            exercise = _exercise(meta["grade_id"])
            for extra in student_cells.get(exercise, []):
                checks = bool(extra.get("metadata", {}).get("nbgrader", {}).get("grade"))
                kind = "check" if checks else "stub"
                yield _cell(self, f"{exercise} student {kind}", number, extra, student_check=checks)
            for solution in teacher_solutions.get(exercise, []):
                yield _cell(self, f"{exercise} solution restored", number, solution)


def _cell(parent, name: str, number: int, cell, student_check: bool = False) -> LessonCell:
    options = defaultdict(bool, check=False, check_exception=student_check)
    item = LessonCell.from_parent(parent, name=name, cell_num=number, cell=cell, options=options)
    item.student_check = student_check
    return item


class LessonCell(IPyNbCell):
    """One cell of a lesson run. A student edition's check cell must fail with "not implemented
    yet", as one line (the message alone, no traceback through the check's code)."""

    student_check = False

    def runtest(self):
        super().runtest()
        if not self.student_check:
            return
        errors = [o for o in self.test_outputs if o.get("output_type") == "error"]
        where = f"{self.name}: the student edition's check"
        assert len(errors) == 1, f"{where} did not fail; it must say 'not implemented yet'"
        (error,) = errors
        said = error["evalue"]
        assert error["ename"] == "ExerciseError" and any(m in said for m in NOT_IMPLEMENTED), (
            f"{where}: expected 'not implemented yet', got {error['ename']}: {said}"
        )
        shown = "\n".join(error["traceback"])
        assert len(error["traceback"]) == 1 and "checks" not in shown, (
            f"{where} shows a traceback, not only the message:\n{shown}"
        )


_STUDENT_CACHE: dict[Path, nbformat.NotebookNode] = {}


def _student_notebook(lesson: Path) -> nbformat.NotebookNode:
    if lesson not in _STUDENT_CACHE:
        sys.path.insert(0, str(ROOT / "tools"))
        try:
            from make_student import student_notebook
        finally:
            sys.path.remove(str(ROOT / "tools"))
        _STUDENT_CACHE[lesson] = student_notebook(lesson)
    return _STUDENT_CACHE[lesson]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if isinstance(item, IPyNbCell):
            item.add_marker(pytest.mark.notebook)
        elif item.path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
    # The browser test after lesson 10, whose runs its student lesson 10 reuses; the longest
    # units first (xdist hands units out in the order of their first test).
    items.sort(key=lambda item: item.path.name == "test_browser.py")
    order = {unit: rank for rank, unit in enumerate(LONGEST_UNITS)}
    items.sort(key=lambda item: order.get(scheduling_unit(item.nodeid.split("::")[0]), 99))


LESSON_PATH = re.compile(r"notebooks/(?:ja/)?(\d\d)_\w+\.ipynb")
BROWSER_TESTS = "tests/test_browser.py"
SCHEDULING_UNITS = {
    "07": "the ladder (lessons 7-9)",
    "08": "the ladder (lessons 7-9)",
    "09": "the ladder (lessons 7-9)",
    "10": "lesson 10 and the browser",
    BROWSER_TESTS: "lesson 10 and the browser",
}
"""What must run on one worker, in collection order, because a later part reuses an earlier
part's runs (the module docstring); any other lesson is a unit with its Japanese edition."""
LONGEST_UNITS = ("the ladder (lessons 7-9)", "lesson 10 and the browser", "lesson 06")
"""Handed out first, longest first, so that no long unit starts when the rest is done."""


def scheduling_unit(path: str) -> str:
    """The unit of a test file's path, relative to the root (``notebooks/ja/07_replay.ipynb``)."""
    lesson = LESSON_PATH.fullmatch(path)
    key = lesson[1] if lesson else path
    return SCHEDULING_UNITS.get(key, f"lesson {key}" if lesson else path)


class LessonScheduling:
    """With ``--dist loadfile``: a test file to a worker, as xdist does, except that what reuses
    runs is one unit, run in the order of collection (``SCHEDULING_UNITS``; see the module
    docstring): both editions of a lesson, the English first; the ladder's three lessons; lesson
    10 and the browser test. (xdist's own ``--dist loadgroup`` cannot group by mark under pytest
    9, whose node ids it can no longer rename.)"""

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(self, config, log):
        from xdist.scheduler import LoadFileScheduling

        if config.getvalue("dist") != "loadfile":
            return None
        # Units in the order of collection (the longest first, see pytest_collection_modifyitems),
        # not xdist's default order by their number of tests.
        config.option.loadscopereorder = False

        class LessonsTogether(LoadFileScheduling):
            def _split_scope(self, nodeid: str) -> str:
                return scheduling_unit(super()._split_scope(nodeid))

        return LessonsTogether(config, log)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    outputs = getattr(item, "test_outputs", None)  # set by nbval on each notebook cell
    if call.when != "call" or not report.passed or not outputs:
        return
    stderr = [
        o.get("text", "")
        for o in outputs
        if o.get("output_type") == "stream" and o.get("name") == "stderr"
    ]
    if stderr:
        report.outcome = "failed"
        report.longrepr = "The cell wrote to stderr (a warning or an error message):\n" + "".join(
            stderr
        )


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Every test runs torch on one thread, as the lessons and the benchmark do: small networks
    are fastest that way, and a seeded run then repeats exactly. Restored at the end."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
