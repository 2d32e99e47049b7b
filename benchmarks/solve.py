"""The solve benchmark: how fast an agent solves CartPole-v1, and whether it stays solved.

    .venv/bin/python benchmarks/solve.py --preset double --seeds 0-9 --workers 2 --out r.json
    .venv/bin/python benchmarks/solve.py --preset replay --seeds 0-4 --budget 20000
    .venv/bin/python benchmarks/solve.py --preset double --set gamma=0.98 --set tau=0.01
    .venv/bin/python benchmarks/solve.py --agent original --seeds 0-9   # lesson 6's online agent

The protocol (the README's "Results", the same for every library measured): one fresh process a
seed with ``torch.set_num_threads(1)`` (``--workers`` runs that many such processes side by side);
every 2,000 environment steps a greedy evaluation of 20 episodes on a separate environment reset
with seeds 10000..10019, with the training clock stopped; solved is the first evaluation whose mean
return is >= 475. The agent keeps learning for the whole budget. At the end, three evaluations
of 100 episodes on start seeds never used before: CartPole's own starts (seeds 20000..),
perturbed starts (``PERTURBED_STARTS``, seeds 30000..) and wider ones
(``WIDE_PERTURBED_STARTS``, seeds 40000..). Prints a table a seed and a summary; ``--out``
writes a JSON list, one record a seed.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dqn_lib.evaluation import EVAL_EPISODES, EVAL_EVERY, EVAL_SEED  # the library's protocol

LAST_EVALS = 5
FINAL_EPISODES = 100
FINAL_SEEDS = {"final_100": 20_000, "perturbed_100": 30_000, "wide_perturbed_100": 40_000}
"""The final evaluations' first start seeds (never used in training or in the evaluations)."""


def parse_seeds(text: str) -> list[int]:
    """``"0-9"`` or ``"0,3,5"`` or ``"2"`` -> a list of seeds."""
    seeds: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        if not first.strip().isdigit() or (last and not last.strip().isdigit()):
            raise argparse.ArgumentTypeError(f"seeds look like 0-9 or 0,3,5; got {text!r}")
        seeds.extend(range(int(first), int(last or first) + 1))
    return seeds


def parse_override(text: str) -> tuple[str, object]:
    """``"gamma=0.98"`` -> ``("gamma", 0.98)``: a DQNConfig field and a Python literal."""
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"--set takes key=value, got {text!r}")
    try:
        return key.strip(), ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return key.strip(), value  # a bare word such as hard or mse


def run_seed(args: argparse.Namespace, seed: int) -> dict:
    """Train one seed in this process and return its record."""
    import torch

    torch.set_num_threads(1)
    from dqn_lib import Evaluation, OnlineAgent, evaluate, get_reward_function, make_env, train
    from dqn_lib.env import SOLVED
    from dqn_lib.presets import get_preset
    from dqn_lib.starts import PERTURBED_STARTS, WIDE_PERTURBED_STARTS

    overrides = dict(args.set)
    if args.agent == "original":
        if overrides:
            raise SystemExit("--set applies to DQN presets only, not to --agent original")
        agent = OnlineAgent(seed=seed)
        env = make_env(seed)
        reward = args.reward or "angle_and_position"
        settings = {"learning_rate": 1e-4, "gamma": 0.99, "epsilon": 0.2, "hidden": (32, 32)}
        start_box, start_fraction = None, 0.0
    else:
        preset = get_preset(args.preset)
        if overrides:
            preset = preset.replace(preset.name, preset.description, **overrides)
        agent = preset.make_agent(seed)
        env = preset.make_env(seed)
        reward = args.reward or preset.reward
        settings = dataclasses.asdict(preset.config)
        start_box, start_fraction = preset.start_box, preset.start_fraction
    history = train(
        agent,
        env,
        steps=args.budget,
        reward_fn=get_reward_function(reward),
        seed=seed,
        callbacks=[Evaluation(EVAL_EVERY, EVAL_EPISODES, EVAL_SEED)],
        progress=False,
    )
    evals = list(
        zip(history.eval_steps, history.train_seconds_at_eval, history.eval_returns, strict=True)
    )
    solved = next(((s, t) for s, t, r in evals if r >= SOLVED), (None, None))
    last = history.eval_returns[-LAST_EVALS:]
    boxes = {"final_100": None, "perturbed_100": PERTURBED_STARTS}
    boxes["wide_perturbed_100"] = WIDE_PERTURBED_STARTS
    finals = {
        name: evaluate(agent, FINAL_EPISODES, FINAL_SEEDS[name], start_box=box)
        for name, box in boxes.items()
    }
    return {
        "seed": seed,
        "agent": args.agent,
        "preset": None if args.agent == "original" else args.preset,
        "reward": reward,
        "start_box": start_box,
        "start_fraction": start_fraction,
        "budget": args.budget,
        "solved_step": solved[0],
        "solved_seconds": None if solved[1] is None else round(solved[1], 3),
        "final_eval": history.eval_returns[-1],
        "stays_solved": sum(r >= SOLVED for r in last) / len(last),
        **{name: float(returns.mean()) for name, returns in finals.items()},
        **{f"{name}_full": float((returns == 500).mean()) for name, returns in finals.items()},
        "train_seconds": round(history.train_seconds, 3),
        "evals": [[s, round(t, 3), r] for s, t, r in evals],
        "settings": settings,
    }


