"""What tests/test_browser.py needs to drive JupyterLab in a real browser.

- `find_chromium` / `missing_browser_parts`: is Debian's chromium there, and playwright?
- `LabServer`: a JupyterLab on 127.0.0.1 serving a *temporary copy* of the lessons, with its own
  config, settings, workspace, data and runtime folders, so that neither the committed notebooks
  nor the user's Jupyter setup is touched or used.
- `run_lesson`: opens one notebook, restarts its kernel and runs every cell (JupyterLab's own
  "Restart Kernel and Run All Cells", with its confirmation dialog), then reports every error
  and stderr output, read from the notebook model and from the page.
- `move_first_slider`: moves the first ipywidgets slider with the keyboard (a mouse drag if the
  keys do nothing) and tells whether the outputs of its cell changed.

Nothing here imports playwright at module level: without it the test must still collect, to skip
(outside CI) or fail (in CI) with a clear message.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# The server is on 127.0.0.1: never ask it through an http_proxy the environment may set.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# Debian's chromium: /usr/bin/chromium is a wrapper script; playwright wants the real binary.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
# As root, in a closed network: no sandbox (needs user namespaces), no GPU, no calls home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# JupyterLab extensions that the learners' environment (requirements.txt) does not have: nbgrader
# (and the notebook 7 it pulls in) come with requirements-dev.txt for maintainers only.
DISABLED_LAB_EXTENSIONS = ["@jupyter/nbgrader", "@jupyter-notebook/lab-extension"]
DISABLED_SERVER_EXTENSIONS = [
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.validate_assignment",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
]
# User settings for the test server (JupyterLab's settings folder layout).
LAB_SETTINGS = {
    # No "Jupyter news" or update toasts over the notebook (and no calls to the internet).
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Render every cell, not only those in view, so that the page holds every output
    # (and no blank "scroll past the end" space at the bottom of the screenshots).
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "scrollPastEnd": False,
    },
    # The served copy is thrown away; saving it would only cost time.
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def missing_browser_parts() -> list[str]:
    """What the browser test lacks here, each with how to get it; empty when all is there."""
    missing = []
    if find_chromium() is None:
        missing.append("Debian's chromium (/usr/bin/chromium): run `bash tools/install_browser.sh`")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright: run `make test` (it installs requirements-dev.txt)")
    return missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_json(path: Path, content) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=1))


@dataclass
class LabServer:
    """A JupyterLab serving a copy of `notebooks` from `workdir`; use as a context manager."""

    notebooks: Path
    workdir: Path
    port: int = field(default_factory=free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen | None = None
    settings_files: dict[str, Path] = field(default_factory=dict)
    """More settings, as ``make lab-ja`` gives them: a settings path -> the file to copy there."""
    environment: dict[str, str] = field(default_factory=dict)
    """More environment variables for the server and its kernels."""

    @property
    def root(self) -> Path:
        return self.workdir / "notebooks"

    @property
    def log_path(self) -> Path:
        return self.workdir / "jupyterlab.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lab_url(self, notebook: str, workspace: str) -> str:
        # A workspace of its own per lesson: no notebook (and no kernel) of an earlier lesson
        # is restored next to it.
        return (
            f"{self.base_url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={self.token}"
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def _prepare(self) -> dict[str, str]:
        # The lessons (and their data folder) are copied: "Run All" and any save would rewrite
        # the served files, and the committed notebooks must stay as they are.
        shutil.copytree(
            self.notebooks,
            self.root,
            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"),
        )
        config = self.workdir / "config"
        settings = self.workdir / "settings"
        write_json(
            config / "labconfig" / "page_config.json",
            {"disabledExtensions": {name: True for name in DISABLED_LAB_EXTENSIONS}},
        )
        write_json(
            config / "jupyter_server_config.json",
            {
                "ServerApp": {
                    "jpserver_extensions": dict.fromkeys(DISABLED_SERVER_EXTENSIONS, False)
                }
            },
        )
        for relative, content in LAB_SETTINGS.items():
            write_json(settings / relative, content)
        for relative, source in self.settings_files.items():
            (settings / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, settings / relative)
        env = {**os.environ, **self.environment}
        env.update(
            JUPYTER_CONFIG_DIR=str(config),
            JUPYTER_DATA_DIR=str(self.workdir / "data"),
            JUPYTER_RUNTIME_DIR=str(self.workdir / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.workdir / "workspaces"),
            IPYTHONDIR=str(self.workdir / "ipython"),
            MPLCONFIGDIR=str(self.workdir / "matplotlib"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
        )
        env.pop("MPLBACKEND", None)  # the lessons' plots must be the notebook's inline ones
        return env

    def start(self, timeout: float = 90) -> None:
        env = self._prepare()
        command = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"JupyterLab exited with code {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with _LOCAL.open(self.api_request("status"), timeout=5):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{self.log_tail()}")

    def api_request(self, path: str, method: str = "GET") -> urllib.request.Request:
        return urllib.request.Request(
            f"{self.base_url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )

    def shutdown_kernels(self) -> None:
        """Ends every session (and its kernel): one lesson's kernel must not outlive its test."""
        try:
            with _LOCAL.open(self.api_request("sessions"), timeout=10) as answer:
                sessions = json.load(answer)
            for session in sessions:
                request = self.api_request(f"sessions/{session['id']}", method="DELETE")
                with _LOCAL.open(request, timeout=30):
                    pass
        except (urllib.error.URLError, OSError):
            pass

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()  # JupyterLab shuts its kernels down on SIGTERM
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.process = None

    def __enter__(self) -> LabServer:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# --- In the page -------------------------------------------------------------------------------

