"""Every lesson in a real browser, as a reader runs it: JupyterLab in Debian's chromium.

For each notebooks/NN_name.ipynb: open it in JupyterLab, "Restart Kernel and Run All Cells"
(confirming the dialog), wait until every cell has run, and fail on any error or stderr output,
a cell that did not run, a widget that failed to show, or a dialog left open. A screenshot of the
whole lesson goes to screenshots/NN_name.png (an ignored folder). An exception thrown in the page
fails the test too. In lessons with sliders (09 and 10 always) the first slider is moved, and the
outputs of its cell must change; that cell is saved as screenshots/NN_name_slider.png.

One JupyterLab serves a temporary copy of notebooks/ on 127.0.0.1 for the whole module: running
cells would otherwise rewrite the committed notebooks. It gets its own config, settings and
runtime folders (tests/browser_helpers.py), so the user's Jupyter setup plays no part.

Needs Debian's chromium (`bash tools/install_browser.sh`, which `make test` runs) and playwright
(requirements-dev.txt). Without them the test is skipped, with the reason, except in CI (the
environment variable CI set and not empty/0/false), where it fails.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from browser_helpers import (
    CHROMIUM_ARGS,
    LabServer,
    find_chromium,
    full_screenshot,
    missing_browser_parts,
    move_first_slider,
    run_lesson,
    screenshot_slider_cell,
)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "screenshots"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# Lessons 9 (inside the network) and 10 (the playground) are built around sliders.
SLIDER_LESSONS = ("09", "10")
# Lesson 10's widgets carry this CSS class; its first slider is the one moved.
PLAYGROUND = ".dqn-playground"
RUN_TIMEOUT_MS = 420_000  # one lesson's "Run All"; lessons 5 and 6 train for 50-90 s
SLIDER_TIMEOUT_MS = 90_000  # after a slider moves, until the outputs show the change
WIDTH = 1280


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def has_slider(lesson: Path) -> bool:
    """09 and 10 by name; any other lesson whose code makes a slider or calls `interact`."""
    if lesson.name[:2] in SLIDER_LESSONS:
        return True
    notebook = json.loads(lesson.read_text())
    code = "\n".join(
        "".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"
    )
    return re.search(r"Slider\(|\binteract(ive)?\b", code) is not None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    missing = missing_browser_parts()
    if missing:
        needs = "; ".join(missing)
        if in_ci():
            pytest.fail(f"CI is set, so the browser test must run, but it needs {needs}")
        pytest.skip(f"browser test needs {needs}")
    from playwright.sync_api import sync_playwright

    workdir = tmp_path_factory.mktemp("jupyterlab")
    with LabServer(NOTEBOOKS, workdir) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            yield server, browser
        finally:
            browser.close()


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.stem for path in LESSONS])
def test_lesson_runs_in_jupyterlab(lab, lesson: Path):
    server, browser = lab
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page_errors: list[str] = []
    page.on("pageerror", lambda error: _record_page_error(page_errors, str(error)))
    shot = SCREENSHOTS / f"{lesson.stem}.png"
    try:
        try:
            run = run_lesson(page, server, lesson.name, timeout_ms=RUN_TIMEOUT_MS)
        except Exception as error:  # a timeout, mostly: show the page and the server's log
            _try_screenshot(page, shot)
            pytest.fail(
                f"{lesson.stem}: the run in JupyterLab did not finish: {error}\n"
                f"Screenshot: {shot}\nJupyterLab log:\n{server.log_tail()}\n"
                f"Errors in the page: {page_errors}"
            )
        full_screenshot(page, shot, WIDTH)
        assert run.code_cells > 0, f"{lesson.stem}: no code cell found in JupyterLab"
        assert not run.problems, (
            f"{lesson.stem} in JupyterLab ({run.seconds:.0f} s), screenshot {shot}:\n"
            + "\n\n".join(run.problems)
        )
        # An exception thrown in the page (a widget view that failed to render, say) shows no
        # error output in the notebook, but the reader's page is broken.
        assert not page_errors, f"{lesson.stem}: errors thrown in the page: {page_errors}"
        if has_slider(lesson):
            moved = move_first_slider(page, PLAYGROUND, timeout_ms=SLIDER_TIMEOUT_MS)
            assert not page_errors, f"{lesson.stem}: the slider threw in the page: {page_errors}"
            assert moved.found, f"{lesson.stem}: no ipywidgets slider in the outputs ({shot})"
            screenshot_slider_cell(
                page, moved.selector, shot.with_name(f"{lesson.stem}_slider.png")
            )
            assert moved.changed, (
                f"{lesson.stem}: the slider moved ({moved.before_value!r} -> "
                f"{moved.after_value!r}, by {moved.how}) but no output changed within "
                f"{SLIDER_TIMEOUT_MS // 1000} s"
            )
    finally:
        page.close()
        server.shutdown_kernels()


# Chromium reports a ResizeObserver that could not deliver every notification within one frame
# as a page error; it is a layout timing note, harmless, and JupyterLab's panels trigger it.
BENIGN_PAGE_ERRORS = ("ResizeObserver loop",)


def _record_page_error(errors: list[str], error: str) -> None:
    if not error.startswith(BENIGN_PAGE_ERRORS):
        errors.append(error)


def _try_screenshot(page, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
    except Exception:
        pass


def test_the_browser_test_catches_a_failing_cell_and_a_slider_that_changes_nothing(lab):
    """The checks above can fail: a notebook whose second cell raises, and whose slider moves
    without changing anything in its cell, served next to the lessons."""
    import nbformat

    server, browser = lab
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import ipywidgets\nipywidgets.IntSlider(value=3, min=0, max=10)"
            ),
            nbformat.v4.new_code_cell("raise ValueError('a broken cell')"),
            nbformat.v4.new_code_cell("print('never runs')"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    nbformat.write(notebook, server.root / "zz_broken.ipynb")
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    try:
        run = run_lesson(page, server, "zz_broken.ipynb", timeout_ms=120_000)
        problems = "\n".join(run.problems)
        assert "ValueError: a broken cell" in problems
        assert "code cells that did not run: 2" in problems
        assert "resolved with false instead of true" in problems
        moved = move_first_slider(page, None, timeout_ms=3_000)
        assert moved.found and moved.before_value != moved.after_value, moved
        assert not moved.changed, "a slider that drives nothing must not count as a change"
    finally:
        page.close()
        server.shutdown_kernels()
