"""Write the student edition of the course: ``student/`` from the lessons in ``notebooks/``.

    .venv/bin/python tools/make_student.py              # every lesson -> student/ and student/ja/
    .venv/bin/python tools/make_student.py --keep       # only the lessons student/ lacks
    .venv/bin/python tools/make_student.py --out DIR    # somewhere else (the tests use a temp dir)

``make student`` (the teacher's command) rewrites every lesson. ``make student-lab`` (the
students' door) runs it with ``--keep``: a lesson already in ``student/`` holds a student's
answers and is never overwritten; a missing one is written fresh. Either way the lessons' data
folder (``notebooks/data/`` -> ``student/data/``, the checkpoint lesson 10 opens) and
``student/README.md`` (how to set up, work, and start a lesson over) are written anew. The
Japanese edition (``notebooks/ja/``, built by ``tools/i18n.py``) goes to ``student/ja/`` the
same way, with its own copy of the data folder. The
lessons import ``dqn_lib``, installed into ``.venv`` by the Makefile (``pip install -e .``), and
read the benchmark's results through it, so ``student/`` runs as its own JupyterLab root.

The lessons are the teacher's edition. This script does not rewrite them by hand: it runs each
``notebooks/NN_name.ipynb`` through nbgrader's own preprocessors, in the order nbgrader's
``generate_assignment`` runs them (without its gradebook database):

- ``CheckCellMetadata``: refuse a notebook whose nbgrader cells are malformed (duplicate ids...)
- ``LockCells``: grade and read-only cells cannot be edited or deleted; solution cells can be
  edited but not deleted
- ``ClearSolutions``: each ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region becomes
  ``# YOUR CODE HERE`` / ``raise NotImplementedError()``
- ``ClearOutput``: no outputs, so the student runs every cell themselves
- ``ClearHiddenTests`` and ``ClearMarkScheme``: drop hidden tests and marking notes
- ``ComputeChecksums``: record each grade cell's checksum, as nbgrader does, so a changed check
  is noticed at grading time

The edition is generated, never edited by hand, and not committed (``student/`` is in
``.gitignore``). Every file is written atomically.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    LockCells,
)

from dqn_lib.files import write_atomically

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

README = """\
# DQN, step by step: student edition

These are the course's lessons with the exercises left for you to write. They were generated from
the lessons in `notebooks/` (the teacher's edition, which has every solution) by
`tools/make_student.py`, with nbgrader's preprocessors.

## Set up and start

You need Python 3.10 or newer, `git`, `make` and about 1.5 GB of disk. In a terminal:

```bash
git clone <the course's repository URL, from your teacher> dqn-course
cd dqn-course
make student-lab
```

`make student-lab` sets up `.venv` the first time (a few minutes; on Linux without a GPU, see
"Installing PyTorch on your own machine" in the repository's README first), writes this folder,
`student/`, and opens JupyterLab in it. Stop JupyterLab with Ctrl-C in the terminal. Next time,
run `make student-lab` again from the repository's folder: it keeps every lesson you already
have, with your answers.

## Working through a lesson

Open `01_cartpole.ipynb` first and run it from the top (Run > Run All Cells). Each lesson ends
with exercises. In each exercise cell, replace `# YOUR CODE HERE` and `raise NotImplementedError()`
with your code, run the cell (Shift-Enter), then run the check cell under it. A check you have
not answered yet says "not implemented yet", and Run All stops there: to run the rest of the
lesson, click the cell after that check and choose Run > Run Selected Cell and All Below. The
lesson never uses your answers, so the other cells work whether your exercises are done or not.
The check cells are locked: you cannot edit or delete them.

## When a check fails

A check prints one line. On a wrong answer it names the case it tried, what it expected, what
your function returned and the likely mistake. When your own code raises an error (a `NameError`
from a typo, a `ZeroDivisionError`...), the line names the case, the error and your line that
raised it, for example ``at Cell In[12], line 4: `return total / count` ``: line 4 of the
cell whose prompt shows `[12]`. Fix your cell, run it again, then run the check again.

If a cell that is not a check fails (`ModuleNotFoundError: No module named 'dqn_lib'`, a missing
file), the setup is at fault, not your answers: the kernel must be the Python of the
repository's `.venv` (JupyterLab's "Python 3" kernel when `make student-lab` started it). Stop
JupyterLab and run `make student-lab` again from the repository's folder (it restores `data/`,
and updates `.venv` when the requirements changed). If that does not help, rebuild the
environment with `rm -rf .venv` then `make student-lab` (your lessons stay), or ask your
teacher.

