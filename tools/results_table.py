"""Turn the solve benchmark's JSON files into the README's results table.

    .venv/bin/python tools/results_table.py                    # print the table
    .venv/bin/python tools/results_table.py --write README.md  # put it in the README

With ``--write`` the table replaces what stands between the README's results markers, so the
numbers in the README are always the ones in the committed JSON (a test checks it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

START, END = "<!-- results:start -->", "<!-- results:end -->"
RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results"
RUNS = {
    "dqn.json": "DQN, lesson 6's defaults",
    "dqn_gamma099.json": "DQN with gamma 0.99",
    "dqn_pole_angle_gamma099.json": "DQN with gamma 0.99 and the angle reward alone",
    "online.json": "the original online agent (lesson 5), same reward as DQN",
}
"""The runs in the README's table, in order, with what each one is."""
SOLVED = 475


def row(label: str, records: list[dict]) -> str:
    solved = [r for r in records if r["solved_step"] is not None]
    steps = [r["solved_step"] for r in solved]
    seconds = [r["solved_seconds"] for r in solved]
    last = statistics.mean(r["stays_solved"] for r in records)
    finals = sum(r["final_eval"] >= SOLVED for r in records)
    cells = [
        label,
        f"{len(solved)}/{len(records)}",
        f"{statistics.median(steps):,.0f}" if steps else "-",
        f"{max(steps):,}" if steps else "-",
        f"{statistics.median(seconds):.1f} s" if seconds else "-",
        f"{last:.0%}",
        f"{finals}/{len(records)}",
    ]
    return "| " + " | ".join(cells) + " |"


def table(folder: Path = RESULTS) -> str:
    runs = {label: json.loads((folder / name).read_text()) for name, label in RUNS.items()}
    header = (
        "| run | seeds solved | median steps to solve | slowest | median training seconds to "
        "solve | last 5 evaluations >= 475 | final evaluation >= 475 |\n"
        "| --- | --- | --- | --- | --- | --- | --- |"
    )
    lines = [header, *(row(label, records) for label, records in runs.items())]
    lines.append("")
    for label, records in runs.items():
        first = records[0]
        versions = first["versions"]
        lines.append(
            f"- {label}: `{first['command']}` (torch {versions['torch']}, gymnasium "
            f"{versions['gymnasium']}, {versions['machine']}, budget {first['budget']:,} steps, "
            f"reward `{first['reward']}`)"
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
