"""The exercises and the student edition (issue 5).

The student edition is generated here, in the test run, by the same command as ``make student``.
It must equal what nbgrader's own ``generate_assignment`` makes of the lessons (so nbgrader accepts
the lessons as they are), and differ from the lessons only in the solutions; that it fails only at
the exercises' check cells, each with "not implemented yet", is shown by the one run of each lesson
(conftest.py), and in a real browser from the student folder by tests/test_browser.py.

It is the students' door too (issue 11): ``make student-lab`` sets up ``.venv``, writes the lessons
``student/`` lacks (never overwriting one, with its answers) and opens JupyterLab there. The
edition is executed in a folder of its own, outside the repository, as it runs from ``student/``:
``dqn_lib`` comes from ``.venv``, the checkpoint from the copied ``data/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from exercise_table import END, START, all_exercises, exercises, table  # noqa: E402
from make_student import make_student, student_notebook  # noqa: E402

# Each test here runs a subprocess or a kernel: the slow tier.
pytestmark = pytest.mark.slow

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BIN = Path(sys.executable).parent


def nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    """The student edition, written by tools/make_student.py as `make student` runs it."""
    out = tmp_path_factory.mktemp("student")
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_student.py"), "--out", str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    return out


def test_every_lesson_has_two_exercises_or_more_and_twelve_in_all():
    counts = {lesson.stem: len(exercises(lesson)) for lesson in LESSONS}
    assert all(n >= 2 for n in counts.values()), f"exercises per lesson: {counts}"
    assert sum(counts.values()) >= 12, f"exercises per lesson: {counts}"


def test_exercise_numbers_match_their_lesson_and_grade_ids_are_unique():
    found = all_exercises()
    for e in found:
        assert e.number.split(".")[0] == str(int(e.lesson[:2])), f"{e.number} in {e.lesson}"
    ids = [e.grade_id for e in found]
    assert len(ids) == len(set(ids)), f"duplicate grade ids: {ids}"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_teacher_edition_marks_every_solution(lesson):
    cells = nbformat.read(lesson, as_version=4).cells
    solutions = [c for c in cells if nbgrader(c).get("solution")]
    assert solutions, f"{lesson.name} has no solution cell"
    for cell in solutions:
        assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source, (
            f"{lesson.name}: solution cell {nbgrader(cell)['grade_id']} has no BEGIN/END region"
        )
    for cell in cells:
        if nbgrader(cell).get("grade"):
            assert nbgrader(cell).get("locked"), f"{nbgrader(cell)['grade_id']} is not locked"


def test_readme_lists_every_exercise():
    readme = (ROOT / "README.md").read_text()
    assert START in readme and END in readme, "README.md lacks the exercise table markers"
    current = readme.split(START, 1)[1].split(END, 1)[0].strip()
    assert current == table().strip(), (
        "README.md's exercise table is stale: run "
        "`.venv/bin/python tools/exercise_table.py --write README.md`"
    )


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_student_edition_clears_solutions_and_outputs_and_locks_checks(student, lesson):
    cells = nbformat.read(student / lesson.name, as_version=4).cells
    for cell in cells:
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        meta = nbgrader(cell)
        if meta.get("solution"):
            assert "raise NotImplementedError()" in cell.source, cell.source
            assert cell.source.lstrip().startswith(("def ", "class ")), (
                f"{meta['grade_id']}: the student edition must keep the def line: {cell.source}"
            )
        if meta.get("grade") or meta.get("locked"):
            assert cell.metadata.get("editable") is False, meta["grade_id"]
            assert cell.metadata.get("deletable") is False, meta["grade_id"]


def test_student_edition_is_what_nbgrader_generate_assignment_makes(student, tmp_path):
    """nbgrader's own command, on a course folder holding the lessons as they are, releases the
    same cells (sources and metadata) as `make student`."""
    source = tmp_path / "source" / "dqn_course"
    source.mkdir(parents=True)
    for lesson in LESSONS:
        shutil.copy(lesson, source / lesson.name)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [
            str(BIN / "nbgrader"),
            "generate_assignment",
            "dqn_course",
            f"--CourseDirectory.root={tmp_path}",
            f"--CourseDirectory.db_url=sqlite:///{tmp_path / 'gradebook.db'}",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for lesson in LESSONS:
        ours = nbformat.read(student / lesson.name, as_version=4).cells
        theirs = nbformat.read(tmp_path / "release" / "dqn_course" / lesson.name, as_version=4)
        assert [(c.source, c.metadata) for c in ours] == [
            (c.source, c.metadata) for c in theirs.cells
        ], f"{lesson.name}: make student and nbgrader generate_assignment differ"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_student_edition_differs_from_the_lesson_only_in_its_solutions(student, lesson):
    """Every other cell is the teacher's, so the one run of each lesson (conftest.py: the
    teacher's cells, each exercise followed by the student's stub and check) runs the student
    edition's cells too, and shows that it stops only at its exercises."""
    teacher = nbformat.read(lesson, as_version=4).cells
    ours = nbformat.read(student / lesson.name, as_version=4).cells
    assert len(ours) == len(teacher), f"{lesson.name}: the student edition lost or gained a cell"
    for number, (cell, original) in enumerate(zip(ours, teacher, strict=True)):
        if nbgrader(cell).get("solution"):
            continue
        assert cell.source == original.source, (
            f"{lesson.name} cell {number} ({nbgrader(cell).get('grade_id', 'no grade id')}) "
            "differs from the lesson's, though it is not a solution"
        )


