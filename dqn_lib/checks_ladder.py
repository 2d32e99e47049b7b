"""Exercise checks of the ladder lessons: notebooks/07_replay.py, notebooks/08_target_network.py
and notebooks/09_double_dqn.py.

Each check tries the learner's function on fixed cases chosen to expose the usual mistakes and on
seeded random ones, and raises ``ExerciseError`` with a message that names the case, what was
expected, what came back and the likely mistake (see ``dqn_lib.checks``).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import numbers
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from dqn_lib.checks import ExerciseError, _call, _fail, _passed, _type_name
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import DQNAgent
from dqn_lib.i18n import tr
from dqn_lib.networks import new_q_network

__all__ = [
    "check_discounted_return",
    "check_max_bias",
    "check_small_buffer_rung",
    "check_target_network_copy",
]

# --- Lesson 7: the small-buffer rung as a config -------------------------------------------------


def check_small_buffer_rung(small_buffer_rung: Callable) -> None:
    """Check ``small_buffer_rung(config) -> DQNConfig``: the same settings with a replay buffer
    that holds exactly one batch, ``buffer_size = config.batch_size``, nothing else changed.

    Taught in notebooks/07_replay.py (the ``small_buffer`` preset). Tried on the defaults and on
    three configs that differ from them, two with other batch sizes, so that a size written as a
    number, or a config built from the defaults rather than from ``config``, is caught; then a
    ``DQNAgent`` built from the answer must keep only the latest batch of transitions.
    """
    name = "check_small_buffer_rung"
    configs = [
        DQNConfig(),
        DQNConfig(gamma=0.95, learning_rate=1e-3, hidden=(32, 32)),
        DQNConfig(batch_size=32, buffer_size=1_000, tau=0.05),
        DQNConfig(batch_size=64, target_update="none", double_dqn=False, epsilon_end=0.05),
    ]
    results = []
    for config in configs:
        original = copy.deepcopy(config)
        case = f"config={_short(config)}"
        result = _call(name, small_buffer_rung, config, case=case, hint=_frozen_hint)
        if config != original:
            raise _fail(
                name,
                tr(
                    "{case}: your function changed the config it was given ({changes}); return "
                    "a new one with config.replace(...) and leave config as it was."
                ).format(case=case, changes=_changes(_differences(original, config))),
            )
        if not isinstance(result, DQNConfig):
            raise _fail(
                name,
                tr(
                    "{case}: expected a DQNConfig, got {type}. Build it with "
                    "config.replace(...), which returns a new, checked config."
                ).format(case=case, type=_type_name(result)),
            )
        changed = _differences(config, result)
        if (result.buffer_size, result.batch_size) == (1, 1):
            raise _fail(
                name,
                tr(
                    "{case}: buffer_size=1, batch_size=1 is the online rung: it takes the batch "
                    "away as well as the memory. Keep the batch; shrink only the buffer, to one "
                    "batch ({batch_size} transitions here)."
                ).format(case=case, batch_size=config.batch_size),
            )
        if "batch_size" in changed:
            raise _fail(
                name,
                tr(
                    "{case}: your batch_size is {got}; expected {batch_size}, the config's own. "
                    "The small-buffer rung keeps the batch and changes the memory."
                ).format(case=case, got=result.batch_size, batch_size=config.batch_size),
            )
        wrong = {k: v for k, v in changed.items() if k != "buffer_size"}
        if wrong:
            raise _fail(
                name,
                tr(
                    "{case}: these settings changed too: {changes}. A rung changes one idea: keep "
                    "everything but the buffer's size (config.replace(...) keeps the rest)."
                ).format(case=case, changes=_changes(wrong)),
            )
        if result.buffer_size != config.batch_size:
            hint = (
                tr(" Take it from config.batch_size, not a number: the batch is not always 128.")
                if result.buffer_size == DQNConfig().batch_size
                else ""
            )
            raise _fail(
                name,
                tr(
                    "{case}: buffer_size={buffer_size}; expected {batch_size}, one batch of this "
                    "config (batch_size={batch_size}).{hint}"
                ).format(
                    case=case,
                    buffer_size=result.buffer_size,
                    batch_size=config.batch_size,
                    hint=hint,
                ),
            )
        results.append(result)
    _check_keeps_one_batch(name, results[2])
    _passed(name, len(configs) + 1)


def _frozen_hint(error: Exception) -> str | None:
    if isinstance(error, dataclasses.FrozenInstanceError):
        return tr(
            "a DQNConfig is frozen, so that no run changes another's settings: build a new one, "
            "config.replace(buffer_size=...)"
        )
    return None


def _check_keeps_one_batch(name: str, config: DQNConfig) -> None:
    """An agent built from the answer remembers the latest ``batch_size`` transitions only."""
    agent = DQNAgent(config, seed=0)
    n = config.batch_size + 8
    for i in range(n):
        observation = np.full(4, float(i), dtype=np.float32)
        agent.observe(observation, 0, 1.0, observation, False, False)
    held = np.unique(agent.replay_buffer.sample(2_000).observations[:, 0]).astype(int).tolist()
    latest = list(range(n - config.batch_size, n))
    if held != latest:
        raise _fail(
            name,
            tr(
                "after {n} steps, an agent built from your config for batch_size={batch_size} "
                "draws from transitions {first} to {last} ({count} of them); expected the latest "
                "{batch_size}, {latest_first} to {latest_last}."
            ).format(
                n=n,
                batch_size=config.batch_size,
                first=held[0],
                last=held[-1],
                count=len(held),
                latest_first=latest[0],
                latest_last=latest[-1],
            ),
        )


def _differences(before: DQNConfig, after: DQNConfig) -> dict:
    return {
        f.name: (getattr(before, f.name), getattr(after, f.name))
        for f in dataclasses.fields(DQNConfig)
        if getattr(before, f.name) != getattr(after, f.name)
    }


def _short(config: DQNConfig) -> str:
    default = DQNConfig()
    changed = [
        f"{f.name}={getattr(config, f.name)!r}"
        for f in dataclasses.fields(DQNConfig)
        if getattr(config, f.name) != getattr(default, f.name)
    ]
    return "DQNConfig(" + ", ".join(changed) + ")"


def _changes(changed: dict) -> str:
    return ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in changed.items())


# --- Lesson 8: a target network that is really a copy --------------------------------------------


def _network_cases() -> list[nn.Module]:
    return [
        new_q_network(4, 2, seed=0, hidden=(32, 32)),
        new_q_network(4, 2, seed=1, hidden=(64, 64)),
        new_q_network(4, 3, seed=2, hidden=(8,)),
    ]


def check_target_network_copy(make_target_network: Callable) -> None:
    """Check ``make_target_network(q_network) -> nn.Module``: an independent copy with the same
    weights, which no gradient step of the Q-network can move.

    Taught in notebooks/08_target_network.py. The bugs it catches: returning the Q-network itself,
    a shallow copy that shares its parameters, a fresh network with other weights, a copy that
    still asks for gradients, and a change to the Q-network.
    """
    name = "check_target_network_copy"
    inputs = torch.randn(16, 4, generator=torch.Generator().manual_seed(0))
    cases = _network_cases()
    for k, q_network in enumerate(cases):
        case = tr("network {k} ({parameters} parameters)").format(
            k=k, parameters=sum(p.numel() for p in q_network.parameters())
        )
        before = [p.detach().clone() for p in q_network.parameters()]
        target = _call(name, make_target_network, q_network, case=case)
        if not isinstance(target, nn.Module):
            raise _fail(
                name,
                tr("{case}: expected an nn.Module, got {type}.").format(
                    case=case, type=_type_name(target)
                ),
            )
        if target is q_network:
            raise _fail(
                name,
                tr(
                    "{case}: you returned the Q-network itself: every update would move the "
                    "'target' too, which is no target network at all. Return a copy "
                    "(copy.deepcopy)."
                ).format(case=case),
            )
        if any(not torch.equal(b, p) for b, p in zip(before, q_network.parameters(), strict=True)):
            raise _fail(
                name, tr("{case}: your function changed the Q-network's weights.").format(case=case)
            )
        with torch.no_grad():
            same = torch.equal(target(inputs), q_network(inputs))
        if not same:
            raise _fail(
                name,
                tr(
                    "{case}: the target network's Q-values differ from the Q-network's: a target "
                    "network starts as an exact copy (same weights), not a new network."
                ).format(case=case),
            )
        shared = {p.data_ptr() for p in q_network.parameters()} & {
            p.data_ptr() for p in target.parameters()
        }
        if shared:
            raise _fail(
                name,
                tr(
                    "{case}: the target network shares {shared} weight tensors with the "
                    "Q-network (a shallow copy, copy.copy, or the same layers in a new "
                    "container): a gradient step on the Q-network moves the target too. Use "
                    "copy.deepcopy."
                ).format(case=case, shared=len(shared)),
            )
        if any(p.requires_grad for p in target.parameters()):
            raise _fail(
                name,
                tr(
                    "{case}: the target network's weights still require gradients. It is never "
                    "trained: call .requires_grad_(False) on it, so no optimizer or loss can move "
                    "it by mistake."
                ).format(case=case),
            )
        if not all(p.requires_grad for p in q_network.parameters()):
            raise _fail(
                name,
                tr(
                    "{case}: your function turned off the Q-network's gradients: the Q-network "
                    "must keep learning. Turn them off on the copy only."
                ).format(case=case),
            )
        optimizer = torch.optim.SGD(q_network.parameters(), lr=0.1)
        q_network(inputs).sum().backward()
        optimizer.step()
        with torch.no_grad():
            if torch.equal(target(inputs), q_network(inputs)):
                raise _fail(
                    name,
                    tr("{case}: a gradient step on the Q-network moved the target.").format(
                        case=case
                    ),
                )
    _passed(name, len(cases))


# --- Lesson 9: the discounted return, and the bias of a max --------------------------------------


def _reference_discounted(rewards: list[float], gamma: float) -> float:
    return float(sum(r * gamma**t for t, r in enumerate(rewards)))


def check_discounted_return(discounted_return: Callable) -> None:
    """Check ``discounted_return(rewards, gamma) -> float``: ``sum_t gamma**t * rewards[t]``, the
    value a start state *obtained*, with the first reward undiscounted.

    Taught in notebooks/09_double_dqn.py.
    """
    name = "check_discounted_return"
    rng = np.random.default_rng(8)
    cases = [
        ([1.0, 1.0, 1.0], 0.5),
        ([1.0] * 500, 0.99),
        ([0.0, 0.0, 10.0], 0.9),
        ([5.0], 0.99),
        ([1.0, 2.0, 3.0], 1.0),
        ([1.0, 2.0], 0.0),
    ]
    cases += [
        (list(np.round(rng.normal(size=int(rng.integers(1, 40))), 3)), 0.97) for _ in range(3)
    ]
    for rewards, gamma in cases:
        given = list(rewards)
        shown = (
            rewards
            if len(rewards) <= 6
            else tr("{count} rewards {first}...").format(count=len(rewards), first=rewards[:3])
        )
        case = f"rewards={shown}, gamma={gamma}"
        result = _call(name, discounted_return, given, gamma, case=case)
        if given != list(rewards):
            raise _fail(
                name,
                tr("{case}: your function changed the rewards it was given.").format(case=case),
            )
        if isinstance(result, bool) or not isinstance(result, numbers.Real):
            raise _fail(
                name,
                tr("{case}: expected a number, got {type}.").format(
                    case=case, type=_type_name(result)
                ),
            )
        expected = _reference_discounted(rewards, gamma)
        if math.isclose(float(result), expected, rel_tol=1e-6, abs_tol=1e-9):
            continue
        mistakes = {
            tr(
                "the first reward is discounted too (gamma**(t + 1)); the first step counts fully"
            ): gamma * expected,
            tr("the rewards are discounted from the end backwards (gamma**(T - 1 - t))"): (
                _reference_discounted(list(reversed(rewards)), gamma)
            ),
            tr("the rewards are not discounted at all"): float(sum(rewards)),
            tr("only the last reward is kept"): float(rewards[-1]) if rewards else 0.0,
        }
        likely = next(
            (m for m, v in mistakes.items() if math.isclose(float(result), v, rel_tol=1e-6)),
            tr("each reward is multiplied by gamma**t, t = 0 for the first"),
        )
        raise _fail(
            name,
            tr("{case}: expected {expected:.6g}, got {got:.6g}. Likely mistake: {likely}.").format(
                case=case, expected=expected, got=float(result), likely=likely
            ),
        )
    _passed(name, len(cases))


def _reference_bias(true_values: np.ndarray, noise_std: float, samples: int) -> tuple[float, float]:
    """The bias of the max by a large experiment of the check's own, and its standard error."""
    rng = np.random.default_rng(12345)
    noisy = true_values + rng.normal(0.0, noise_std, size=(200_000, len(true_values)))
    maxima = noisy.max(axis=1) - true_values.max()
    return float(maxima.mean()), float(maxima.std() / math.sqrt(samples))