# The notebook panel, once its file is loaded and its kernel has started.
JS_NOTEBOOK_READY = """() => {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return false;
    if (!panel.context.isReady) return false;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}"""

# Starts "Restart Kernel and Run All Cells"; its promise resolves once every cell has run, with
# NotebookActions.runCells' result: true when every cell ran without error, false when one
# failed, undefined when the restart was declined (JupyterLab 4.6).
JS_START_RESTART_RUN_ALL = """() => {
    window.__dqnRun = {done: false, error: null, result: null};
    window.jupyterapp.commands.execute('notebook:restart-run-all').then(
        (result) => { window.__dqnRun = {done: true, error: null, result: String(result)}; },
        (reason) => { window.__dqnRun = {done: true, error: String(reason), result: null}; });
}"""

# Every cell has run: the command finished, no cell waits ([*]), and the kernel is idle.
JS_RUN_FINISHED = """() => {
    if (!window.__dqnRun || !window.__dqnRun.done) return false;
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (!kernel || kernel.status !== 'idle') return false;
    const prompts = document.querySelectorAll('.jp-Notebook .jp-InputArea-prompt');
    return !Array.from(prompts).some((p) => p.textContent.includes('*'));
}"""

# Problems read from the notebook model (what would be saved) and from the page (what shows).
JS_PROBLEMS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = panel.content.model.cells;
    const problems = [];
    let codeCells = 0, notRun = [];
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        codeCells += 1;
        if (cell.executionCount === null || cell.executionCount === undefined) notRun.push(i);
        for (let j = 0; j < cell.outputs.length; j++) {
            const out = cell.outputs.get(j).toJSON();
            if (out.output_type === 'error') {
                const tb = (out.traceback || []).join('\\n').replace(/\\u001b\\[[0-9;]*m/g, '');
                problems.push(`cell ${i}: ${out.ename}: ${out.evalue}\\n${tb}`);
            } else if (out.output_type === 'stream' && out.name === 'stderr') {
                problems.push(`cell ${i} wrote to stderr: ${out.text}`);
            }
        }
    }
    if (notRun.length) problems.push(`code cells that did not run: ${notRun.join(', ')}`);
    const counts = [];
    for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type === 'code' && cell.executionCount) counts.push(cell.executionCount);
    }
    if (counts.some((c, k) => c !== k + 1)) {
        problems.push(`execution counts are not 1..N (no fresh kernel?): ${counts.join(' ')}`);
    }
    if (!problems.length) {  // the page, as a second look: what the reader sees
        for (const node of document.querySelectorAll(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) {
            problems.push('on the page, an error/stderr output: ' + node.innerText.slice(0, 2000));
        }
    }
    for (const node of document.querySelectorAll('.jp-OutputArea-output')) {
        const text = node.innerText || '';
        if (text.includes('Error displaying widget') || text.includes('Failed to display')) {
            problems.push('on the page, a widget failed to show: ' + text.slice(0, 500));
        }
    }
    for (const node of document.querySelectorAll('.jp-Dialog')) {
        problems.push('a dialog is open: ' + node.innerText.slice(0, 1000));
    }
    return {codeCells, problems, run: window.__dqnRun};
}"""

# Height of the whole notebook, to size the page for a screenshot of every cell.
JS_NOTEBOOK_HEIGHT = """() => {
    const app = window.jupyterapp;
    app.shell.collapseLeft();
    app.shell.collapseRight();
    const panel = app.shell.currentWidget.node;
    const outer =
        panel.querySelector('.jp-WindowedPanel-outer') || panel.querySelector('.jp-Notebook');
    const chrome = window.innerHeight - outer.clientHeight;
    return Math.ceil(outer.scrollHeight + chrome + 40);
}"""

# A fingerprint of what the outputs of one cell show, sliders (and their readouts) left out:
# called on the slider, it reads the cell that holds it.
JS_OUTPUT_FINGERPRINT = """(slider) => {
    const root = slider.closest('.jp-Cell');
    if (!root) return null;
    const parts = [];
    for (const node of root.querySelectorAll('.jp-OutputArea-output')) {
        const copy = node.cloneNode(true);
        for (const s of copy.querySelectorAll('.widget-slider, .widget-hslider, .widget-vslider')) {
            s.remove();
        }
        parts.push(copy.textContent);
        for (const img of copy.querySelectorAll('img')) parts.push(img.getAttribute('src'));
    }
    for (const canvas of root.querySelectorAll('.jp-OutputArea-output canvas')) {
        try { parts.push(canvas.toDataURL()); } catch (e) {}
    }
    return parts.join('\\u0000');
}"""

SLIDER_SELECTOR = ".jp-OutputArea-output .widget-slider"


@dataclass
class LessonRun:
    code_cells: int
    problems: list[str]
    seconds: float


def open_notebook(page, server: LabServer, notebook: str, timeout_ms: int) -> None:
    workspace = "t" + secrets.token_hex(4)
    page.goto(server.lab_url(notebook, workspace), wait_until="domcontentloaded")
    page.wait_for_function(JS_NOTEBOOK_READY, timeout=timeout_ms, polling=250)


def restart_and_run_all(page, timeout_ms: int) -> None:
    """JupyterLab's "Restart Kernel and Run All Cells", confirming its dialog like a reader."""
    page.evaluate(JS_START_RESTART_RUN_ALL)
    accept = page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept")
    accept.wait_for(state="visible", timeout=30_000)
    accept.click()
    page.wait_for_function(JS_RUN_FINISHED, timeout=timeout_ms, polling=500)


