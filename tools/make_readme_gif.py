"""Make docs/balancing.gif, the README's picture: a DQN agent trained as in lesson 6.

    .venv/bin/python tools/make_readme_gif.py

Trains ``DQNAgent(DQNConfig(), seed=0)`` for 16,000 steps with the lesson's reward, checks that
its greedy evaluation is solved, and records one 500-step evaluation episode as a GIF.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch

import dqn_lib

ROOT = Path(__file__).resolve().parent.parent
SEED, STEPS, EVAL_SEED = 0, 16_000, 10_000


def main() -> int:
    torch.set_num_threads(1)
    agent = dqn_lib.DQNAgent(dqn_lib.DQNConfig(), seed=SEED)
    dqn_lib.train(
        agent, steps=STEPS, reward_fn=dqn_lib.angle_and_position_reward, seed=SEED, progress=False
    )
    returns = dqn_lib.evaluate(agent, episodes=20, seed=EVAL_SEED)
    if returns.mean() < 475:
        print(f"the trained agent is not solved (mean {returns.mean():.1f}); no GIF written")
        return 1
    episode = int((returns == 500).argmax())
    path = ROOT / "docs" / "balancing.gif"
    dqn_lib.animate_episode(agent, seed=EVAL_SEED + episode, title="DQN, lesson 6", path=path)
    print(f"wrote {path} ({path.stat().st_size / 1e3:.0f} KB); greedy mean {returns.mean():.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