def check_max_bias(max_bias: Callable) -> None:
    """Check ``max_bias(true_values, noise_std, samples, rng) -> float``: the mean, over
    ``samples`` draws, of ``max(true_values + noise) - max(true_values)``, the noise normal with
    standard deviation ``noise_std`` and drawn from ``rng`` only.

    Taught in notebooks/09_double_dqn.py. The answer is random, so it is compared with the check's
    own large experiment, within four standard errors; a repeat with a generator of the same seed
    must give the same answer.
    """
    name = "check_max_bias"
    cases = [
        ([0.0, 0.0], 1.0),
        ([0.0] * 10, 1.0),
        ([0.0, 10.0], 1.0),
        ([1.0, 1.0], 0.0),
        ([2.0, 1.5, 1.0], 0.5),
    ]
    samples = 20_000
    for true_values, noise_std in cases:
        case = f"true_values={true_values}, noise_std={noise_std}, samples={samples}"
        given = np.array(true_values)
        first, again = (
            _call(name, max_bias, given.copy(), noise_std, samples, rng, case=case)
            for rng in (np.random.default_rng(3), np.random.default_rng(3))
        )
        if isinstance(first, bool) or not isinstance(first, numbers.Real):
            raise _fail(
                name,
                tr("{case}: expected a number, got {type}.").format(
                    case=case, type=_type_name(first)
                ),
            )
        if first != again:
            raise _fail(
                name,
                tr(
                    "{case}: two calls with generators of the same seed gave {first:.4f} and "
                    "{again:.4f}: draw the noise from rng only (rng.normal(...)), not np.random."
                ).format(case=case, first=first, again=again),
            )
        expected, error = _reference_bias(given, noise_std, samples)
        if abs(float(first) - expected) <= 4 * error + 1e-9:
            continue
        if math.isclose(float(first), expected + given.max(), abs_tol=4 * error + 1e-9):
            likely = tr("you return the mean of the noisy maximum; subtract max(true_values)")
        elif abs(float(first)) <= 4 * error + 1e-9:
            likely = tr(
                "no bias at all: is it the mean over actions instead of the max, or the max "
                "of the true values instead of the noisy ones"
            )
        else:
            likely = tr("for each draw, take the max over actions of true_values + noise")
        raise ExerciseError(
            tr(
                "{name}: {case}: expected about {expected:.3f} (+- {margin:.3f}), got "
                "{got:.4f}. Likely mistake: {likely}."
            ).format(
                name=name,
                case=case,
                expected=expected + 0.0,
                margin=4 * error,
                got=float(first),
                likely=likely,
            )
        )
    _passed(name, len(cases))
