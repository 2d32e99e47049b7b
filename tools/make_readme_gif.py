"""Make docs/balancing.gif, the README's picture: the course's DQN from a perturbed start.

    .venv/bin/python tools/make_readme_gif.py

Loads the committed checkpoint (notebooks/data/cartpole_dqn.ckpt, made by
tools/make_checkpoint.py: the "double" preset) and records the first perturbed-start episode
(``PERTURBED_STARTS``, seeds 30000..) in which the cart starts at least 0.8 m off centre and the
agent holds the pole for all 500 steps: it shows the agent bringing the cart back.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

import dqn_lib
from dqn_lib.starts import PERTURBED_STARTS, set_start

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINT = ROOT / "notebooks" / "data" / "cartpole_dqn.ckpt"
FIRST_SEED, TRIES, MIN_OFFSET = 30_000, 100, 0.8


def main() -> int:
    torch.set_num_threads(1)
    agent = dqn_lib.load_checkpoint(CHECKPOINT).agent
    env = dqn_lib.make_env()
    for seed in range(FIRST_SEED, FIRST_SEED + TRIES):
        env.reset(seed=seed)
        start = set_start(env, PERTURBED_STARTS)
        if abs(start[0]) < MIN_OFFSET:
            continue
        if dqn_lib.evaluate(agent, 1, seed, start_box=PERTURBED_STARTS)[0] == 500:
            break
    else:
        print(f"no 500-step episode from a start {MIN_OFFSET} m off centre; no GIF written")
        return 1
    path = ROOT / "docs" / "balancing.gif"
    title = f"DQN, cart starts {start[0]:+.2f} m off centre"
    dqn_lib.animate_episode(agent, seed=seed, title=title, path=path, start_box=PERTURBED_STARTS)
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} KB) from start seed {seed}: {start}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
