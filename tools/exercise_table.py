"""List the exercises of every lesson, for the README's table for teachers.

    .venv/bin/python tools/exercise_table.py                    # print the table
    .venv/bin/python tools/exercise_table.py --write README.md  # put it in the README

An exercise is a markdown cell whose nbgrader ``grade_id`` ends in ``-text`` and whose title reads
``### Exercise 4.2: the TD target (core, about 15 minutes)``, then its solution cell and its grade
cell (which calls a ``check_...`` function). With ``--write`` the table replaces what stands between
the README's exercise markers, so the README always lists the exercises the lessons have (a test
checks it).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from dqn_lib.files import write_atomically

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
START, END = "<!-- exercises:start -->", "<!-- exercises:end -->"
TITLE = re.compile(
    r"^### Exercise (?P<number>\d+\.\d+): (?P<name>.+) "
    r"\((?P<difficulty>warm-up|core|stretch), about (?P<minutes>\d+) minutes\)$"
)
CHECK_CALL = re.compile(r"\b(check_\w+)\(")


@dataclass(frozen=True)
class Exercise:
    """One exercise: where it is, what it asks, and the check that grades it."""

    lesson: str
    number: str
    name: str
    difficulty: str
    minutes: int
    points: float
    check: str
    grade_id: str


def nbgrader(cell: nbformat.NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _next_exercise_cell(cells: list, start: int) -> int:
    """The index of the first cell from ``start`` on that belongs to an exercise (nbgrader's)."""
    while start < len(cells) and not nbgrader(cells[start]):
        start += 1
    return start


def exercises(lesson: Path) -> list[Exercise]:
    """The exercises of one lesson notebook, in order; ValueError if one is malformed."""
    cells = nbformat.read(lesson, as_version=4).cells
    found = []
    for i, cell in enumerate(cells):
        grade_id = nbgrader(cell).get("grade_id", "")
        if cell.cell_type != "markdown" or not grade_id.endswith("-text"):
            continue
        first_line = cell.source.splitlines()[0]
        title = TITLE.match(first_line)
        if title is None:
            raise ValueError(
                f"{lesson.name}, cell {i}: an exercise's first line must read '### Exercise N.K: "
                f"name (warm-up|core|stretch, about M minutes)', got {first_line!r}"
            )
        stem = grade_id.removesuffix("-text")
        # Between text, solution and check may stand the lesson's own plain cells, never
        # another exercise's: find the bug shows the buggy code before the solution, and predict,
        # then run runs the experiment between the prediction and its check.
        solution_at = _next_exercise_cell(cells, i + 1)
        solution = cells[solution_at] if solution_at < len(cells) else {}
        if nbgrader(solution).get("grade_id") != f"{stem}-solution":
            raise ValueError(
                f"{lesson.name}, cell {i}: {stem}-text is not followed by its solution"
            )
        grade_at = _next_exercise_cell(cells, solution_at + 1)
        grade = cells[grade_at] if grade_at < len(cells) else {}
        if nbgrader(grade).get("grade_id") != f"{stem}-check" or not nbgrader(grade).get("grade"):
            raise ValueError(
                f"{lesson.name}, cell {i}: {stem}'s solution is not followed by a check"
            )
        checks = CHECK_CALL.findall(grade.source)
        if not checks:
            raise ValueError(f"{lesson.name}: the grade cell {stem}-check calls no check_ function")
        found.append(
            Exercise(
                lesson=lesson.stem,
                number=title["number"],
                name=title["name"],
                difficulty=title["difficulty"],
                minutes=int(title["minutes"]),
                points=nbgrader(grade)["points"],
                check=checks[-1],
                grade_id=stem,
            )
        )
    return found


def all_exercises(folder: Path = NOTEBOOKS) -> list[Exercise]:
    return [e for lesson in sorted(folder.glob("[0-9][0-9]_*.ipynb")) for e in exercises(lesson)]


def table(folder: Path = NOTEBOOKS) -> str:
    rows = [
        "| Lesson | Exercise | Difficulty | Time | Points | Checked by |",
        "|---|---|---|---|---|---|",
    ]
    found = all_exercises(folder)
    for e in found:
        rows.append(
            f"| `{e.lesson}` | {e.number} {e.name} | {e.difficulty} | {e.minutes} min | "
            f"{e.points:g} | `{e.check}` |"
        )
    total = sum(e.minutes for e in found)
    rows.append(f"\n{len(found)} exercises, about {total / 60:.1f} hours in all.")
    return "\n".join(rows)


def write(readme: Path) -> None:
    text = readme.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"{readme} has no {START} ... {END} markers to write the table between.")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    write_atomically(readme, f"{head}{START}\n{table()}\n{END}{tail}".encode())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, metavar="README", help="update this file in place")
    args = parser.parse_args()
    if args.write:
        write(args.write)
    else:
        print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
