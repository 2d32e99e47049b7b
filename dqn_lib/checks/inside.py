"""Exercise checks of notebooks/10_inside.py: the Q-value grid, the share of terminal transitions
in a replay buffer, and a prediction (how often does each policy hold from wide starts?).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from dqn_lib.checks.harness import (
    Check,
    fmt,
    is_number,
    known_mistake,
    number_in_range,
    prediction,
    verdict,
)
from dqn_lib.env import MAX_EPISODE_STEPS
from dqn_lib.i18n import tr
from dqn_lib.inspection import q_value_grid as reference_q_value_grid
from dqn_lib.inspection import terminal_share as reference_terminal_share
from dqn_lib.networks import new_q_network
from dqn_lib.replay import ReplayBuffer


def _grid_cases() -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """(angles, angular_velocities, cart_position, cart_velocity), never two axes of one length."""
    rng = np.random.default_rng(7)
    cases = [
        (np.linspace(-0.2, 0.2, 5), np.linspace(-1.0, 1.0, 3), 0.0, 0.0),
        (np.linspace(-0.1, 0.15, 4), np.linspace(-2.0, 1.5, 6), 0.8, -0.5),
        (np.array([0.05]), np.linspace(-0.5, 0.5, 4), -1.2, 0.3),
    ]
    for _ in range(2):
        n_angles, n_velocities = rng.choice(np.arange(2, 9), size=2, replace=False)
        cases.append(
            (
                np.sort(rng.uniform(-0.2, 0.2, n_angles)),
                np.sort(rng.uniform(-2.0, 2.0, n_velocities)),
                float(rng.uniform(-2, 2)),
                float(rng.uniform(-1, 1)),
            )
        )
    return cases


def _grid_of(network: torch.nn.Module, columns: Callable, angles, velocities, x, v) -> np.ndarray:
    """A wrong variant: the observation built by ``columns(angle, velocity, x, v)``."""
    angle, velocity = np.meshgrid(angles, velocities)
    observations = np.stack(np.broadcast_arrays(*columns(angle, velocity, x, v)), axis=-1).astype(
        np.float32
    )
    with torch.no_grad():
        return network(torch.from_numpy(observations)).numpy()


def _grid_mistakes() -> dict[str, Callable]:
    """Each wrong variant's likely mistake (in the chosen language) and its observation."""
    return {
        tr(
            "the pole angle and its angular velocity are swapped in the observation; the order "
            "is (cart position, cart velocity, pole angle, pole angular velocity)"
        ): (lambda a, w, x, v: (x, v, w, a)),
        tr(
            "the angles went into the first two places of the observation; the order is (cart "
            "position, cart velocity, pole angle, pole angular velocity)"
        ): (lambda a, w, x, v: (a, w, x, v)),
        tr(
            "cart_position and cart_velocity are ignored (set to 0): put them in the first two "
            "places of every observation"
        ): (lambda a, w, x, v: (0.0, 0.0, a, w)),
        tr("cart_position and cart_velocity are swapped"): (lambda a, w, x, v: (v, x, a, w)),
        tr("the angles are converted again: they are already in radians, as in an observation"): (
            lambda a, w, x, v: (x, v, np.radians(a), np.radians(w))
        ),
    }


def _ij_reshaped(network: torch.nn.Module, angles, velocities, x, v) -> np.ndarray:
    """The wrong variant built in (angle, velocity) order, then reshaped to the expected shape."""
    angle, velocity = np.meshgrid(angles, velocities, indexing="ij")  # (n_angles, n_velocities)
    observations = np.stack(np.broadcast_arrays(x, v, angle, velocity), axis=-1)
    with torch.no_grad():
        q = network(torch.from_numpy(observations.reshape(-1, 4).astype(np.float32))).numpy()
    return q.reshape(len(velocities), len(angles), -1)


def _as_array(check: Check, value: object, expected_shape: tuple[int, ...]) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().numpy()
    message = tr(
        "your function returned {type}; expected a NumPy array of shape {shape} (a tensor is fine "
        "too)."
    )
    return check.expect(value, np.ndarray, message, shape=expected_shape)


def _shape_mistake(shape: tuple[int, ...], expected: tuple[int, ...]) -> str:
    n_velocities, n_angles, n_actions = expected
    if shape == (n_angles, n_velocities, n_actions):
        return tr(
            "the rows are the angles; row i must be angular velocity i and column j angle j "
            "(np.meshgrid(angles, angular_velocities) gives that order)"
        )
    if shape == (n_velocities * n_angles, n_actions):
        return tr("reshape the network's output to (n_velocities, n_angles, n_actions)")
    if shape in ((n_velocities, n_angles), (n_angles, n_velocities)):
        return tr(
            "keep every action's Q-value, the last axis, not only the largest or one action's"
        )
    return tr("one Q-value per action for every (angular velocity, angle) pair")


