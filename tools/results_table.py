"""Turn the solve benchmark's JSON files into the README's ladder table, with interval estimates.

    .venv/bin/python tools/results_table.py                    # print the table
    .venv/bin/python tools/results_table.py --write README.md  # put it in the README

With ``--write`` the table replaces what stands between the README's results markers, so the
numbers in the README are always the ones in the committed JSON (a test checks it).

Interval estimates come from rliable (Agarwal et al., 2021): the interquartile mean (IQM, the
mean of the middle 50% of seeds) with a 95% stratified-bootstrap confidence interval, a fixed
bootstrap seed so the table repeats exactly.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from dqn_lib.stats import BOOTSTRAP_REPS, iqm_interval

START, END = "<!-- results:start -->", "<!-- results:end -->"
RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
RUNS = {
    "online.json": "`online`: a batch of one, no replay, no target network",
    "replay.json": "`replay`: + experience replay",
    "target.json": "`target`: + a target network",
    "double.json": "`double`: + Double DQN (**the course's DQN**)",
    "small_buffer.json": "`small_buffer`: replay with a buffer of one batch",
    "constant_lr.json": "`constant_lr`: double, learning rate constant",
    "narrow.json": "`narrow`: double, the original's 32-32 network",
    "gamma_0.98.json": "`gamma_0.98`: double, gamma 0.98",
    "shaped.json": "`shaped`: double on the shaped reward",
    "reset_starts.json": "`reset_starts`: double without exploring starts",
}
"""The runs in the README's table, in order, with what each one is."""


def _estimate(values: list[float], digits: int = 0) -> str:
    point, low, high = iqm_interval(values)
    return f"{point:,.{digits}f} [{low:,.{digits}f}, {high:,.{digits}f}]"


def row(label: str, records: list[dict]) -> str:
    budget = records[0]["budget"]
    solved = [r["solved_step"] for r in records if r["solved_step"] is not None]
    steps = [r["solved_step"] if r["solved_step"] is not None else budget for r in records]
    cells = [
        label,
        f"`{records[0]['reward']}`",
        f"{len(solved)}/{len(records)}",
        f"{statistics.median(solved):,.0f}" if solved else "-",
        _estimate(steps),
        f"{statistics.mean(r['stays_solved'] for r in records):.0%}",
        _estimate([r["final_100"] for r in records]),
        _estimate([r["perturbed_100"] for r in records]),
        _estimate([r["wide_perturbed_100"] for r in records]),
    ]
    return "| " + " | ".join(cells) + " |"


def table(folder: Path = RESULTS) -> str:
    runs = {
        label: json.loads((folder / name).read_text())
        for name, label in RUNS.items()
        if (folder / name).exists()
    }
    header = (
        "| run | reward | seeds solved | median steps to solve | IQM steps to solve "
        "(unsolved = budget) | last 5 evaluations >= 475 | IQM return, 100 new starts | "
        "IQM return, perturbed starts (cart +-1 m) | IQM return, wide starts (cart +-1.8 m) |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    lines = [header, *(row(label, records) for label, records in runs.items())]
    lines.append("")
    lines.append(
        "IQM: interquartile mean over the seeds, with a 95% stratified-bootstrap confidence "
        f"interval in brackets (rliable, {BOOTSTRAP_REPS:,} resamples)."
    )
    lines.append("")
    for label, records in runs.items():
        first = records[0]
        versions = first["versions"]
        lines.append(
            f"- {label}: `{first['command']}` ({len(records)} seeds, budget "
            f"{first['budget']:,} steps, {first.get('workers', 1)} worker(s); torch "
            f"{versions['torch']}, gymnasium {versions['gymnasium']}, {versions['machine']})"
        )
    return "\n".join(lines)


def replace_section(text: str, section: str) -> str:
    if START not in text or END not in text:
        raise ValueError(f"the README has no {START} ... {END} markers to replace")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    return f"{before}{START}\n{section}\n{END}{after}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="a markdown file with results markers")
    args = parser.parse_args()
    section = table()
    if args.write:
        args.write.write_text(replace_section(args.write.read_text(), section))
    else:
        print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