def run_lesson(page, server: LabServer, notebook: str, timeout_ms: int) -> LessonRun:
    start = time.monotonic()
    open_notebook(page, server, notebook, timeout_ms=120_000)
    restart_and_run_all(page, timeout_ms)
    page.wait_for_timeout(500)  # let the last outputs (images, widgets) render
    found = page.evaluate(JS_PROBLEMS)
    problems = list(found["problems"])
    run = found["run"] or {}
    if run.get("error"):
        problems.append(f"'Restart Kernel and Run All Cells' failed: {run['error']}")
    elif run.get("result") != "true":
        problems.append(
            "'Restart Kernel and Run All Cells' resolved with "
            f"{run.get('result')} instead of true (false: a cell failed; undefined: no restart)"
        )
    return LessonRun(found["codeCells"], problems, time.monotonic() - start)


def full_screenshot(page, path: Path, width: int, max_height: int = 30_000) -> None:
    """The whole notebook in one PNG: the page is made as tall as the notebook first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = min(max(page.evaluate(JS_NOTEBOOK_HEIGHT), 800), max_height)
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(1000)  # relayout, and images decode
    page.screenshot(path=str(path), full_page=True)


@dataclass
class SliderMove:
    found: bool
    changed: bool = False
    how: str = ""
    before_value: str = ""
    after_value: str = ""
    selector: str = ""


def move_first_slider(page, scope: str | None, timeout_ms: int = 60_000) -> SliderMove:
    """Moves the first slider (inside `scope` if that CSS selector matches) and waits until the
    outputs of the slider's own cell, sliders left out, differ from before."""
    selector = SLIDER_SELECTOR
    if scope and page.locator(f"{scope} .widget-slider").count():
        selector = f"{scope} .widget-slider"
    slider = page.locator(selector).first
    try:  # widget views render after the cell's output arrives: give them time on a slow machine
        slider.wait_for(state="visible", timeout=timeout_ms)
    except Exception:  # playwright's TimeoutError: no slider showed
        return SliderMove(found=False, selector=selector)
    slider.scroll_into_view_if_needed()
    readout = slider.locator(".widget-readout")

    def value() -> str:
        if readout.count():
            return (
                readout.first.input_value()
                if _is_input(readout.first)
                else readout.first.inner_text()
            )
        return ""

    def fingerprint() -> str | None:
        return slider.evaluate(JS_OUTPUT_FINGERPRINT)

    before = fingerprint()
    if before is None:
        return SliderMove(found=False, selector=selector)
    before_value = value()
    handle = slider.locator(".noUi-handle").first
    attempts = []

    def changed_within(ms: int) -> bool:
        return _within(page, ms, lambda: fingerprint() != before)

    def value_moved_within(ms: int) -> bool:
        return _within(page, ms, lambda: value() != before_value)

    # 1) The keyboard: focus the handle, one step to the right (the left at the maximum).
    handle.focus()
    handle.press("ArrowRight")
    if not value_moved_within(2_000):  # at the maximum: step left instead
        handle.press("ArrowLeft")
        handle.press("ArrowLeft")
        value_moved_within(2_000)
    attempts.append("keyboard")
    if value() != before_value and changed_within(timeout_ms):
        return SliderMove(True, True, "keyboard", before_value, value(), selector)
    # 2) The mouse: drag the handle a third of the track to the right (or left).
    box = handle.bounding_box()
    track = slider.locator(".noUi-target, .slider").first.bounding_box()
    if box and track:
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        target = x + track["width"] / 3
        if target > track["x"] + track["width"]:
            target = x - track["width"] / 3
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(target, y, steps=8)
        page.mouse.up()
        attempts.append("drag")
        if changed_within(timeout_ms):
            return SliderMove(True, True, "drag", before_value, value(), selector)
    return SliderMove(True, False, "+".join(attempts), before_value, value(), selector)


def _within(page, ms: int, condition) -> bool:
    """Whether ``condition()`` becomes true within ``ms`` milliseconds, asked every 100 ms."""
    deadline = time.monotonic() + ms / 1000
    while time.monotonic() < deadline:
        if condition():
            return True
        page.wait_for_timeout(100)
    return False


def _is_input(locator) -> bool:
    return locator.evaluate("(n) => n.tagName === 'INPUT' || n.tagName === 'TEXTAREA'")


def screenshot_slider_cell(page, selector: str, path: Path) -> None:
    """The cell that holds the first slider, as it looks after the move."""
    cell = page.locator(selector).first.locator(
        "xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' jp-Cell ')][1]"
    )
    target = cell if cell.count() else page.locator(selector).first
    target.screenshot(path=str(path))
