"""benchmarks/solve.py: the protocol's arithmetic, and one short end-to-end run."""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("solve", ROOT / "benchmarks" / "solve.py")
solve = importlib.util.module_from_spec(spec)
spec.loader.exec_module(solve)


def test_parse_seeds():
    assert solve.parse_seeds("0-3") == [0, 1, 2, 3]
    assert solve.parse_seeds("0,5,7-8") == [0, 5, 7, 8]
    with pytest.raises(argparse.ArgumentTypeError, match="seeds look like 0-9"):
        solve.parse_seeds("a-b")


def test_parse_override_reads_literals_and_words():
    assert solve.parse_override("gamma=0.98") == ("gamma", 0.98)
    assert solve.parse_override("hidden=(32, 32)") == ("hidden", (32, 32))
    assert solve.parse_override("target_update=hard") == ("target_update", "hard")
    with pytest.raises(argparse.ArgumentTypeError, match="key=value"):
        solve.parse_override("gamma")


def record(seed, solved_step, evals):
    return {
        "seed": seed,
        "solved_step": solved_step,
        "solved_seconds": 1.5 if solved_step else None,
        "final_eval": evals[-1],
        "stays_solved": sum(e >= 475 for e in evals[-5:]) / 5,
    }


def test_summary_counts_solved_seeds_and_last_evaluations():
    records = [
        record(0, 4000, [100, 500, 500, 500, 500, 480]),
        record(1, None, [10, 20, 30, 40, 50, 60]),
    ]
    text = solve.summarise(records)
    assert "solved: 1/2 seeds" in text
    assert "median steps to solve: 4,000" in text
    assert "last 5 evaluations >= 475: 50%" in text


@pytest.mark.slow
def test_end_to_end_one_short_seed(tmp_path):
    out = tmp_path / "results.json"
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "solve.py"),
        "--preset",
        "online",
        "--seeds",
        "0,1",
        "--workers",
        "2",
        "--budget",
        "10000",
        "--out",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=1800)
    assert "solved:" in result.stdout
    first, second = json.loads(out.read_text())
    assert (first["seed"], second["seed"]) == (0, 1) and first["preset"] == "online"
    assert first["settings"]["buffer_size"] == 1 and first["workers"] == 2
    entry = first
    for key in (
        "final_100",
        "perturbed_100",
        "wide_perturbed_100",
        "seed",
        "solved_step",
        "solved_seconds",
        "final_eval",
        "stays_solved",
        "evals",
        "versions",
        "command",
        "settings",
    ):
        assert key in entry, f"record lacks {key!r}"
    assert [e[0] for e in entry["evals"]] == [2000, 4000, 6000, 8000, 10000]
    assert entry["versions"]["torch"].startswith("2.13.0")


@pytest.mark.slow
def test_budget_too_small_is_refused():
    command = [sys.executable, str(ROOT / "benchmarks" / "solve.py"), "--budget", "3000"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 2 and "--budget must be at least 10000" in result.stderr


@pytest.mark.slow
def test_unknown_preset_is_refused_with_the_choices():
    command = [sys.executable, str(ROOT / "benchmarks" / "solve.py"), "--preset", "dobule"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice: 'dobule'" in result.stderr
    assert "double" in result.stderr


def test_every_committed_result_is_a_preset_run_with_final_evaluations():
    """The README's ladder comes from these files: each one a preset (or the original agent),
    ten seeds, the final evaluations on new and perturbed starts present."""
    from dqn_lib.presets import PRESETS

    for path in sorted((ROOT / "benchmarks" / "results").glob("*.json")):
        records = json.loads(path.read_text())
        assert [r["seed"] for r in records] == list(range(10)), path.name
        name = records[0]["preset"] or "original"
        assert path.stem == name and (name in PRESETS or name == "original"), path.name
        for record in records:
            assert 0 <= record["perturbed_100"] <= 500 and 0 <= record["final_100"] <= 500
            assert f"--preset {name}" in record["command"] or name == "original"
