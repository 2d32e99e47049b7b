"""The lessons in a real browser, as a reader runs them: JupyterLab in Debian's chromium.

Every lesson already runs once, cell by cell, in a kernel (conftest.py). What only a browser can
show is kept here: the lessons whose widgets (sliders, buttons, progress bars, a live curve) must
render and respond, and the student edition opened from its own folder. For each such lesson:
open it in JupyterLab, "Restart Kernel and Run All Cells"
(confirming the dialog), wait until every cell has run, and fail on any error or stderr output,
a cell that did not run, a widget that failed to show, or a dialog left open. A screenshot of the
whole lesson goes to screenshots/NN_name.png (an ignored folder). An exception thrown in the page
fails the test too. In lessons with sliders (10 and 11) the first slider is moved, and the
outputs of its cell must change; that cell is saved as screenshots/NN_name_slider.png.

The Japanese edition is opened the way `make lab-ja` opens it (notebooks/ja/ as the root, the
interface in Japanese through its language pack and the project's settings file), its first
lesson run, the menus checked to be Japanese, and screenshots/ja_01_cartpole.png saved.

One JupyterLab serves a temporary copy of notebooks/ on 127.0.0.1 for the whole module: running
cells would otherwise rewrite the committed notebooks. It gets its own config, settings and
runtime folders (tests/browser_helpers.py), so the user's Jupyter setup plays no part.

The student edition is opened the way `make student-lab` opens it: tools/make_student.py writes
it into a folder of its own, and JupyterLab serves that folder as its root, so each lesson's
kernel runs there and finds dqn_lib installed in .venv and the checkpoint in data/. "Run All"
stops at the first failing cell; the test goes on from the cell after it ("Run Selected Cell and
All Below", as the student README says) until the lesson's end, and every stop must be an
exercise's check saying "not implemented yet" in one line.

Needs Debian's chromium (`bash tools/install_browser.sh`, which `make test` runs) and playwright
(requirements-dev.txt). Without them the test is skipped, with the reason, except in CI (the
environment variable CI set and not empty/0/false), where it fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser_helpers import (
    CHROMIUM_ARGS,
    JS_RUN_FINISHED,
    LabServer,
    find_chromium,
    full_screenshot,
    missing_browser_parts,
    move_first_slider,
    open_notebook,
    run_lesson,
    screenshot_slider_cell,
)

from conftest import LESSON_RUNS
from dqn_lib.parallel import RUN_CACHE

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "screenshots"
LESSONS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# Lessons 10 (inside the network) and 11 (the playground) are built around sliders.
SLIDER_LESSONS = ("10", "11")
# Lesson 11's widgets carry this CSS class; its first slider is the one moved.
PLAYGROUND = ".dqn-playground"
# One lesson's "Run All": lesson 10 trains for about a minute on an idle machine; the limit
# leaves room for a machine loaded by other work.
RUN_TIMEOUT_MS = 1_200_000
# The student edition, as `make student-lab` opens it: a quick lesson, and lesson 10, which reads
# data/cartpole_dqn.ckpt next to itself and the benchmark's results through dqn_lib, and whose
# scrubber's slider is moved there.
STUDENT_LESSONS = ("05_reward", "10_inside")
SLIDER_TIMEOUT_MS = 300_000  # after a slider moves, until the outputs show the change (loaded)
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


def skip_without_a_browser() -> None:
    missing = missing_browser_parts()
    if missing:
        needs = "; ".join(missing)
        if in_ci():
            pytest.fail(f"CI is set, so the browser test must run, but it needs {needs}")
        pytest.skip(f"browser test needs {needs}")


def japanese_font_config(folder: Path) -> Path:
    """A fontconfig file: the machine's own fonts plus IPAexGothic from matplotlib-fontja (a pip
    package the course already installs for its figures), so the Japanese lesson's screenshot
    shows Japanese text on a machine that has no Japanese font (a learner's browser has one)."""
    import matplotlib_fontja

    fonts = Path(matplotlib_fontja.__file__).parent / "fonts"
    assert (fonts / "ipaexg.ttf").is_file(), f"matplotlib-fontja's font is missing from {fonts}"
    config = folder / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return config


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """One chromium for the whole module: Playwright's sync API allows one running instance per
    thread, so the teacher's and the student's JupyterLab share it."""
    skip_without_a_browser()
    from playwright.sync_api import sync_playwright

    fonts = japanese_font_config(tmp_path_factory.mktemp("fontconfig"))
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=find_chromium(),
            args=CHROMIUM_ARGS,
            env={**os.environ, "FONTCONFIG_FILE": str(fonts)},
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    """A JupyterLab serving a copy of the lessons as its root, and the browser to drive it."""
    with LabServer(NOTEBOOKS, tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server, browser


# The lessons a browser has something to prove about: those with sliders or other widgets,
# except those the student edition's test below runs (and moves the slider of) already.
WIDGET_LESSONS = [
    lesson for lesson in LESSONS if has_slider(lesson) and lesson.stem not in STUDENT_LESSONS
]


@pytest.mark.parametrize("lesson", WIDGET_LESSONS, ids=[path.stem for path in WIDGET_LESSONS])
def test_lesson_runs_in_jupyterlab(lab, lesson: Path):
    server, browser = lab
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page_errors: list[str] = []
    page.on("pageerror", lambda error: _record_page_error(page_errors, str(error)))
    shot = SCREENSHOTS / f"{lesson.stem}.png"
    try:
        run_whole_lesson(page, server, lesson.name, lesson.stem, shot, page_errors)
        if has_slider(lesson):
            check_first_slider(page, lesson.stem, shot, page_errors)
    finally:
        page.close()
        server.shutdown_kernels()


def run_whole_lesson(page, server, notebook: str, label: str, shot: Path, page_errors) -> None:
    """Run every cell of ``notebook`` in JupyterLab, save the page to ``shot``, and fail on any
    cell's error or stderr and on any exception thrown in the page."""
    try:
        run = run_lesson(page, server, notebook, timeout_ms=RUN_TIMEOUT_MS)
    except Exception as error:  # a timeout, mostly: show the page and the server's log
        _try_screenshot(page, shot)
        pytest.fail(
            f"{label}: the run in JupyterLab did not finish: {error}\n"
            f"Screenshot: {shot}\nJupyterLab log:\n{server.log_tail()}\n"
            f"Errors in the page: {page_errors}"
        )
    full_screenshot(page, shot, WIDTH)
    assert run.code_cells > 0, f"{label}: no code cell found in JupyterLab"
    assert not run.problems, (
        f"{label} in JupyterLab ({run.seconds:.0f} s), screenshot {shot}:\n"
        + "\n\n".join(run.problems)
    )
    # An exception thrown in the page (a widget view that failed to render, say) shows no
    # error output in the notebook, but the reader's page is broken.
    assert not page_errors, f"{label}: errors thrown in the page: {page_errors}"


def check_first_slider(page, label: str, shot: Path, page_errors: list[str]) -> None:
    """Moves the lesson's first slider (the playground's, if there is one): it must exist, throw
    nothing in the page, and change an output; its cell is saved beside the lesson's screenshot
    as ..._slider.png."""
    moved = move_first_slider(page, PLAYGROUND, timeout_ms=SLIDER_TIMEOUT_MS)
    assert not page_errors, f"{label}: the slider threw in the page: {page_errors}"
    assert moved.found, f"{label}: no ipywidgets slider in the outputs ({shot})"
    screenshot_slider_cell(page, moved.selector, shot.with_name(f"{shot.stem}_slider.png"))
    assert moved.changed, (
        f"{label}: the slider moved ({moved.before_value!r} -> {moved.after_value!r}, by "
        f"{moved.how}) but no output changed within {SLIDER_TIMEOUT_MS // 1000} s"
    )


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


# --- The student edition, as `make student-lab` opens it ------------------------------------------


@pytest.fixture(scope="module")
def student_lab(browser, tmp_path_factory):
    edition = tmp_path_factory.mktemp("edition") / "student"
    lessons = [str(NOTEBOOKS / f"{lesson}.ipynb") for lesson in STUDENT_LESSONS]
    subprocess.run(  # as `make student-lab` runs it, into a folder of its own
        [sys.executable, str(ROOT / "tools" / "make_student.py"), "--keep", "--out", str(edition)]
        + lessons,
        check=True,
        capture_output=True,
        text=True,
    )
    # The student edition's training runs are the lesson's own (conftest.py keeps them).
    runs = {RUN_CACHE: os.environ[LESSON_RUNS]} if LESSON_RUNS in os.environ else {}
    workdir = tmp_path_factory.mktemp("jupyterlab-student")
    with LabServer(edition, workdir, environment=runs) as server:
        yield server, browser


# Starts a notebook command (run all, run all below) and records how its promise resolved; the
# wait is JS_RUN_FINISHED: the promise settled, the kernel idle, no cell waiting ([*]).
JS_START_COMMAND = """(command) => {
    window.__dqnRun = {done: false, error: null, result: null};
    window.jupyterapp.commands.execute(command).then(
        (result) => { window.__dqnRun = {done: true, error: null, result: String(result)}; },
        (reason) => { window.__dqnRun = {done: true, error: String(reason), result: null}; });
}"""

# Makes cell `index` the active (and only selected) one, as a click on it does.
JS_SELECT_CELL = """(index) => {
    const notebook = window.jupyterapp.shell.currentWidget.content;
    notebook.activeCellIndex = index;
    notebook.deselectAll();
}"""

# Every cell, read from the notebook model: its nbgrader metadata, count, errors and stderr.
JS_CELLS = """() => {
    const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
    const found = [];
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        const nbgrader = (cell.getMetadata ? cell.getMetadata('nbgrader') : null) || {};
        const item = {index: i, code: cell.type === 'code', grade: !!nbgrader.grade,
                      gradeId: nbgrader.grade_id || null, count: null, errors: [], stderr: []};
        if (item.code) {
            item.count = cell.executionCount === undefined ? null : cell.executionCount;
            for (let j = 0; j < cell.outputs.length; j++) {
                const out = cell.outputs.get(j).toJSON();
                if (out.output_type === 'error') {
                    item.errors.push({ename: out.ename, evalue: out.evalue,
                                      traceback: out.traceback || []});
                } else if (out.output_type === 'stream' && out.name === 'stderr') {
                    item.stderr.push([].concat(out.text).join(''));
                }
            }
        }
        found.push(item);
    }
    return found;
}"""


def run_command(page, command: str, timeout_ms: int) -> str:
    """Runs a notebook command and waits until every cell it started has run; its result."""
    page.evaluate(JS_START_COMMAND, command)
    page.wait_for_function(JS_RUN_FINISHED, timeout=timeout_ms, polling=500)
    run = page.evaluate("() => window.__dqnRun")
    assert not run["error"], f"{command} failed: {run['error']}"
    return run["result"]


def run_past_open_exercises(page, lesson: str, timeout_ms: int) -> list[dict]:
    """Runs every cell as a student does: Run All Cells, then, after each cell that stops the
    run, Run Selected Cell and All Below from the next cell, to the end; the cells as they end."""
    result = run_command(page, "notebook:run-all-cells", timeout_ms)
    stopped_at = -1
    while result != "true":
        cells = page.evaluate(JS_CELLS)
        failed = [c["index"] for c in cells if c["errors"] and c["index"] > stopped_at]
        assert failed, f"{lesson}: the run resolved {result} but no new cell shows an error"
        stopped_at = failed[0]
        if stopped_at + 1 >= len(cells):
            break
        page.evaluate(JS_SELECT_CELL, stopped_at + 1)
        result = run_command(page, "notebook:run-all-below", timeout_ms)
    return page.evaluate(JS_CELLS)


@pytest.mark.parametrize("lesson", STUDENT_LESSONS)
def test_student_lesson_in_jupyterlab_stops_only_at_open_exercises(student_lab, lesson: str):
    server, browser = student_lab
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page_errors: list[str] = []
    page.on("pageerror", lambda error: _record_page_error(page_errors, str(error)))
    shot = SCREENSHOTS / f"student_{lesson}.png"
    try:
        try:
            open_notebook(page, server, f"{lesson}.ipynb", timeout_ms=RUN_TIMEOUT_MS)
            cells = run_past_open_exercises(page, lesson, RUN_TIMEOUT_MS)
        except Exception as error:  # a timeout, mostly: show the page and the server's log
            _try_screenshot(page, shot)
            pytest.fail(
                f"student {lesson}: the run in JupyterLab did not finish: {error}\n"
                f"Screenshot: {shot}\nJupyterLab log:\n{server.log_tail()}\n"
                f"Errors in the page: {page_errors}"
            )
        full_screenshot(page, shot, WIDTH)
        code = [c for c in cells if c["code"]]
        assert code, f"student {lesson}: no code cell found in JupyterLab"
        never_ran = [c["index"] for c in code if not c["count"]]
        assert not never_ran, f"student {lesson}: cells that never ran: {never_ran}"
        stderr = [f"cell {c['index']}: {''.join(c['stderr'])[:500]}" for c in code if c["stderr"]]
        assert not stderr, f"student {lesson} wrote to stderr:\n" + "\n".join(stderr)
        stopped = set()
        for cell in (c for c in code if c["errors"]):
            (error,) = cell["errors"]
            where = f"student {lesson} cell {cell['index']} ({cell['gradeId']})"
            assert cell["grade"], (
                f"{where} failed but is not an exercise's check: {error['ename']}: "
                f"{error['evalue']}"
            )
            assert error["ename"] == "ExerciseError" and "not implemented yet" in error["evalue"], (
                f"{where}: expected 'not implemented yet', got {error['ename']}: {error['evalue']}"
            )
            assert len(error["traceback"]) == 1, f"{where} shows a traceback: {error['traceback']}"
            stopped.add(cell["gradeId"])
        checks = {c["gradeId"] for c in code if c["grade"]}
        assert checks and stopped == checks, (
            f"student {lesson}: checks that did not say 'not implemented': {checks - stopped}"
        )
        assert not page_errors, f"student {lesson}: errors thrown in the page: {page_errors}"
        dialogs = page.locator(".jp-Dialog")
        assert dialogs.count() == 0, (
            f"student {lesson}: a dialog is open: {dialogs.first.inner_text()}"
        )
        if has_slider(NOTEBOOKS / f"{lesson}.ipynb"):  # its widgets are proved here, not twice
            check_first_slider(page, f"student {lesson}", shot, page_errors)
    finally:
        page.close()
        server.shutdown_kernels()


# --- The Japanese edition, as `make lab-ja` opens it -------------------------------------------

JA_LESSON = "01_cartpole"
JA_SETTINGS = {
    "@jupyterlab/translation-extension/plugin.jupyterlab-settings": ROOT
    / "locale/ja/jupyterlab/translation.jupyterlab-settings"
}


@pytest.fixture(scope="module")
def japanese_lab(browser, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("jupyterlab-ja")
    with LabServer(NOTEBOOKS / "ja", workdir, settings_files=JA_SETTINGS) as server:
        yield server, browser


def test_japanese_lesson_runs_in_japanese_jupyterlab(japanese_lab):
    server, browser = japanese_lab
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    page_errors: list[str] = []
    page.on("pageerror", lambda error: _record_page_error(page_errors, str(error)))
    shot = SCREENSHOTS / f"ja_{JA_LESSON}.png"
    try:
        run_whole_lesson(page, server, f"{JA_LESSON}.ipynb", f"ja {JA_LESSON}", shot, page_errors)
        menus = page.locator("#jp-menu-panel").inner_text()
        assert "ファイル" in menus, f"JupyterLab's menus are not in Japanese: {menus!r} ({shot})"
    finally:
        page.close()
        server.shutdown_kernels()
