"""Presets (the ladder, one change a rung), start boxes, exploring starts, perturbed starts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

import dqn_lib
from dqn_lib.presets import LADDER, PRESETS, get_preset
from dqn_lib.starts import (
    PERTURBED_STARTS,
    RESET_BOX,
    WIDE_PERTURBED_STARTS,
    ExploringStarts,
    check_start_box,
    linear_policy,
    set_start,
)


def differences(a, b) -> dict[str, tuple]:
    """What differs between two presets: config fields, reward and starts."""
    out = {}
    for field in dataclasses.fields(a.config):
        x, y = getattr(a.config, field.name), getattr(b.config, field.name)
        if x != y:
            out[field.name] = (x, y)
    for name in ("reward", "start_box", "start_fraction"):
        if getattr(a, name) != getattr(b, name):
            out[name] = (getattr(a, name), getattr(b, name))
    return out


def test_each_rung_adds_one_idea_to_the_one_before():
    online, replay, target, double = (PRESETS[name] for name in LADDER)
    # Experience replay is a buffer and batches drawn from it: the two fields move together.
    assert set(differences(online, replay)) == {"buffer_size", "batch_size"}
    assert differences(replay, target) == {"target_update": ("none", "soft")}
    assert differences(target, double) == {"double_dqn": (False, True)}
    assert [PRESETS[n].parent for n in LADDER] == [None, "online", "replay", "target"]


@pytest.mark.parametrize("name", [n for n in PRESETS if n not in LADDER])
def test_every_other_preset_is_one_change_from_its_parent(name):
    preset = PRESETS[name]
    assert preset.parent == ("replay" if name == "small_buffer" else "double")
    changed = differences(PRESETS[preset.parent], preset)
    if name == "reset_starts":  # no exploring starts: the box and its share go together
        assert set(changed) == {"start_box", "start_fraction"}
    else:
        assert len(changed) == 1, f"{name} changes {changed}"


def test_the_online_rung_learns_from_the_latest_transition_only():
    agent = PRESETS["online"].make_agent(seed=0)
    for i in range(3):
        observation = np.full(4, float(i), dtype=np.float32)
        agent.observe(observation, 0, 1.0, observation, False, False)
    batch = agent.replay_buffer.sample(1)
    assert batch.observations[0, 0].item() == 2.0


def test_no_target_network_bootstraps_from_the_online_network():
    agent = PRESETS["replay"].make_agent(seed=0)
    with torch.no_grad():
        for parameter in agent.target_network.parameters():
            parameter.add_(1.0)  # the target network now disagrees with the online one
    observations = torch.zeros((2, 4))
    batch = dqn_lib.Batch(
        observations, torch.zeros(2, dtype=torch.int64), torch.ones(2), observations, torch.zeros(2)
    )
    expected = 1.0 + agent.config.gamma * agent.q_network(observations).max(dim=1).values
    assert torch.allclose(agent.td_targets(batch), expected.detach())


def test_double_dqn_without_a_target_network_is_refused():
    with pytest.raises(ValueError, match="double_dqn needs a target network"):
        dqn_lib.DQNConfig(target_update="none", double_dqn=True)


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="Unknown preset 'dobule'.*'double'"):
        get_preset("dobule")


def test_preset_with_an_unknown_reward_is_refused():
    with pytest.raises(ValueError, match="unknown reward 'plus_one'"):
        PRESETS["double"].replace("x", "x", reward="plus_one")


@pytest.mark.parametrize(
    "box, match",
    [
        ((1.0, 0.5, 0.1), "four half-widths"),
        ("1,1,1,1", "four half-widths"),
        ((1.0, -0.5, 0.1, 0.5), "finite and >= 0"),
        ((1.0, float("nan"), 0.1, 0.5), "finite and >= 0"),
        ((2.5, 0.5, 0.1, 0.5), "inside the termination limits"),
        ((1.0, 0.5, 0.3, 0.5), "inside the termination limits"),
    ],
)
def test_bad_start_boxes_are_refused(box, match):
    with pytest.raises(ValueError, match=match):
        check_start_box(box)


def test_set_start_draws_inside_the_box_and_repeats_with_the_seed():
    env = dqn_lib.make_env()
    starts = []
    for _ in range(2):
        env.reset(seed=5)
        starts.append(set_start(env, PERTURBED_STARTS))
    assert np.array_equal(starts[0], starts[1])
    assert np.all(np.abs(starts[0]) <= np.array(PERTURBED_STARTS))
    assert np.array_equal(starts[0], np.asarray(env.unwrapped.state, dtype=np.float32))
    env.reset(seed=6)
    assert not np.array_equal(starts[0], set_start(env, PERTURBED_STARTS))


def test_exploring_starts_share_and_spread():
    env = ExploringStarts(dqn_lib.make_env(0), WIDE_PERTURBED_STARTS, fraction=0.5)
    positions = np.array([abs(env.reset()[0][0]) for _ in range(400)])
    wide = (positions > RESET_BOX[0]).mean()
    assert 0.4 < wide < 0.6, f"{wide:.0%} of starts left the reset box, expected about half"
    assert positions.max() > 1.5
    with pytest.raises(ValueError, match="fraction must be a probability"):
        ExploringStarts(dqn_lib.make_env(0), fraction=1.5)


def test_perturbed_evaluation_is_harder_than_reset_starts_for_a_policy_that_ignores_the_cart():
    def angle_only(observation):  # balances the pole, lets the cart wander
        return int(observation[2] + observation[3] > 0)

    reset = dqn_lib.evaluate(angle_only, episodes=10, seed=0)
    perturbed = dqn_lib.evaluate(angle_only, episodes=10, seed=0, start_box=PERTURBED_STARTS)
    assert not np.array_equal(reset, perturbed)
    again = dqn_lib.evaluate(angle_only, episodes=10, seed=0, start_box=PERTURBED_STARTS)
    assert np.array_equal(perturbed, again)


@pytest.mark.parametrize("box", [PERTURBED_STARTS, WIDE_PERTURBED_STARTS])
def test_the_linear_reference_balances_from_every_perturbed_start(box):
    returns = dqn_lib.evaluate(linear_policy, episodes=100, seed=30_000, start_box=box)
    assert returns.min() == 500, f"the linear policy fell: {sorted(returns)[:5]}"


def test_a_checkpoint_resumes_exactly_with_exploring_starts(tmp_path):
    preset = PRESETS["double"].replace("small", "small", learning_starts=50, batch_size=16)
    path = tmp_path / "run.ckpt"

    def run(steps, resume=None):
        agent = resume.agent if resume else preset.make_agent(0)
        return agent, dqn_lib.train(
            agent,
            preset.make_env(0),
            steps=steps,
            reward_fn=preset.reward_fn,
            progress=False,
            callbacks=[dqn_lib.Checkpointing(path, 300)] if resume is None else [],
            resume_from=resume,
        )

    _, whole = run(900)
    path.unlink()
    run(450)  # its last checkpoint is at step 300, in the middle of an episode
    checkpoint = dqn_lib.load_checkpoint(path)
    assert checkpoint.history.steps == 300
    _, resumed = run(900, resume=checkpoint)
    assert whole.returns == resumed.returns and len(whole.returns) > 5
    assert max(whole.lengths) < 500


def test_committed_results_are_found_from_the_library():
    from dqn_lib.presets import load_results

    assert [r["seed"] for r in load_results("double")] == list(range(10))
    with pytest.raises(FileNotFoundError, match="No benchmark results for 'nope'.*--preset nope"):
        load_results("nope")
