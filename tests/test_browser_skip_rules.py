"""The browser test is skipped only outside CI, with its reason; in CI a missing part fails it.

Each case runs tests/test_browser.py (one lesson) in a fresh pytest whose `import playwright`
fails, as on a machine where requirements-dev.txt was never installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Each test here runs a subprocess or a kernel: the slow tier.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def run_browser_test_without_playwright(
    tmp_path: Path, ci: str | None
) -> subprocess.CompletedProcess:
    fake = tmp_path / "no_playwright" / "playwright"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("playwright is hidden by this test")\n')
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(fake.parent), env.get("PYTHONPATH")]))
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_browser.py", "-k", "11_playground", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_outside_ci_a_missing_playwright_skips_with_the_reason(tmp_path):
    result = run_browser_test_without_playwright(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    # (where chromium is missing too, the reason names it first: both parts are listed)
    assert "browser test needs" in result.stdout
    assert "playwright: run `make test`" in result.stdout


@pytest.mark.parametrize("ci", ["1", "true"])
def test_in_ci_a_missing_playwright_fails(tmp_path, ci):
    result = run_browser_test_without_playwright(tmp_path, ci=ci)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "CI is set, so the browser test must run, but it needs" in result.stdout
    assert "playwright: run `make test`" in result.stdout
