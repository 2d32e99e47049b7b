"""The checks of lesson 11's exercises: a stub is "not implemented yet", the reference and another
correct spelling pass, and each usual wrong answer is named in words."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import dqn_lib
from dqn_lib.checks import ExerciseError, check_hard_update, check_linear_schedule
from dqn_lib.checks.harness import NOT_IMPLEMENTED


def not_implemented(*args, **kwargs):
    raise NotImplementedError()


@pytest.mark.parametrize("check", [check_linear_schedule, check_hard_update])
def test_a_stub_says_not_implemented_without_a_traceback_chain(check):
    with pytest.raises(ExerciseError, match="not implemented yet") as error:
        check(not_implemented)
    assert NOT_IMPLEMENTED in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


# --- check_linear_schedule --------------------------------------------------------------------


def clamped_schedule(start, end, duration, step):
    """Another correct answer: the fraction done, clamped with min, and a numpy float."""
    done = np.minimum(1.0, step / duration)
    return start + (end - start) * done


def test_linear_schedule_accepts_the_reference_and_another_spelling(capsys):
    check_linear_schedule(dqn_lib.linear_schedule)
    check_linear_schedule(clamped_schedule)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("check_linear_schedule: all ") for line in lines)


@pytest.mark.parametrize(
    "schedule, message",
    [
        (
            lambda s, e, d, t: s + (e - s) * t / d,
            r"duration=10, step=11\): expected 0, got -0\.1\. .*keeps falling after `duration`",
        ),
        (
            lambda s, e, d, t: e + (s - e) * min(1.0, t / d),
            r"step=0\): expected 1, got 0\. .*start and end are swapped",
        ),
        (
            lambda s, e, d, t: dqn_lib.linear_schedule(s, e, d, t + 1),
            r"step=0\): expected 1, got 0\.9\. .*one step ahead",
        ),
        (
            lambda s, e, d, t: s + (e - s) * min(1.0, t / (d - 1)),
            r"step=1\): expected 0\.9, got 0\.888889\. .*one step early.*not duration - 1",
        ),
        (
            lambda s, e, d, t: s + (e - s) * min(1.0, t // d),
            r"step=1\): expected 0\.9, got 1\. .*integer division",
        ),
        (
            lambda s, e, d, t: torch.tensor(dqn_lib.linear_schedule(s, e, d, t)),
            "of type torch.Tensor; expected a Python float",
        ),
    ],
)
def test_linear_schedule_names_the_mistake(schedule, message):
    with pytest.raises(ExerciseError, match=message):
        check_linear_schedule(schedule)


def test_linear_schedule_tries_the_default_schedules():
    """The docstring promises epsilon's and the learning rate's schedules of DQNConfig()."""
    config = dqn_lib.DQNConfig()
    for start, end, duration in (
        (config.epsilon_start, config.epsilon_end, config.epsilon_decay_steps),
        (config.learning_rate, config.final_learning_rate, config.learning_rate_decay_steps),
    ):

        def wrong_on_this_schedule(s, e, d, t, schedule=(start, end, duration)):
            if (s, e, d) == schedule:
                return s  # never falls
            return dqn_lib.linear_schedule(s, e, d, t)

        with pytest.raises(ExerciseError, match=f"duration={duration}, step=1\\)"):
            check_linear_schedule(wrong_on_this_schedule)


# --- check_hard_update ------------------------------------------------------------------------


def reference_hard_update(target_network, q_network):
    """The reference: what DQNAgent does every target_update_every steps."""
    target_network.load_state_dict(q_network.state_dict())


def loop_hard_update(target_network, q_network):
    """Another correct answer: copy_ each parameter under no_grad."""
    with torch.no_grad():
        for target, online in zip(target_network.parameters(), q_network.parameters(), strict=True):
            target.copy_(online)


def test_hard_update_accepts_the_reference_and_another_spelling(capsys):
    check_hard_update(reference_hard_update)
    check_hard_update(loop_hard_update)
    assert capsys.readouterr().out == "check_hard_update: all 3 cases pass.\n" * 2


def rebinds(target_network, q_network):
    target_network = q_network  # noqa: F841 (the mistake: a new name, nothing copied)


def returns_a_copy(target_network, q_network):
    return copy.deepcopy(q_network)


def wrong_direction(target_network, q_network):
    q_network.load_state_dict(target_network.state_dict())


def first_layer_only(target_network, q_network):
    target_network.net[0].load_state_dict(q_network.net[0].state_dict())


def weights_only(target_network, q_network):
    with torch.no_grad():
        for name, parameter in target_network.named_parameters():
            if name.endswith("weight"):
                parameter.copy_(dict(q_network.named_parameters())[name])


def shares_tensors(target_network, q_network):
    for target, online in zip(target_network.parameters(), q_network.parameters(), strict=True):
        target.data = online.data


def soft_instead(target_network, q_network):
    dqn_lib.soft_update(target_network, q_network, 0.5)


@pytest.mark.parametrize(
    "hard_update, message",
    [
        (rebinds, r"hidden layers \(32, 32\): the target network did not change.*rebinds a name"),
        (returns_a_copy, "did not change.*returning a copy"),
        (wrong_direction, "q_network's net.0.weight changed.*the wrong direction"),
        (first_layer_only, "4 of 6 weight tensors were not copied: net.2.weight, .*first layer"),
        (weights_only, "3 of 6 weight tensors were not copied: net.0.bias, .*not the biases"),
        (shares_tensors, "net.0.weight is the very tensor of q_network, not a copy"),
        (soft_instead, "moved but is not q_network's.*is the soft update"),
    ],
)
def test_hard_update_names_the_mistake(hard_update, message):
    with pytest.raises(ExerciseError, match=message):
        check_hard_update(hard_update)
