"""The checks of lessons 7-9's exercises: the reference answer passes, every wrong one fails with
a message that names the mistake."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from torch import nn

from dqn_lib.checks import (
    ExerciseError,
    check_discounted_return,
    check_max_bias,
    check_small_buffer_rung,
    check_target_network_copy,
)
from dqn_lib.config import DQNConfig


def test_small_buffer_rung_reference_passes(capsys):
    check_small_buffer_rung(lambda config: config.replace(buffer_size=config.batch_size))
    assert "all 5 cases pass" in capsys.readouterr().out


def changes_in_place(config):
    object.__setattr__(config, "buffer_size", config.batch_size)
    return config


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda config: config.replace(buffer_size=128), "Take it from config.batch_size"),
        (
            lambda config: DQNConfig(buffer_size=config.batch_size),
            "these settings changed too: hidden .*gamma 0.95 -> 0.99",
        ),
        (lambda config: config.replace(buffer_size=1, batch_size=1), "is the online rung"),
        (
            lambda config: config.replace(
                buffer_size=config.batch_size // 2, batch_size=config.batch_size // 2
            ),
            "your batch_size is 64; expected 128",
        ),
        (lambda config: config.replace(buffer_size=2 * config.batch_size), "buffer_size=256; exp"),
        (
            lambda config: {"buffer_size": config.batch_size},
            "expected a DQNConfig, got dict",
        ),
        (changes_in_place, "your function changed the config it was given"),
        (
            lambda config: config.replace(buffer_size=config.batch_size, tau=0.5),
            "these settings changed too: tau 0.01 -> 0.5",
        ),
    ],
)
def test_small_buffer_rung_mutants_fail(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_small_buffer_rung(wrong)


def _deep_frozen(q_network):
    return copy.deepcopy(q_network).requires_grad_(False)


def test_target_copy_reference_passes(capsys):
    check_target_network_copy(_deep_frozen)
    assert "all 3 cases pass" in capsys.readouterr().out


def _shallow(q_network):
    target = copy.copy(q_network)
    return target


def _fresh(q_network):
    return (
        nn.Sequential(*[copy.deepcopy(m) for m in q_network.children()])
        .apply(lambda m: m.reset_parameters() if isinstance(m, nn.Linear) else None)
        .requires_grad_(False)
    )


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda q: q, "returned the Q-network itself"),
        (_shallow, "shares"),
        (lambda q: nn.Sequential(*q.children()), "shares"),
        (_fresh, "Q-values differ"),
        (copy.deepcopy, "still require gradients"),
        (lambda q: copy.deepcopy(q.requires_grad_(False)), "turned off the Q-network's gradients"),
        (lambda q: "copy", "expected an nn.Module"),
    ],
)
def test_target_copy_mutants_fail(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_target_network_copy(wrong)


def _discounted(rewards, gamma):
    return float(sum(r * gamma**t for t, r in enumerate(rewards)))


def test_discounted_return_reference_passes(capsys):
    check_discounted_return(_discounted)
    assert "all 9 cases pass" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (
            lambda rewards, gamma: float(sum(r * gamma ** (t + 1) for t, r in enumerate(rewards))),
            "first reward is discounted too",
        ),
        (lambda rewards, gamma: float(sum(rewards)), "not discounted at all"),
        (lambda rewards, gamma: _discounted(rewards[::-1], gamma), "from the end backwards"),
        (lambda rewards, gamma: str(_discounted(rewards, gamma)), "expected a number"),
        (
            lambda rewards, gamma: rewards.append(0) or _discounted(rewards, gamma),
            "changed the rewards",
        ),
    ],
)
def test_discounted_return_mutants_fail(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_discounted_return(wrong)


def _bias(true_values, noise_std, samples, rng):
    noisy = true_values + rng.normal(0.0, noise_std, size=(samples, len(true_values)))
    return float(noisy.max(axis=1).mean() - true_values.max())


def test_max_bias_reference_passes(capsys):
    check_max_bias(_bias)
    assert "all 5 cases pass" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda t, s, n, rng: _bias(t, s, n, rng) + t.max(), "subtract max"),
        (
            lambda t, s, n, rng: float(
                (t + rng.normal(0, s, (n, len(t)))).mean(axis=1).mean() - t.mean()
            ),
            "no bias at all",
        ),
        (lambda t, s, n, rng: _bias(t, s, n, np.random.default_rng()), "same seed"),
        (lambda t, s, n, rng: [_bias(t, s, n, rng)], "expected a number"),
    ],
)
def test_max_bias_mutants_fail(wrong, message):
    with pytest.raises(ExerciseError, match=message):
        check_max_bias(wrong)


def test_small_buffer_rung_explains_a_frozen_config():
    def assigns(config):
        config.buffer_size = config.batch_size  # a DQNConfig is a frozen dataclass
        return config

    with pytest.raises(ExerciseError) as raised:
        check_small_buffer_rung(assigns)
    message = str(raised.value)
    assert "your assigns raised FrozenInstanceError" in message, message
    assert "test_checks_ladder.py" in message and "<string>" not in message, message
    assert "config.replace(buffer_size=...)" in message, message
