"""The README's results table is the one the committed benchmark JSON gives."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("results_table", ROOT / "tools" / "results_table.py")
results_table = importlib.util.module_from_spec(spec)
spec.loader.exec_module(results_table)


@pytest.mark.slow
def test_readme_results_table_matches_the_benchmark_json():
    readme = (ROOT / "README.md").read_text()
    expected = results_table.replace_section(readme, results_table.table())
    assert readme == expected, (
        "README.md's results differ from benchmarks/results/*.json. Regenerate them: "
        ".venv/bin/python tools/results_table.py --write README.md"
    )


def test_readme_picture_is_a_small_animated_gif():
    from PIL import Image

    path = ROOT / "docs" / "balancing.gif"
    assert "docs/balancing.gif" in (ROOT / "README.md").read_text()
    with Image.open(path) as image:
        assert image.format == "GIF" and image.n_frames > 200
    assert path.stat().st_size < 500_000