def test_student_readme_says_how_to_set_up_work_and_start_over(student):
    readme = (student / "README.md").read_text()
    for needed in (
        "git clone",
        "make student-lab",  # the one command: set up, write student/, open JupyterLab
        "not implemented yet",
        "Run Selected Cell and All Below",  # past a check that is not answered yet
        "Cell In[12], line 4",  # how an error in the student's own code is reported
        "pip install -e .",  # where dqn_lib comes from
        "rename your copy",  # a fresh copy of a lesson
    ):
        assert needed in readme, f"student/README.md does not say {needed!r}"


def test_student_edition_holds_the_data_the_lessons_read(student):
    """Lesson 10 opens data/cartpole_dqn.ckpt next to itself: the student edition carries a copy,
    so it runs from its own folder (the run above executes it there)."""
    data = ROOT / "notebooks" / "data"
    files = sorted(p.relative_to(data) for p in data.rglob("*") if p.is_file())
    assert files, "notebooks/data/ is empty"
    for relative in files:
        copy = student / "data" / relative
        assert copy.read_bytes() == (data / relative).read_bytes(), f"student/data/{relative}"


def test_keep_leaves_a_students_lessons_and_writes_the_missing_ones(tmp_path):
    """`make student-lab` runs make_student.py --keep: a second run must not erase answers."""
    lessons = [ROOT / "notebooks" / "05_reward.ipynb", ROOT / "notebooks" / "01_cartpole.ipynb"]
    (tmp_path / "05_reward.ipynb").write_text("my answers")
    written = make_student(tmp_path, lessons, keep=True)
    assert written == [tmp_path / "01_cartpole.ipynb"]
    assert (tmp_path / "05_reward.ipynb").read_text() == "my answers"
    assert (tmp_path / "README.md").is_file() and (tmp_path / "data").is_dir()
    assert make_student(tmp_path, lessons[:1]) == [tmp_path / "05_reward.ipynb"]
    assert (tmp_path / "05_reward.ipynb").read_text() != "my answers"


