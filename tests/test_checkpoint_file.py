"""The trained checkpoint lesson 7 starts from: it loads, it solves, and a tool makes it."""

from __future__ import annotations

from pathlib import Path

import dqn_lib

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINT = ROOT / "notebooks" / "data" / "cartpole_dqn.ckpt"
TOOL = ROOT / "tools" / "make_checkpoint.py"


def test_committed_checkpoint_loads_with_the_default_settings():
    checkpoint = dqn_lib.load_checkpoint(CHECKPOINT, expect_config=dqn_lib.DQNConfig())
    assert isinstance(checkpoint.agent, dqn_lib.DQNAgent)
    assert checkpoint.agent.steps > 0
    assert CHECKPOINT.stat().st_size < 1_000_000, "keep the committed checkpoint small"


def test_committed_checkpoint_solves_cartpole():
    agent = dqn_lib.load_checkpoint(CHECKPOINT).agent
    returns = dqn_lib.evaluate(agent, episodes=10, seed=10_000)
    assert returns.mean() >= 475, f"the checkpoint's greedy mean return is {returns.mean():.1f}"


def test_make_checkpoint_tool_is_the_documented_producer():
    source = TOOL.read_text()
    assert 'notebooks" / "data" / "cartpole_dqn.ckpt' in source
    assert "save_checkpoint" in source
    lesson = (ROOT / "notebooks" / "07_inside.py").read_text()
    assert "tools/make_checkpoint.py" in lesson and 'data") / "cartpole_dqn.ckpt' in lesson