## Where things come from

- `dqn_lib`, the course's library: the folder `dqn_lib/` of the repository, installed into
  `.venv` by `make student-lab` (`pip install -e .`). The lessons and the checks import it from
  there, whichever folder they run in.
- `data/`: a copy of the repository's `notebooks/data/` (the trained agent lesson 10 opens).
- The benchmark's results, which lessons 7, 9, 10 and 11 plot: `benchmarks/results/*.json` in the
  repository, found through the library.

## Starting a lesson over

`make student-lab` never overwrites a lesson that is already here. To start one over, or to take
a newer version after `git pull`, rename your copy (say `04_agent.ipynb` to `04_agent_mine.ipynb`)
or delete it, then run `make student-lab` again: it writes the missing lesson fresh. Do not run
`make student`: that is the teacher's command, and it rewrites every lesson, your answers lost.
This README and `data/` are rewritten on every run: keep your own notes in files of your own.
"""


README_JA = ROOT / "locale" / "ja" / "student_README.md"
"""The Japanese edition's README for ``student/ja/``: the one above, in Japanese (read only when
that edition is written)."""


def preprocessors() -> list:
    """nbgrader's preprocessors, configured as ``nbgrader generate_assignment`` configures them."""
    return [
        CheckCellMetadata(),
        LockCells(),  # grade and read-only cells locked; solution cells editable, not deletable
        ClearSolutions(enforce_metadata=True),
        ClearOutput(),
        ClearHiddenTests(enforce_metadata=True),
        ClearMarkScheme(enforce_metadata=True),
        ComputeChecksums(),
        CheckCellMetadata(),
    ]


def student_notebook(lesson: Path) -> nbformat.NotebookNode:
    """The student version of one lesson notebook."""
    notebook = nbformat.read(lesson, as_version=4)
    notebook.metadata.pop("dqn_course", None)  # the teacher's edition's code stamp
    notebook.metadata.pop("jupytext", None)  # no .py pairing in the student folder
    resources: dict = {"nbgrader": {"notebook": lesson.stem, "assignment": "dqn_course"}}
    for step in preprocessors():
        notebook, resources = step.preprocess(notebook, resources)
    nbformat.validate(notebook)
    return notebook


def make_student(
    out: Path, lessons: list[Path], keep: bool = False, readme: str = README
) -> list[Path]:
    """Write the student edition of ``lessons`` into ``out``; return the notebooks written.

    With ``keep``, a lesson already in ``out`` (a student's work) is left as it is.
    """
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson in lessons:
        target = out / lesson.name
        if keep and target.exists():
            continue
        text = nbformat.writes(student_notebook(lesson)) + "\n"
        write_atomically(target, text.encode())
        written.append(target)
    for extra in sorted(NOTEBOOKS.iterdir()):  # data the lessons read (e.g. a checkpoint)
        if extra.is_dir() and not extra.name.startswith((".", "__")) and extra.name != "ja":
            shutil.copytree(extra, out / extra.name, dirs_exist_ok=True)  # ja/ is an edition
    write_atomically(out / "README.md", readme.encode())
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "student", help="default: student/")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="leave the lessons already in the folder as they are (a student's answers)",
    )
    parser.add_argument("lessons", nargs="*", type=Path, help="default: every lesson")
    args = parser.parse_args()
    editions = [(args.out, args.lessons)]
    if not args.lessons:  # both editions: English in out/, Japanese in out/ja/
        editions = [
            (args.out, sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))),
            (args.out / "ja", sorted((NOTEBOOKS / "ja").glob("[0-9][0-9]_*.ipynb"))),
        ]
    for _, lessons in editions:
        for lesson in lessons:
            if lesson.suffix != ".ipynb" or not lesson.is_file():
                parser.error(f"expected a lesson notebook notebooks/NN_name.ipynb, got {lesson}")
    for out, lessons in editions:
        if lessons:
            japanese = lessons[0].parent.name == "ja"
            readme = README_JA.read_text(encoding="utf-8") if japanese else README
            _report(out, lessons, make_student(out, lessons, keep=args.keep, readme=readme))
    return 0


def _report(out: Path, lessons: list[Path], written: list[Path]) -> None:
    for path in written:
        print(f"wrote {path}")
    kept = [lesson.name for lesson in lessons if (out / lesson.name) not in written]
    if kept:
        print(f"kept (yours, not overwritten): {' '.join(kept)}")
        print("  to start a lesson over, rename or delete it and run this again")


if __name__ == "__main__":
    sys.exit(main())
