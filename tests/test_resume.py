"""Resuming: N steps straight equal N/2 steps, a checkpoint, and N/2 more in a new process; a
crash or an interrupt leaves the last checkpoint loadable and the History so far (lesson 7)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from dqn_lib import (
    Checkpointing,
    DQNAgent,
    DQNConfig,
    Evaluation,
    OnlineAgent,
    load_checkpoint,
    pole_angle_reward,
    train,
)

CONFIG = DQNConfig(
    hidden=(32, 32), batch_size=32, buffer_size=1000, learning_starts=50, train_every=2
)
STEPS, HALF = 600, 301  # 301: the checkpoint falls inside an episode


def new_agent(kind: str) -> DQNAgent | OnlineAgent:
    return DQNAgent(CONFIG, seed=0) if kind == "dqn" else OnlineAgent(seed=0)


def resume_in_a_new_process(half_path, full_path) -> None:
    script = textwrap.dedent(f"""
        import torch
        torch.set_num_threads(1)
        from dqn_lib import Checkpointing, load_checkpoint, pole_angle_reward, train
        checkpoint = load_checkpoint({str(half_path)!r})
        train(checkpoint.agent, steps={STEPS}, reward_fn=pole_angle_reward, progress=False,
              resume_from=checkpoint, callbacks=[Checkpointing({str(full_path)!r}, {STEPS})])
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["dqn", "online"])
def test_resume_in_a_new_process_equals_training_straight(tmp_path, kind):
    straight = new_agent(kind)
    history = train(straight, steps=STEPS, reward_fn=pole_angle_reward, progress=False)
    half, full = tmp_path / "half.ckpt", tmp_path / "full.ckpt"
    train(
        new_agent(kind),
        steps=HALF,
        reward_fn=pole_angle_reward,
        progress=False,
        callbacks=[Checkpointing(half, HALF)],
    )
    assert load_checkpoint(half).trainer["episode"]["length"] > 0  # an unfinished episode
    resume_in_a_new_process(half, full)
    resumed = load_checkpoint(full)
    agent = resumed.agent
    for name in ("returns", "shaped_returns", "lengths", "episode_end_steps", "losses"):
        assert getattr(resumed.history, name) == getattr(history, name), name
    assert resumed.history.steps == STEPS and history.episodes > 5
    for a, b in zip(straight.q_network.parameters(), agent.q_network.parameters(), strict=True):
        assert torch.equal(a, b)
    assert agent.rng.bit_generator.state == straight.rng.bit_generator.state
    if kind == "dqn":
        for a, b in zip(
            straight.target_network.parameters(), agent.target_network.parameters(), strict=True
        ):
            assert torch.equal(a, b)
        for name in ("observations", "next_observations", "actions", "rewards", "terminated"):
            np.testing.assert_array_equal(
                getattr(agent.replay_buffer, name), getattr(straight.replay_buffer, name)
            )
        assert (agent.steps, agent.updates) == (straight.steps, straight.updates)


def test_resume_needs_the_checkpoints_own_agent(tmp_path):
    path = tmp_path / "a.ckpt"
    train(OnlineAgent(seed=0), steps=20, progress=False, callbacks=[Checkpointing(path, 10)])
    with pytest.raises(ValueError, match="pass checkpoint.agent as agent"):
        train(OnlineAgent(seed=0), steps=40, progress=False, resume_from=load_checkpoint(path))


def test_a_run_has_one_evaluation_and_one_checkpointing(tmp_path):
    for twice in ([Evaluation(10), Evaluation(20)], [Checkpointing(tmp_path / "a", 10)] * 2):
        agent = DQNAgent(CONFIG, seed=0)
        with pytest.raises(ValueError, match=f"callbacks holds 2 {type(twice[0]).__name__}s"):
            train(agent, steps=20, progress=False, callbacks=twice)
        assert agent.steps == 0


class Crash(Exception):
    pass


@pytest.mark.parametrize("error", [Crash("the reward function failed"), KeyboardInterrupt()])
def test_error_mid_training_keeps_the_last_checkpoint_and_the_history(tmp_path, error):
    def reward_that_fails_at_step_250(next_observation, env_reward, terminated):
        nonlocal calls
        calls += 1
        if calls == 250:
            raise error
        return env_reward

    calls = 0
    path = tmp_path / "run.ckpt"
    with pytest.raises(type(error)) as raised:
        train(
            DQNAgent(CONFIG, seed=0),
            steps=1000,
            reward_fn=reward_that_fails_at_step_250,
            progress=False,
            callbacks=[Checkpointing(path, 100)],
        )
    assert raised.value.history.steps == 249  # the History so far rides on the error
    checkpoint = load_checkpoint(path)
    assert checkpoint.history.steps == checkpoint.agent.steps == 200
    assert checkpoint.history.returns == raised.value.history.returns[: checkpoint.history.episodes]


def test_resuming_into_an_environment_without_a_time_limit_says_how_to_build_one(tmp_path):
    from dqn_lib import make_env

    path = tmp_path / "a.ckpt"
    train(DQNAgent(CONFIG, seed=0), steps=20, progress=False, callbacks=[Checkpointing(path, 20)])
    checkpoint = load_checkpoint(path)
    env = make_env(0)
    while type(env).__name__ != "TimeLimit":
        env = env.env
    with pytest.raises(ValueError, match=r"TimeLimit wrapper.*Build the environment with gym"):
        train(checkpoint.agent, env.env, steps=40, progress=False, resume_from=checkpoint)
