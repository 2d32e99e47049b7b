"""The trained checkpoint lesson 7 starts from: it loads, it solves, and a tool makes it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch

import dqn_lib

ROOT = Path(__file__).resolve().parent.parent
CHECKPOINT = ROOT / "notebooks" / "data" / "cartpole_dqn.ckpt"
TOOL = ROOT / "tools" / "make_checkpoint.py"


def test_committed_checkpoint_loads_with_the_default_settings():
    checkpoint = dqn_lib.load_checkpoint(CHECKPOINT, expect_config=dqn_lib.DQNConfig())
    assert isinstance(checkpoint.agent, dqn_lib.DQNAgent)
    assert checkpoint.agent.steps == 16_000, "lesson 7 says the agent trained for 16,000 steps"
    assert CHECKPOINT.stat().st_size < 1_000_000, "keep the committed checkpoint small"


def test_committed_checkpoint_solves_cartpole():
    agent = dqn_lib.load_checkpoint(CHECKPOINT).agent
    returns = dqn_lib.evaluate(agent, episodes=10, seed=10_000)
    assert returns.mean() >= 475, f"the checkpoint's greedy mean return is {returns.mean():.1f}"


def test_make_checkpoint_tool_reproduces_the_committed_file():
    """The tool's run, repeated here, gives the committed weights exactly: the file is what the
    tool makes (same pinned versions, one torch thread), not a hand-picked lucky run."""
    spec = importlib.util.spec_from_file_location("make_checkpoint", TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.CHECKPOINT == CHECKPOINT
    recorded = json.loads(tool.PROVENANCE.read_text())
    here = tool.provenance()
    if recorded != here:  # other versions or another CPU kind: the run may round differently
        differ = {k: (recorded.get(k), here[k]) for k in here if recorded.get(k) != here[k]}
        pytest.skip(f"the checkpoint was made elsewhere (recorded, here): {differ}")
    agent, _ = tool.train_agent()
    committed = dqn_lib.load_checkpoint(CHECKPOINT).agent
    assert agent.steps == committed.steps and agent.updates == committed.updates
    for name, tensor in committed.q_network.state_dict().items():
        assert torch.equal(agent.q_network.state_dict()[name], tensor), name
    lesson = (ROOT / "notebooks" / "07_inside.py").read_text()
    assert "tools/make_checkpoint.py" in lesson and 'data") / "cartpole_dqn.ckpt' in lesson
