"""Three exercise checks: episode length (lesson 1), greedy action (lesson 3), moving average
(lesson 6). A right answer, written two ways, passes; each usual wrong answer is rejected with a
message that names it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import dqn_lib
from dqn_lib.checks import (
    ExerciseError,
    check_episode_length,
    check_greedy_action,
    check_moving_average,
)
from dqn_lib.checks.harness import NOT_IMPLEMENTED


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check", [check_episode_length, check_greedy_action, check_moving_average])
def test_a_stub_says_not_implemented(check):
    with pytest.raises(ExerciseError, match="not implemented yet") as error:
        check(not_implemented)
    assert NOT_IMPLEMENTED in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


# --- check_episode_length (lesson 1) ----------------------------------------------------------


def episode_length(env, policy, seed):
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        steps += 1
        if terminated or truncated:
            return steps


def episode_length_for_loop(env, policy, seed):  # another correct answer
    observation, _ = env.reset(seed=seed)
    for step in range(1, 10_000):
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        if terminated or truncated:
            return step
    raise RuntimeError("unreachable")


def stops_only_on_terminated(env, policy, seed):
    observation, _ = env.reset(seed=seed)
    steps, terminated = 0, False
    while not terminated:
        observation, _, terminated, _, _ = env.step(policy(observation))
        steps += 1
    return steps


def one_too_few(env, policy, seed):
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        if terminated or truncated:
            return steps
        steps += 1


def no_seed(env, policy, seed):
    observation, _ = env.reset()
    steps, ended = 0, False
    while not ended:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        steps, ended = steps + 1, terminated or truncated
    return steps


def returns_float(env, policy, seed):
    return float(episode_length(env, policy, seed))


def test_episode_length_accepts_two_spellings(capsys):
    check_episode_length(episode_length)
    check_episode_length(episode_length_for_loop)
    assert capsys.readouterr().out.count("check_episode_length: all 12 cases pass.") == 2


@pytest.mark.parametrize(
    "answer, message",
    [
        (
            stops_only_on_terminated,
            r"called env.step again \(at .*, line \d+: .*\)\. Stop when terminated OR truncated",
        ),
        (one_too_few, "returned 10. Likely mistake: one too few"),
        (no_seed, r"never called env.reset\(seed=0\)"),
        (returns_float, "expected the number of steps as an int"),
    ],
)
def test_episode_length_names_the_mistake(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check_episode_length(answer)


# --- check_greedy_action (lesson 3) -----------------------------------------------------------


def greedy_action(q_network, observation):
    with torch.no_grad():
        return int(q_network(torch.as_tensor(observation, dtype=torch.float32)).argmax())


def greedy_action_batch(q_network, observation):  # another correct answer: a batch of one
    batch = torch.tensor(np.asarray(observation, dtype=np.float32)).unsqueeze(0)  # (1, 4)
    with torch.no_grad():
        q_values = q_network(batch)  # (1, n_actions)
    return q_values.argmax(dim=1).item()


def test_greedy_action_accepts_two_spellings(capsys):
    check_greedy_action(greedy_action)
    check_greedy_action(greedy_action_batch)
    assert capsys.readouterr().out.count("check_greedy_action: all 37 cases pass.") == 2


def argmin_action(q_network, observation):
    with torch.no_grad():
        return int(q_network(torch.as_tensor(observation, dtype=torch.float32)).argmin())


def tensor_action(q_network, observation):
    with torch.no_grad():
        return q_network(torch.as_tensor(observation, dtype=torch.float32)).argmax()


def wrong_dimension(q_network, observation):
    batch = torch.as_tensor(observation, dtype=torch.float32).unsqueeze(0)  # (1, 4)
    with torch.no_grad():
        return q_network(batch).argmax(dim=0)  # over the batch: one index per action


def from_numpy(q_network, observation):
    with torch.no_grad():
        return int(q_network(torch.from_numpy(observation)).argmax())


def always_first(q_network, observation):
    return 0


def first_of_the_two_largest(q_network, observation):  # right on two actions, wrong on three
    with torch.no_grad():
        q_values = q_network(torch.as_tensor(observation, dtype=torch.float32))
    return int(q_values[:2].argmax())


@pytest.mark.parametrize(
    "answer, message",
    [
        (argmin_action, "use argmax, not argmin"),
        (tensor_action, r"returned a tensor .*: wrap it in int"),
        (wrong_dimension, "with 2 elements: take the argmax over the actions only"),
        (from_numpy, "weights are float32; convert the observation"),
        (first_of_the_two_largest, "the greedy action is the index of the largest Q-value"),
        (always_first, "it always returns 0, whatever the Q-values"),
    ],
)
def test_greedy_action_names_the_mistake(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check_greedy_action(answer)


# --- check_moving_average (lesson 6) ----------------------------------------------------------


def moving_average_loop(values, window):  # another correct answer: a plain loop
    return np.array([np.mean(values[max(0, i - window + 1) : i + 1]) for i in range(len(values))])


def test_moving_average_accepts_the_reference_and_a_loop(capsys):
    check_moving_average(dqn_lib.moving_average)
    check_moving_average(moving_average_loop)
    assert capsys.readouterr().out.count("check_moving_average: all 5 cases pass.") == 2


def valid_mode(values, window):
    return np.convolve(values, np.ones(window) / window, mode="valid")


def same_mode(values, window):
    return np.convolve(values, np.ones(window) / window, mode="same")


def full_mode(values, window):
    return np.convolve(values, np.ones(window) / window, mode="full")


def sums(values, window):
    return np.array([np.sum(values[max(0, i - window + 1) : i + 1]) for i in range(len(values))])


def divides_by_window(values, window):
    return np.array(
        [np.sum(values[max(0, i - window + 1) : i + 1]) / window for i in range(len(values))]
    )


def window_off_by_one(values, window):
    return moving_average_loop(values, window + 1)


@pytest.mark.parametrize(
    "answer, message",
    [
        (valid_mode, "keeps only the full windows"),
        (same_mode, "centred window"),
        (full_mode, "mode 'full'"),
        (sums, "sums the values instead of averaging"),
        (divides_by_window, "divides by the full window"),
        (window_off_by_one, "the window is one value off"),
    ],
)
def test_moving_average_names_the_mistake(answer, message):
    with pytest.raises(ExerciseError, match=message):
        check_moving_average(answer)
