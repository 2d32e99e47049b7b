"""Rebuild the committed outputs of the lessons from one clean run of their current code.

    .venv/bin/python tools/build_outputs.py                       # every lesson, both editions
    .venv/bin/python tools/build_outputs.py notebooks/04_agent.py # one lesson

The percent-format ``.py`` of a lesson is the source: it is read with jupytext, executed top to
bottom in a fresh kernel (nbclient, no timing metadata, so execution counts run 1..N and diffs
carry no timestamps), stamped with the hash of its code cells, and written to the ``.ipynb``
atomically; the ``.py`` is then rewritten from the result so the pair is byte-for-byte in sync.
A lesson whose run writes to stderr or raises is not written, and the script exits non-zero.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from jupytext.config import load_jupytext_config
from nbclient import NotebookClient

from dqn_lib.files import write_atomically

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_stamp import STAMP_KEY, code_hash  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def stderr_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """Every stderr text in the notebook's outputs, with its cell number."""
    found = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                found.append(f"cell {number}: {output['text'][:300]}")
    return found


def build(source: Path, timeout: int) -> float:
    """Execute one lesson and write its pair; return the seconds it took."""
    config = load_jupytext_config(str(source))
    notebook = jupytext.read(source, config=config)
    for number, cell in enumerate(notebook.cells):
        cell.id = f"cell-{number}"  # stable ids: a rebuild with no change leaves the file alone
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(source.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    problems = stderr_outputs(notebook)
    if problems:
        raise RuntimeError(f"{source.name} wrote to stderr:\n" + "\n".join(problems))
    notebook.metadata[STAMP_KEY] = {"code_sha256": code_hash(notebook)}
    write_atomically(source.with_suffix(".ipynb"), (nbformat.writes(notebook) + "\n").encode())
    write_atomically(source, jupytext.writes(notebook, fmt="py:percent", config=config).encode())
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", type=Path, help="lesson .py files (default: all)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    args = parser.parse_args()
    lessons = [p.with_suffix(".py") for p in args.lessons] or [
        *sorted(NOTEBOOKS.glob("[0-9]*.py")),
        *sorted((NOTEBOOKS / "ja").glob("[0-9]*.py")),  # the Japanese edition (tools/i18n.py)
    ]
    failed = False
    for lesson in lessons:
        try:
            seconds = build(lesson.resolve(), args.timeout)
        except Exception as error:  # report every lesson, then fail
            print(f"FAILED {lesson}: {error}", file=sys.stderr)
            failed = True
        else:
            print(f"built {lesson} in {seconds:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
