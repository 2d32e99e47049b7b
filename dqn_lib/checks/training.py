"""Exercise checks of notebooks/06_training.py: one training step, the moving average of a
learning curve, a find-the-bug exercise (a greedy evaluation that explores, or starts every
episode alike) and a prediction (does the original's bootstrapping bug cost much?).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from dqn_lib.checks.harness import (
    Check,
    choice,
    flat_weights,
    fmt,
    is_number,
    known_mistake,
    lean,
    linear_policy,
    prediction,
    verdict,
)
from dqn_lib.evaluation import evaluate
from dqn_lib.i18n import tr
from dqn_lib.networks import new_q_network
from dqn_lib.plots import moving_average as reference_moving_average

BUG_OPTIONS = ("lower", "about the same", "higher")


BUG_MARGIN = 10.0
"""Steps of mean final greedy return within which "about the same" holds."""


def check_bootstrap_bug_prediction(
    my_prediction: Callable[[], Any],
    corrected_finals: Sequence[float],
    as_written_finals: Sequence[float],
) -> None:
    """Lesson 6's prediction: with the original's TD target (bootstrapping through the fall),
    is the mean final greedy return over the seeds lower, about the same (within 10 steps) or
    higher than the corrected agent's?

    Taught in notebooks/06_training.py.
    """
    check = Check("check_bootstrap_bug_prediction")
    answer, _ = prediction(check, my_prediction)
    said = choice(check, answer, BUG_OPTIONS)
    difference = float(np.mean(as_written_finals) - np.mean(corrected_finals))
    measured = (
        "about the same"
        if abs(difference) <= BUG_MARGIN
        else ("lower" if difference < 0 else "higher")
    )
    verdict(
        check,
        said == measured,
        repr(said),
        tr(
            "{measured!r} (as written minus corrected: {difference:+.1f} steps over {seeds} seeds)"
        ).format(measured=measured, difference=difference, seeds=len(corrected_finals)),
        tr(
            "A bug in the target matters only where the target matters: read the lesson's 'Why "
            "so little?' for what the measurements say."
        ),
    )


def _reference_step(
    q_network: nn.Module,
    optimizer: torch.optim.Optimizer,
    observation: np.ndarray,
    action: int,
    reward: float,
    next_observation: np.ndarray,
    terminated: bool,
    gamma: float,
    *,
    detach_target: bool = True,
    zero_grad: bool = True,
    other_action: bool = False,
    loss_kind: str = "huber",
    bootstrap: str = "unless terminated",
    use_gamma: bool = True,
) -> float:
    """One update as OnlineAgent.observe makes it, or with one of the usual mistakes."""
    q = q_network(torch.as_tensor(observation))[1 - action if other_action else action]
    with torch.set_grad_enabled(not detach_target):
        next_q = q_network(torch.as_tensor(next_observation)).max()
    keep = {"unless terminated": not terminated, "always": True, "never": False}[bootstrap]
    target = reward + (gamma if use_gamma else 1.0) * float(keep) * next_q
    loss_fn = nn.SmoothL1Loss() if loss_kind == "huber" else nn.MSELoss()
    loss = loss_fn(q, target)
    if zero_grad:
        optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def _step_mistakes() -> dict[str, dict[str, Any]]:
    """The usual mistakes of a training step, each with what the message says about it (built
    at each check, so that it is said in the language chosen by then)."""
    return {
        tr(
            "the gradient flows through the target too: compute the next Q-values under "
            "torch.no_grad() (the target is a fixed number)"
        ): {"detach_target": False},
        tr(
            "gradients pile up from one call to the next: call optimizer.zero_grad() before "
            "loss.backward()"
        ): {"zero_grad": False},
        tr("it uses the Q-value of the other action: take q_network(observation)[action]"): {
            "other_action": True
        },
        tr("it uses the squared error; the exercise asks for the Huber loss, nn.SmoothL1Loss()"): {
            "loss_kind": "mse"
        },
        tr("it bootstraps through a terminated step: then the target is the reward alone"): {
            "bootstrap": "always"
        },
        tr("it never bootstraps: the target is reward + gamma * max next Q unless terminated"): {
            "bootstrap": "never"
        },
        tr("it forgets gamma in the target"): {"use_gamma": False},
    }


def _step_transitions() -> list[tuple[np.ndarray, int, float, np.ndarray, bool]]:
    rng = np.random.default_rng(5)
    fixed = [
        ([0.0, 0.1, 0.02, -0.1], 1, 0.3, [0.002, 0.3, 0.018, -0.4], False),
        ([0.1, -0.2, -0.05, 0.3], 0, 3.0, [0.1, -0.4, -0.04, 0.6], False),
        ([0.2, 0.5, 0.2, 1.0], 1, -5.0, [0.21, 0.7, 0.22, 1.3], True),
        ([-0.3, 0.0, 0.01, 0.0], 0, 1.0, [-0.3, -0.2, 0.01, 0.3], False),
    ]
    for _ in range(3):
        observation = rng.normal(0, 0.5, 4)
        fixed.append(
            (
                observation,
                int(rng.integers(2)),
                float(rng.normal(0, 2)),
                observation + rng.normal(0, 0.1, 4),
                bool(rng.random() < 0.3),
            )
        )
    return [
        (np.asarray(o, np.float32), a, r, np.asarray(n, np.float32), t) for o, a, r, n, t in fixed
    ]


def _plain_call(case: str, fn: Callable, *args: Any) -> Any:
    return fn(*args)


def _replay_steps(step: Callable, gamma: float, call: Callable = _plain_call) -> list:
    """Run ``step`` on the transitions from the same initial weights; record loss and weights.
    Each call is ``call(case, step, *args)`` (the learner's goes through ``Check.call``)."""
    network = new_q_network(4, 2, seed=3)
    optimizer = torch.optim.SGD(network.parameters(), lr=0.05)
    records = []
    for k, transition in enumerate(_step_transitions()):
        observation, action, reward, next_observation, terminated = transition
        case = tr("call {k} (action {action}, reward {reward}, terminated={terminated})").format(
            k=k, action=action, reward=fmt(reward), terminated=terminated
        )
        loss = call(
            case,
            step,
            network,
            optimizer,
            observation.copy(),
            action,
            reward,
            next_observation.copy(),
            terminated,
            gamma,
        )
        records.append((loss, flat_weights(network)))
    return records


def _same(a: tuple, b: tuple) -> bool:
    return abs(a[0] - b[0]) <= 1e-5 * max(1.0, abs(b[0])) and torch.allclose(a[1], b[1], atol=1e-5)


def check_training_step(train_step: Callable) -> None:
    """Check ``train_step(q_network, optimizer, observation, action, reward, next_observation,
    terminated, gamma) -> float``: one Huber-loss gradient step on one transition, as
    ``OnlineAgent.observe`` takes it.

    Taught in notebooks/06_training.py. Runs 7 transitions (fixed, then seeded random) through
    your function and through the reference, each on a copy of the same network with plain SGD,
    and compares the returned loss and the updated weights after each call.
    """
    check = Check("check_training_step")
    gamma = 0.9
    initial = flat_weights(new_q_network(4, 2, seed=3))

    def checked_call(case: str, fn: Callable, *args: Any) -> float:
        loss = check.call(fn, *args, case=case)
        if isinstance(loss, torch.Tensor):
            raise check.fail(
                tr(
                    "your train_step returned a tensor ({loss!r}); return the loss as a Python "
                    "float: loss.item()."
                ).format(loss=loss)
            )
        message = tr(
            "your train_step returned {loss!r} of type {type}; expected the loss as a Python "
            "float (loss.item())."
        )
        return float(check.expect(loss, is_number, message, loss=loss))

    got = _replay_steps(train_step, gamma, checked_call)
    expected = _replay_steps(_reference_step, gamma)
    transitions = _step_transitions()
    for k, (mine, reference) in check.each(enumerate(zip(got, expected, strict=True))):
        if _same(mine, reference):
            continue
        before = initial if k == 0 else got[k - 1][1]
        if torch.equal(mine[1], before):
            raise check.fail(
                tr(
                    "call {k}: your train_step did not change the network's weights: call "
                    "loss.backward() and then optimizer.step()."
                ).format(k=k)
            )
        mistake = known_mistake(
            got[: k + 1],
            _step_mistakes(),
            lambda mine, options: all(
                _same(m, v)
                for m, v in zip(
                    mine,
                    _replay_steps(functools.partial(_reference_step, **options), gamma),
                    strict=False,  # the calls up to this one
                )
            ),
            tr("compare your steps with OnlineAgent.observe in dqn_lib/agents.py"),
        )
        _, action, reward, _, terminated = transitions[k]
        what = (
            tr("expected loss {expected}, got {got}").format(
                expected=fmt(reference[0]), got=fmt(mine[0])
            )
            if abs(mine[0] - reference[0]) > 1e-5 * max(1.0, abs(reference[0]))
            else tr(
                "the loss is right ({loss}) but the updated weights differ by up to {difference}"
            ).format(loss=fmt(mine[0]), difference=fmt((mine[1] - reference[1]).abs().max()))
        )
        raise check.fail(
            tr(
                "call {k} (action {action}, reward {reward}, terminated={terminated}): {what}. "
                "Likely mistake: {mistake}."
            ).format(
                k=k,
                action=action,
                reward=fmt(reward),
                terminated=terminated,
                what=what,
                mistake=mistake,
            )
        )
    check.passed()


def _moving_average_variants(values: np.ndarray, window: int) -> dict[str, np.ndarray]:
    """The usual wrong moving averages, each with what the message says about it."""
    sums = np.cumsum(np.insert(values, 0, 0.0))
    starts = np.maximum(np.arange(1, len(values) + 1) - window, 0)
    variants = {
        tr(
            "it sums the values instead of averaging them: divide by how many values are in the "
            "window"
        ): sums[1:] - sums[starts],
        tr(
            "at the start it divides by the full window although fewer values are in it: divide "
            "by how many values the window holds (i + 1 for the first window - 1 points)"
        ): (sums[1:] - sums[starts]) / window,
        tr(
            "it averages a centred window (np.convolve(..., mode='same')): the average at step i "
            "uses step i and the window - 1 steps before it, never later ones"
        ): np.convolve(values, np.ones(window) / window, mode="same"),
    }
    for other in (window - 1, window + 1):
        if other >= 1:
            variants[
                tr("the window is one value off ({other} values instead of {window})").format(
                    other=other, window=window
                )
            ] = reference_moving_average(values, other)
    return variants


def check_moving_average(moving_average: Callable) -> None:
    """Check ``moving_average(values, window) -> np.ndarray``, like ``dqn_lib.moving_average``:
    one value per input, the mean of that value and the ``window - 1`` before it (fewer at the
    start).

    Taught in notebooks/06_training.py. Fixed cases (window 1, window 2, a window longer than
    the values) and seeded random returns of 60 episodes with a window of 10.
    """
    check = Check("check_moving_average")
    rng = np.random.default_rng(5)
    cases = [
        ([0.0, 2.0, 4.0, 6.0], 2),
        ([3.0, 1.0, 4.0, 1.0, 5.0], 1),
        ([9.0, 10.0, 12.0, 40.0, 8.0, 9.0, 30.0, 11.0], 3),
        (rng.integers(8, 500, size=60).astype(float).tolist(), 10),
        ([10.0, 20.0, 30.0], 5),
    ]
    for values, window in check.each(cases):
        expected = reference_moving_average(values, window)
        case = tr("for values {values} and window={window}").format(
            values=values if len(values) <= 8 else tr("(60 returns)"), window=window
        )
        got, _ = check.call_on_copies(moving_average, values, window, case=case)
        got_array = np.asarray(got, dtype=float)
        if got_array.shape != expected.shape:
            n, w = len(values), window
            if got_array.shape == (n - w + 1,) or (n < w and got_array.size == 0):
                mistake = tr(
                    "it keeps only the full windows (np.convolve mode 'valid'): the curve must "
                    "have one point per episode, averaging fewer values at the start"
                )
            elif got_array.shape == (n + w - 1,):
                mistake = tr(
                    "np.convolve mode 'full' adds window - 1 points at the end: one point per "
                    "episode"
                )
            else:
                mistake = tr("return one average per value")
            raise check.fail(
                tr(
                    "{case} expected {count} values, got shape {shape}. Likely mistake: {mistake}."
                ).format(case=case, count=len(expected), shape=got_array.shape, mistake=mistake)
            )
        if np.allclose(got_array, expected, atol=1e-6):
            continue
        mistake = known_mistake(
            got_array,
            _moving_average_variants(np.asarray(values), window),
            functools.partial(np.allclose, atol=1e-6),
            tr("each point is the mean of that value and the window - 1 values before it"),
        )
        i = int(np.abs(got_array - expected).argmax())
        raise check.fail(
            tr(
                "{case} point {i} should be {expected}, got {got}. Likely mistake: {mistake}."
            ).format(
                case=case, i=i, expected=fmt(expected[i]), got=fmt(got_array[i]), mistake=mistake
            )
        )
    check.passed()


class _ScriptedAgent:
    """An agent with a fixed greedy policy and epsilon-greedy exploration from its own seeded
    generator; it remembers whether it was asked to explore."""

    def __init__(self, policy: Callable[[np.ndarray], int], epsilon: float, seed: int) -> None:
        self.policy, self.epsilon, self.seed = policy, epsilon, seed
        self.rng = np.random.default_rng(seed)
        self.explored = 0

    def act(self, observation: np.ndarray, greedy: bool = False) -> int:
        if not greedy:
            self.explored += 1
            if self.rng.random() < self.epsilon:
                return int(self.rng.integers(2))
        return self.policy(observation)

    def __repr__(self) -> str:
        return tr("an agent (epsilon {epsilon}, seed {seed})").format(
            epsilon=self.epsilon, seed=self.seed
        )


def _one_start_mean(policy: Callable, seed: int) -> float:
    """The shown bug's mean: every episode reset with ``seed``, so one episode's return."""
    return float(np.mean(evaluate(policy, episodes=1, seed=seed)))


def _greedy_cases() -> list[tuple[str, Callable, float, int, int]]:
    """(label, policy, epsilon, episodes, seed), the label in the chosen language."""
    return [
        (tr("the lean policy"), lean, 0.5, 5, 100),
        (tr("a linear policy of all four numbers"), linear_policy, 0.5, 3, 2_000),
        (tr("the lean policy, one episode"), lean, 0.5, 1, 7),
    ]


def check_greedy_mean_return(greedy_mean_return: Callable[[Any, int, int], Any]) -> None:
    """Check ``greedy_mean_return(agent, episodes, seed)``: the mean return of the agent's greedy
    policy (``agent.act(observation, greedy=True)``) over ``episodes`` episodes, episode ``i``
    reset with ``seed + i``, as a Python float.

    Taught in notebooks/06_training.py. Tried with scripted agents whose exploring policy differs
    from their greedy one, and told apart from the two bugs the lesson shows.
    """
    check = Check("check_greedy_mean_return")
    for label, policy, epsilon, episodes, seed in check.each(_greedy_cases()):
        agent = _ScriptedAgent(policy, epsilon, seed)
        case = tr("{label} as the greedy policy, {episodes} episodes from seed {seed}").format(
            label=label, episodes=episodes, seed=seed
        )
        result = check.call(greedy_mean_return, agent, episodes, seed, case=case)
        if agent.explored:
            raise check.fail(
                tr(
                    "{case}: your function called agent.act(observation) {times} times without "
                    "greedy=True, so the agent explored (a random action one time in "
                    "{one_in:g}) during its evaluation. Pass greedy=True: an evaluation measures "
                    "the policy the agent would follow, not its exploration."
                ).format(case=case, times=agent.explored, one_in=1 / epsilon)
            )
        message = tr(
            "{case}: expected a Python float, got {type} {result!r:.60}; return float(...) of the "
            "mean."
        )
        check.expect(result, lambda r: type(r) is float, message, case=case, result=result)
        expected = float(np.mean(evaluate(policy, episodes=episodes, seed=seed)))
        if abs(result - expected) <= 1e-9:
            continue
        if episodes > 1 and abs(result - _one_start_mean(policy, seed)) <= 1e-9:
            raise check.fail(
                tr(
                    "{case}: got {result:g}, the mean of {episodes} copies of one episode: every "
                    "episode was reset with seed {seed}, so they all started in the same state. "
                    "Reset episode i with seed + i (expected {expected:g})."
                ).format(case=case, result=result, episodes=episodes, seed=seed, expected=expected)
            )
        raise check.fail(
            tr("{case}: got {result:g}, expected {expected:g}.").format(
                case=case, result=result, expected=expected
            )
        )
    check.passed()