def versions() -> dict:
    import gymnasium
    import numpy
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "gymnasium": gymnasium.__version__,
        "numpy": numpy.__version__,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
    }


def run_in_fresh_process(args: argparse.Namespace, seed: int) -> dict:
    """One seed in a new Python process, so no seed inherits another's state or warm caches."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "record.json"
        command = [
            sys.executable,
            __file__,
            "--agent",
            args.agent,
            "--preset",
            args.preset,
            "--seeds",
            str(seed),
            "--budget",
            str(args.budget),
            *(["--reward", args.reward] if args.reward else []),
            "--single-seed-out",
            str(out),
        ]
        for key, value in args.set:
            command += ["--set", f"{key}={value!r}"]
        subprocess.run(command, check=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
        return json.loads(out.read_text())


def summarise(records: list[dict]) -> str:
    solved = [r for r in records if r["solved_step"] is not None]
    from dqn_lib.env import SOLVED

    last = [r["stays_solved"] for r in records]
    lines = [
        "seed  solved_step  solved_s  final_eval  stays_solved",
        *(
            f"{r['seed']:>4}  {r['solved_step'] or '-':>11}  "
            f"{r['solved_seconds'] if r['solved_seconds'] is not None else '-':>8}  "
            f"{r['final_eval']:>10.1f}  {r['stays_solved']:>12.0%}"
            for r in records
        ),
    ]
    lines.append(f"solved: {len(solved)}/{len(records)} seeds")
    if solved:
        steps = [r["solved_step"] for r in solved]
        seconds = [r["solved_seconds"] for r in solved]
        lines.append(
            f"median steps to solve: {statistics.median(steps):,.0f} "
            f"(slowest {max(steps):,}); median seconds: {statistics.median(seconds):.2f}"
        )
    lines.append(f"last {LAST_EVALS} evaluations >= {SOLVED:.0f}: {statistics.mean(last):.0%}")
    for name in FINAL_SEEDS:
        if all(name in r for r in records):
            mean = statistics.mean(r[name] for r in records)
            lines.append(f"{name}: mean return {mean:.1f} (over seeds)")
    return "\n".join(lines)


def main() -> int:
    from dqn_lib.presets import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--agent",
        choices=("dqn", "original"),
        default="dqn",
        help="dqn: a DQN preset (--preset); original: lesson 6's online agent (OnlineAgent)",
    )
    parser.add_argument(
        "--preset",
        choices=list(PRESETS),
        default="double",
        help="the DQN preset to train (dqn_lib.presets; default: double, the course's DQN)",
    )
    parser.add_argument("--seeds", type=parse_seeds, default=parse_seeds("0-9"))
    parser.add_argument("--budget", type=int, default=20_000, help="environment steps a seed")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="seeds trained side by side, each in its own one-thread process (default 1)",
    )
    parser.add_argument(
        "--reward",
        default=None,
        help="reward function name (default: the preset's; angle_and_position for original)",
    )
    parser.add_argument(
        "--set",
        type=parse_override,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a DQNConfig field (or reward, start_box, start_fraction) of the preset",
    )
    parser.add_argument("--out", type=Path, help="write the records here as JSON")
    parser.add_argument("--single-seed-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.budget < EVAL_EVERY * LAST_EVALS:
        parser.error(
            f"--budget must be at least {EVAL_EVERY * LAST_EVALS} steps "
            f"({LAST_EVALS} evaluations), got {args.budget}"
        )
    if args.workers < 1:
        parser.error(f"--workers must be 1 or more, got {args.workers}")

    if args.single_seed_out:  # the child process: one seed, one record
        record = run_seed(args, args.seeds[0])
        temporary = args.single_seed_out.with_name(f".{args.single_seed_out.name}.tmp")
        temporary.write_text(json.dumps(record))
        os.replace(temporary, args.single_seed_out)
        return 0

    def one(seed: int) -> dict:
        record = run_in_fresh_process(args, seed)
        print(
            f"seed {seed}: solved at {record['solved_step']} steps, "
            f"{record['solved_seconds']} s; final {record['final_eval']:.1f}; perturbed starts "
            f"{record['perturbed_100']:.1f}",
            flush=True,
        )
        return record

    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        records = sorted(pool.map(one, args.seeds), key=lambda r: r["seed"])
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    for record in records:
        record.update(versions=versions(), command=command, workers=args.workers)
    print(summarise(records))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        temporary = args.out.with_name(f".{args.out.name}.tmp")
        temporary.write_text(json.dumps(records, indent=1) + "\n")
        os.replace(temporary, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
