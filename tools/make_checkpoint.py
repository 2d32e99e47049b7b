"""Make notebooks/data/cartpole_dqn.ckpt, the trained agent lesson 7 looks inside.

    .venv/bin/python tools/make_checkpoint.py

Trains ``DQNAgent(DQNConfig(), seed=0)`` (the library's defaults) for 16,000 environment steps
with lesson 6's reward, ``angle_and_position_reward``, on one torch thread, with the benchmark's
greedy evaluation every 2,000 steps. It refuses to write a checkpoint whose final greedy
evaluation (20 episodes, seeds 10000..10019) is below 475, and saves the agent without its replay
buffer (networks, optimizer, settings, counters: about 100 KB). The same versions on the same kind
of CPU give the same file: training is seeded and runs on one thread. Beside it,
cartpole_dqn.provenance.json records those versions and the CPU kind. tests/test_checkpoint_file.py
checks that the committed file loads and solves, and, where the provenance matches, that this
tool's run gives its weights bit for bit.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import gymnasium
import numpy as np
import torch

import dqn_lib
from dqn_lib.files import write_atomically

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINT = ROOT / "notebooks" / "data" / "cartpole_dqn.ckpt"
PROVENANCE = CHECKPOINT.with_suffix(".provenance.json")  # what made it, for the test
SEED, STEPS, EVAL_EVERY, EVAL_SEED, SOLVED = 0, 16_000, 2_000, 10_000, 475.0


def train_agent() -> tuple[dqn_lib.DQNAgent, dqn_lib.History]:
    """The run the checkpoint holds (a test repeats it and compares the weights)."""
    torch.set_num_threads(1)  # small networks are fastest on one thread, and runs repeat exactly
    agent = dqn_lib.DQNAgent(dqn_lib.DQNConfig(), seed=SEED)
    history = dqn_lib.train(
        agent,
        steps=STEPS,
        reward_fn=dqn_lib.angle_and_position_reward,
        seed=SEED,
        eval_every=EVAL_EVERY,
        progress=False,
    )
    return agent, history


def main() -> int:
    agent, history = train_agent()
    evaluations = ", ".join(
        f"{step:,}: {value:.1f}"
        for step, value in zip(history.eval_steps, history.eval_returns, strict=True)
    )
    print(f"trained DQNAgent(DQNConfig(), seed={SEED}) for {STEPS:,} steps")
    print(f"greedy evaluations (step: mean of 20 episodes): {evaluations}")
    final = float(np.mean(dqn_lib.evaluate(agent, episodes=20, seed=EVAL_SEED)))
    if final < SOLVED:
        print(f"the trained agent is not solved (mean {final:.1f} < {SOLVED}); nothing written")
        return 1
    CHECKPOINT.parent.mkdir(parents=True, exist_ok=True)
    dqn_lib.save_checkpoint(agent, CHECKPOINT, include_replay=False)
    write_atomically(PROVENANCE, (json.dumps(provenance(), indent=2) + "\n").encode())
    size = CHECKPOINT.stat().st_size
    print(f"wrote {CHECKPOINT.relative_to(ROOT)} ({size / 1e3:.0f} KB); greedy mean {final:.1f}")
    print(f"wrote {PROVENANCE.relative_to(ROOT)}")
    return 0


def provenance() -> dict[str, str]:
    """Where the same run gives the same weights, bit for bit: these versions, this CPU kind.
    Elsewhere float sums may round differently and the run drift (README, Reproducibility)."""
    return {
        "command": "python tools/make_checkpoint.py",
        "torch": str(torch.__version__),
        "gymnasium": gymnasium.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }


if __name__ == "__main__":
    sys.exit(main())