def check_q_value_grid(q_value_grid: Callable) -> None:
    """Check ``q_value_grid(q_network, angles, angular_velocities, cart_position,
    cart_velocity) -> array (n_velocities, n_angles, n_actions)``.

    Taught in notebooks/10_inside.py (``dqn_lib.inspection.q_value_grid``). Five cases on a
    small seeded network, never with as many angles as angular velocities (so swapped axes
    show), three with the cart away from the centre; each is compared with the reference.
    """
    check = Check("check_q_value_grid")
    network = new_q_network(4, 2, seed=7, hidden=(16, 16))
    for k, (angles, velocities, x, v) in check.each(enumerate(_grid_cases())):
        case = tr(
            "case {k} ({angles} angles, {velocities} angular velocities, cart at {x} m moving "
            "{v} m/s)"
        ).format(k=k, angles=len(angles), velocities=len(velocities), x=fmt(x), v=fmt(v))
        expected = reference_q_value_grid(network, angles, velocities, x, v)
        got, _ = check.call_on_copies(q_value_grid, network, angles, velocities, x, v, case=case)
        got = _as_array(check, got, expected.shape)
        if got.shape != expected.shape:
            raise check.fail(
                tr(
                    "{case}: expected shape {expected} (angular velocities, angles, actions), "
                    "got {got}. Likely mistake: {mistake}."
                ).format(
                    case=case,
                    expected=expected.shape,
                    got=got.shape,
                    mistake=_shape_mistake(got.shape, expected.shape),
                )
            )
        got = got.astype(np.float64)
        if np.allclose(got, expected, atol=1e-5):
            continue
        variants = {
            text: _grid_of(network, columns, angles, velocities, x, v)
            for text, columns in _grid_mistakes().items()
        }
        variants[
            tr(
                "the grid was built in (angle, angular velocity) order and then reshaped, which "
                "pairs the wrong values: build it with np.meshgrid(angles, angular_velocities)"
            )
        ] = _ij_reshaped(network, angles, velocities, x, v)
        mistake = known_mistake(
            got,
            variants,
            functools.partial(np.allclose, atol=1e-5),
            tr(
                "build one observation (cart_position, cart_velocity, angle, angular velocity) "
                "per grid point and pass them through the network as a batch"
            ),
        )
        i, j, a = np.unravel_index(np.abs(got - expected).argmax(), got.shape)
        raise check.fail(
            tr(
                "{case}: at row {i} (angular velocity {velocity} rad/s), column {j} (angle "
                "{angle} rad), action {a} expected Q {expected}, got {got}. Likely mistake: "
                "{mistake}."
            ).format(
                case=case,
                i=i,
                velocity=fmt(velocities[i]),
                j=j,
                angle=fmt(angles[j]),
                a=a,
                expected=fmt(expected[i, j, a]),
                got=fmt(got[i, j, a]),
                mistake=mistake,
            )
        )
    check.passed()


def _buffer(capacity: int, flags: list[tuple[bool, bool]]) -> ReplayBuffer:
    """A buffer of ``(terminated, truncated)`` transitions; every reward is CartPole's +1."""
    buffer = ReplayBuffer(capacity, 4, seed=0)
    for k, (terminated, truncated) in enumerate(flags):
        observation = np.full(4, 0.01 * k, dtype=np.float32)
        buffer.add(observation, k % 2, 1.0, observation + 0.01, terminated, truncated)
    return buffer


def _share_cases() -> list[tuple[str, ReplayBuffer]]:
    plain, end, cut = (False, False), (True, False), (False, True)
    return [
        (tr("capacity 10, holding 4 transitions, 1 terminated"), _buffer(10, [plain] * 3 + [end])),
        (
            tr("capacity 8, holding 6 transitions: 1 terminated, 2 truncated (time-outs)"),
            _buffer(8, [plain, cut, plain, end, plain, cut]),
        ),
        (
            tr(
                "capacity 5, full: 7 added, the first 2 (both terminated) overwritten, 1 of the 5 "
                "left terminated"
            ),
            _buffer(5, [end, end, plain, plain, end, plain, plain]),
        ),
        (tr("capacity 20, holding 5 transitions, none terminated"), _buffer(20, [plain] * 5)),
        (tr("capacity 4, full, 2 terminated and 1 truncated"), _buffer(4, [end, cut, plain, end])),
        *_random_share_cases(),
    ]


def _random_share_cases() -> list[tuple[str, ReplayBuffer]]:
    """Two seeded random buffers, one not full and one overwritten, of random flags."""
    rng = np.random.default_rng(2026)
    cases = []
    for full in (False, True):
        capacity = int(rng.integers(8, 60))
        added = int(rng.integers(capacity + 1, 3 * capacity) if full else rng.integers(2, capacity))
        kinds = rng.choice(3, size=added, p=[0.7, 0.2, 0.1])  # 0 plain, 1 terminated, 2 truncated
        flags = [(bool(k == 1), bool(k == 2)) for k in kinds]
        buffer = _buffer(capacity, flags)
        stored = int(buffer.terminated[: buffer.size].sum())
        cases.append(
            (
                tr(
                    "capacity {capacity} drawn at random, {added} random transitions added, "
                    "{stored} of the {size} stored terminated"
                ).format(capacity=capacity, added=added, stored=stored, size=buffer.size),
                buffer,
            )
        )
    return cases


