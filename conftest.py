"""Test-session rules shared by every test.

nbval in lax mode compares no outputs, so a lesson cell that prints a warning or any other text
to stderr would pass unnoticed. The hook below fails such a cell and shows what it wrote.
"""

from __future__ import annotations

import pytest


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