def make_dry_run(*args: str) -> str:
    if shutil.which("make") is None:
        pytest.skip("no make here")
    result = subprocess.run(
        ["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_student_lab_sets_up_writes_and_opens_the_student_edition():
    # -W: as if requirements.txt had changed, so the whole set-up shows.
    commands = make_dry_run("-W", "requirements.txt", "student-lab").splitlines()
    steps = [
        "-m pip install --quiet -r requirements.txt",
        "-m pip install --quiet --no-deps -e .",  # dqn_lib, importable from student/
        "nbgrader==",  # its preprocessors write the edition
        "tools/make_student.py --keep",
        "jupyter lab --ServerApp.root_dir=student",
    ]
    found = [next((i for i, c in enumerate(commands) if step in c), None) for step in steps]
    assert None not in found and found == sorted(found), "\n".join(commands)
    assert "student" not in make_dry_run("clean"), "make clean must keep a student's answers"


def test_hidden_tests_and_mark_schemes_are_dropped_from_the_student_edition(tmp_path):
    """No lesson has hidden tests yet; a teacher who adds some must not hand them out."""

    def meta(grade_id, **flags):
        return {
            "nbgrader": {
                "grade_id": grade_id,
                "locked": flags.get("locked", True),
                "schema_version": 3,
                "solution": flags.get("solution", False),
                "grade": flags.get("grade", False),
                "task": False,
                **({"points": 1} if flags.get("grade") else {}),
            }
        }

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                metadata=meta("f-solution", solution=True, locked=False),
            ),
            nbformat.v4.new_code_cell(
                "assert f() is not None\n### BEGIN HIDDEN TESTS\nassert f() == 1\n"
                "### END HIDDEN TESTS",
                metadata=meta("f-check", grade=True),
            ),
            nbformat.v4.new_markdown_cell(
                "Explain.\n=== BEGIN MARK SCHEME ===\nAny answer with 1.\n=== END MARK SCHEME ===",
                metadata=meta("f-explain", solution=True, grade=True, locked=False),
            ),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    lesson = tmp_path / "99_hidden.ipynb"
    nbformat.write(notebook, lesson)
    cells = student_notebook(lesson).cells
    assert "raise NotImplementedError()" in cells[0].source and "return 1" not in cells[0].source
    assert cells[1].source.strip() == "assert f() is not None"
    assert "MARK SCHEME" not in cells[2].source and "Any answer" not in cells[2].source


def test_nbgrader_autograde_gives_the_solutions_full_marks_and_the_blank_edition_none(tmp_path):
    """A real nbgrader round trip on one quick lesson: release it, submit the teacher's edition
    (every solution) as one student and the untouched student edition as another, autograde."""
    lesson = ROOT / "notebooks" / "05_reward.ipynb"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}

    def nbgrader_run(*args: str) -> None:
        result = subprocess.run(
            [str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={tmp_path}"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"nbgrader {args}:\n{result.stdout}{result.stderr}"

    (tmp_path / "source" / "dqn").mkdir(parents=True)
    shutil.copy(lesson, tmp_path / "source" / "dqn" / lesson.name)
    nbgrader_run("generate_assignment", "dqn")
    submissions = {
        "teacher": tmp_path / "source" / "dqn" / lesson.name,
        "blank": tmp_path / "release" / "dqn" / lesson.name,
    }
    for student_id, notebook in submissions.items():
        folder = tmp_path / "submitted" / student_id / "dqn"
        folder.mkdir(parents=True)
        shutil.copy(notebook, folder / lesson.name)
        nbgrader_run("db", "student", "add", student_id)
    nbgrader_run("autograde", "dqn")
    nbgrader_run("export")
    rows = (tmp_path / "grades.csv").read_text().splitlines()
    header = rows[0].split(",")
    scores = {
        row[header.index("student_id")]: (float(row[header.index("score")]), row)
        for row in (line.split(",") for line in rows[1:])
    }
    points = sum(e.points for e in exercises(lesson))
    assert scores["teacher"][0] == points, f"the solutions should score {points}: {scores}"
    assert scores["blank"][0] == 0, f"the blank edition should score 0: {scores}"


def test_the_japanese_student_edition_goes_to_its_own_folder(student):
    """`make student` writes both editions: the Japanese one into student/ja/, with its own
    data folder and a Japanese README, its solutions cleared like the English ones; and the
    teacher's Japanese lessons are not copied into student/ as a data folder would be."""
    japanese = sorted((ROOT / "notebooks" / "ja").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name for p in japanese] == [p.name for p in LESSONS]
    for lesson in japanese:
        edition = nbformat.read(student / "ja" / lesson.name, as_version=4)
        solutions = [c for c in edition.cells if nbgrader(c).get("solution")]
        assert solutions and all("raise NotImplementedError()" in c.source for c in solutions)
        assert "### BEGIN SOLUTION" not in json.dumps(edition)
    readme = (student / "ja" / "README.md").read_text(encoding="utf-8")
    assert "make student-lab-ja" in readme and "まだ実装されていません" in readme
    assert (student / "ja" / "data" / "cartpole_dqn.ckpt").is_file()
    assert not (student / "ja" / "ja").exists() and not (student / "ja" / "data" / "ja").exists()


def test_make_student_lab_ja_opens_the_japanese_edition_in_japanese():
    commands = make_dry_run("student-lab-ja").splitlines()
    assert any("tools/make_student.py --keep" in c for c in commands), commands
    (lab,) = [c for c in commands if "jupyter lab" in c]
    assert "--ServerApp.root_dir=student/ja" in lab and "JUPYTERLAB_SETTINGS_DIR=" in lab
