"""The lesson runner of conftest.py can fail: it runs a lesson once, teacher's cells and student
edition's exercises together, and must report a student edition that does not stop at an
exercise, and a lesson cell that raises, each by name."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest_plugins = ["pytester"]


def exercise(check_source: str) -> list:
    """An exercise's three cells, as the lessons write them (nbgrader metadata included)."""

    def meta(kind: str, **flags) -> dict:
        base = {"grade": False, "locked": True, "schema_version": 3, "solution": False}
        return {"nbgrader": {**base, **flags, "grade_id": f"ex-99-1-{kind}", "task": False}}

    return [
        nbformat.v4.new_markdown_cell("### Exercise 99.1: double it", metadata=meta("text")),
        nbformat.v4.new_code_cell(
            "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
            metadata=meta("solution", locked=False, solution=True),
        ),
        nbformat.v4.new_code_cell(check_source, metadata=meta("check", grade=True, points=1)),
    ]


GOOD_CHECK = (
    "from dqn_lib.checks.harness import Check\n"
    "check = Check('check_double')\n"
    "assert check.call(double, 2, case='x=2') == 4\n"
    "check.count()\n"
    "check.passed()"
)


def run_lesson(pytester, cells: list) -> pytest.RunResult:
    """Run a one-lesson course through the project's own conftest.py, in a folder of its own."""
    shutil.copy(ROOT / "conftest.py", pytester.path / "conftest.py")
    shutil.copy(ROOT / "pytest.ini", pytester.path / "pytest.ini")
    shutil.copytree(ROOT / "tools", pytester.path / "tools")
    (pytester.path / "notebooks").mkdir()
    notebook = nbformat.v4.new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    )
    nbformat.write(notebook, pytester.path / "notebooks" / "99_fake.ipynb")
    return pytester.runpytest_subprocess("notebooks", "-p", "no:randomly", "-v")


@pytest.mark.slow
def test_a_lesson_and_its_student_edition_pass_together(pytester):
    result = run_lesson(pytester, [nbformat.v4.new_code_cell("x = 1"), *exercise(GOOD_CHECK)])
    result.assert_outcomes(passed=6)  # 3 cells, then the stub, its check, the solution again
    result.stdout.fnmatch_lines(["*ex-99-1 student stub PASSED*", "*ex-99-1 student check PASSED*"])


@pytest.mark.slow
def test_a_student_check_that_does_not_say_not_implemented_fails(pytester):
    # A check that never calls the learner's function passes on the stub as well.
    result = run_lesson(pytester, exercise("print('check_double: all 1 cases pass.')"))
    result.assert_outcomes(passed=4, failed=1)
    result.stdout.fnmatch_lines(
        ["*ex-99-1 student check: the student edition's check did not fail*"]
    )


@pytest.mark.slow
def test_a_lesson_cell_that_raises_or_warns_fails_by_name(pytester):
    cells = [
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("import sys\nprint('careful', file=sys.stderr)"),
    ]
    result = run_lesson(pytester, cells)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*ZeroDivisionError*",
            "*The cell wrote to stderr (a warning or an error message):",
            "careful",
        ]
    )


def test_what_reuses_runs_is_scheduled_on_one_worker_and_the_longest_units_first():
    """conftest.py's units: a lesson with its Japanese edition; the ladder's three lessons (each
    trains the rung before it again); lesson 10 with the browser test (its student lesson 10
    reuses lesson 10's runs)."""
    from conftest import LONGEST_UNITS, scheduling_unit

    assert scheduling_unit("notebooks/03_q_network.ipynb") == scheduling_unit(
        "notebooks/ja/03_q_network.ipynb"
    )
    ladder = {
        scheduling_unit(f"notebooks/{edition}{name}.ipynb")
        for edition in ("", "ja/")
        for name in ("07_replay", "08_target_network", "09_double_dqn")
    }
    assert len(ladder) == 1
    assert scheduling_unit("tests/test_browser.py") == scheduling_unit("notebooks/10_inside.ipynb")
    assert scheduling_unit("tests/test_agents.py") == "tests/test_agents.py"
    units = {
        scheduling_unit(f"notebooks/{n}") for n in ("06_training.ipynb", "09_double_dqn.ipynb")
    }
    assert units <= set(LONGEST_UNITS) and len(set(LONGEST_UNITS)) == len(LONGEST_UNITS)


@pytest.mark.slow
def test_the_collection_puts_the_longest_units_first_and_the_browser_after_lesson_10():
    """The order xdist hands units out in (conftest.py turns its reordering by size off): the
    ladder, then lesson 10 and the browser test (after both editions of lesson 10), then lesson
    6, then the rest."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    files = list(dict.fromkeys(line.split("::")[0] for line in collected if "::" in line))
    assert files[:11] == [
        "notebooks/07_replay.ipynb",
        "notebooks/08_target_network.ipynb",
        "notebooks/09_double_dqn.ipynb",
        "notebooks/ja/07_replay.ipynb",
        "notebooks/ja/08_target_network.ipynb",
        "notebooks/ja/09_double_dqn.ipynb",
        "notebooks/10_inside.ipynb",
        "notebooks/ja/10_inside.ipynb",
        "tests/test_browser.py",
        "notebooks/06_training.ipynb",
        "notebooks/ja/06_training.ipynb",
    ], files[:11]