def _share_mistake(got: float, buffer: ReplayBuffer, expected: float) -> str:
    size, capacity = buffer.size, buffer.capacity
    terminated, truncated = buffer.terminated[:size], buffer.truncated[:size]
    guesses = [
        (terminated.sum(), tr("it returns a count: divide by the number of stored transitions")),
        (100 * expected, tr("it returns a percentage: return a fraction between 0 and 1")),
        (
            terminated.sum() / capacity,
            tr(
                "it divides by the capacity: only the first replay_buffer.size slots hold "
                "transitions (the rest are empty, all False)"
            ),
        ),
        (
            (terminated | truncated).mean(),
            tr(
                "it counts truncated transitions (the 500-step time limit) too: only a "
                "termination is a fall"
            ),
        ),
        (
            (buffer.rewards[:size] < 0).mean(),
            tr(
                "it looks at the rewards: whether a transition ended the episode is in "
                "replay_buffer.terminated (CartPole's own reward is +1 on the last step too)"
            ),
        ),
        (1 - expected, tr("it returns the share of transitions that are not terminations")),
    ]
    return known_mistake(
        got,
        ((text, value) for value, text in guesses),
        np.isclose,
        tr("the share is terminated[:size].mean(): terminations among the stored transitions"),
    )


def check_terminal_share(terminal_share: Callable) -> None:
    """Check ``terminal_share(replay_buffer) -> float``, the fraction of the transitions stored
    in a ``ReplayBuffer`` that are terminations.

    Taught in notebooks/10_inside.py (``dqn_lib.inspection.terminal_share``). Five small
    buffers: not full, full after overwriting, with truncated transitions, with none
    terminated; then two seeded random ones. Every reward is CartPole's own +1.
    """
    check = Check("check_terminal_share")
    for description, buffer in check.each(_share_cases()):
        expected = reference_terminal_share(buffer)
        before = {field: getattr(buffer, field).copy() for field in ("terminated", "truncated")}
        case = tr("for a buffer of {description}").format(description=description)
        got: Any = check.call(terminal_share, buffer, case=case)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        message = tr(
            "for a buffer of {description}, your function returned {got!r} of type {type}; "
            "expected a number, the fraction {expected}."
        )
        check.expect(
            got, is_number, message, description=description, got=got, expected=fmt(expected)
        )
        if any(not np.array_equal(getattr(buffer, f), before[f]) for f in before):
            raise check.fail(
                tr(
                    "for a buffer of {description}, your function changed the buffer's arrays: "
                    "read them, never write to them."
                ).format(description=description)
            )
        if not np.isclose(float(got), expected):
            raise check.fail(
                tr(
                    "for a buffer of {description}: expected {expected}, got {got}. Likely "
                    "mistake: {mistake}."
                ).format(
                    description=description,
                    expected=fmt(expected),
                    got=fmt(got),
                    mistake=_share_mistake(float(got), buffer, expected),
                )
            )
    check.passed()


def check_wide_starts_prediction(
    my_prediction: Callable[[], Any], dqn_returns: Sequence[float], linear_returns: Sequence[float]
) -> None:
    """Lesson 10's prediction: of the wide perturbed starts, how many episodes will the DQN (the
    checkpoint) and the four-gain linear policy each hold to the 500-step limit? ``answer`` is a
    pair of counts; each counts as close within 10.

    Taught in notebooks/10_inside.py.
    """
    check = Check("check_wide_starts_prediction")
    answer, _ = prediction(check, my_prediction)
    n = len(dqn_returns)
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise check.fail(
            tr(
                "the answer {answer!r:.80} is not a pair; answer (dqn_count, linear_count), two "
                "numbers of episodes out of {n}."
            ).format(answer=answer, n=n)
        )
    guesses = [
        number_in_range(check, value, what, 0, n)
        for value, what in zip(
            answer, (tr("the DQN's count"), tr("the linear policy's count")), strict=True
        )
    ]
    held = [int(np.sum(np.asarray(r) >= MAX_EPISODE_STEPS)) for r in (dqn_returns, linear_returns)]
    close = all(abs(g - h) <= 10 for g, h in zip(guesses, held, strict=True))
    verdict(
        check,
        close,
        tr("DQN {dqn:g}, linear policy {linear:g} of {n}").format(
            dqn=guesses[0], linear=guesses[1], n=n
        ),
        tr("DQN {dqn}, linear policy {linear} of {n}").format(dqn=held[0], linear=held[1], n=n),
        tr(
            "Close means within 10 of each. A policy holds from the starts it learned to come "
            "back from: the lesson's next figures show where the DQN's failures start."
        ),
    )
