"""The stamp that ties a notebook's committed outputs to the code that produced them.

Shared by tools/build_outputs.py (which writes it) and tests/test_notebook_hygiene.py (which
checks it): a notebook whose code cells changed after its outputs were built fails the test.
"""

from __future__ import annotations

import hashlib

import nbformat

STAMP_KEY = "dqn_course"


def code_hash(notebook: nbformat.NotebookNode) -> str:
    """SHA-256 of the notebook's code cells, in order."""
    digest = hashlib.sha256()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode())
            digest.update(b"\0")
    return digest.hexdigest()
