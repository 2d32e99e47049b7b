"""Exercise checks of notebooks/11_playground.py: the epsilon schedule, the hard target update,
and a prediction (what does a run without exploring starts do?).

Two of the playground's knobs, written by hand: ``linear_schedule`` (how epsilon and the
learning rate fall) and ``hard_update`` (the "hard (copy)" target update).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from dqn_lib.checks.harness import Check, choice, fmt, is_number, known_mistake, prediction, verdict
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import linear_schedule as reference_linear_schedule
from dqn_lib.env import SOLVED
from dqn_lib.i18n import tr
from dqn_lib.networks import new_q_network

_DEFAULT = DQNConfig()


_SCHEDULES = (
    (1.0, 0.0, 10),
    (_DEFAULT.epsilon_start, _DEFAULT.epsilon_end, _DEFAULT.epsilon_decay_steps),
    (_DEFAULT.learning_rate, _DEFAULT.final_learning_rate, _DEFAULT.learning_rate_decay_steps),
    (0.5, 0.5, 100),
)


def _random_schedules() -> list[tuple[float, float, int]]:
    """Three seeded random falling schedules (``start`` above ``end``), as epsilon's and the
    learning rate's are: the exercise never asks for a rising one."""
    rng = np.random.default_rng(2026)
    schedules = []
    for _ in range(3):
        start, end = sorted(rng.uniform(0.0, 1.0, size=2).round(3).tolist(), reverse=True)
        schedules.append((start, end, int(rng.integers(2, 5_000))))
    return schedules


def _schedule_steps(duration: int) -> list[int]:
    """Steps where the usual mistakes show: the ends, the middle, one past, far past."""
    steps = {0, 1, duration // 4, duration // 2, duration - 1, duration, duration + 1}
    return sorted(steps | {3 * duration})


def _schedule_mistake(got: float, start: float, end: float, duration: int, step: int) -> str:
    """Name the mistake by comparing the answer with the usual wrong formulas at ``step``."""
    fraction = step / duration
    guesses = {
        tr(
            "it keeps falling after `duration` steps and goes past `end`: stop at end, e.g. "
            "max(0.0, 1.0 - step / duration)"
        ): start + (end - start) * fraction,
        tr("it goes from end to start: start and end are swapped"): end
        + (start - end) * min(1.0, fraction),
        tr(
            "it is one step ahead: at step 0 the value must be start exactly, use step, not "
            "step + 1"
        ): reference_linear_schedule(start, end, duration, step + 1),
        tr("it reaches end one step early: divide by duration, not duration - 1"): start
        + (end - start) * min(1.0, step / (duration - 1)),
        tr("it reaches end one step late: divide by duration, not duration + 1"): start
        + (end - start) * min(1.0, step / (duration + 1)),
        tr(
            "it jumps from start to end instead of sliding: step // duration is an integer "
            "division, use step / duration"
        ): start + (end - start) * min(1.0, step // duration),
    }
    right = reference_linear_schedule(start, end, duration, step)
    return known_mistake(
        got,
        guesses,
        lambda got, value: abs(got - value) <= 1e-9 * max(1.0, abs(value)) and value != right,
        tr("compare with start + (end - start) * min(1.0, step / duration)"),
    )


def _differing(expected: float, got: float) -> str:
    """``expected X, got Y`` with as many digits as it takes for X and Y to differ."""
    for digits in range(6, 18):
        shown = f"{expected:.{digits}g}", f"{got:.{digits}g}"
        if shown[0] != shown[1]:
            break
    return tr("{expected}, got {got}").format(expected=shown[0], got=shown[1])


def check_linear_schedule(linear_schedule: Callable[[float, float, int, int], float]) -> None:
    """Check ``linear_schedule(start, end, duration, step) -> float``, like
    ``dqn_lib.linear_schedule``: ``start`` at step 0, ``end`` from step ``duration`` on, a
    straight line between.

    Taught in notebooks/11_playground.py. Tries a short schedule (1 to 0 over 10 steps),
    epsilon's and the learning rate's default schedules (``DQNConfig()``: 1.0 to 0.01 over
    10,000 steps, 5e-4 to 5e-5 over 16,000) and a constant one, then three seeded random falling
    ones, at the first step, the middle, the last step before the end, the end, one past and far
    past.
    """
    check = Check("check_linear_schedule")
    for start, end, duration in (*_SCHEDULES, *_random_schedules()):
        for step in check.each(_schedule_steps(duration)):
            where = f"linear_schedule(start={start}, end={end}, duration={duration}, step={step})"
            got = check.call(linear_schedule, start, end, duration, step, case=where)
            message = tr("{where} returned {got!r} of type {type}; expected a Python float.")
            check.expect(got, is_number, message, where=where, got=got)
            expected = reference_linear_schedule(start, end, duration, step)
            if abs(float(got) - expected) <= 1e-9 * max(1.0, abs(expected)):
                continue
            mistake = _schedule_mistake(float(got), start, end, duration, step)
            raise check.fail(
                tr("{where}: expected {values}. Likely mistake: {mistake}.").format(
                    where=where, values=_differing(expected, float(got)), mistake=mistake
                )
            )
    check.passed()


def _named_weights(network: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in network.named_parameters()}


def _networks(k: int, hidden: tuple[int, ...]) -> tuple[nn.Module, nn.Module]:
    """A target network (no gradients, as ``DQNAgent`` makes it) and an online network, each
    with weights of its own."""
    q_network = new_q_network(4, 2, seed=100 + k, hidden=hidden)
    target_network = new_q_network(4, 2, seed=k, hidden=hidden).requires_grad_(False)
    return target_network, q_network


def check_hard_update(hard_update: Callable[[nn.Module, nn.Module], object]) -> None:
    """Check ``hard_update(target_network, q_network)``: copy every weight of the online network
    into the target network, in place, as ``DQNAgent`` does every ``target_update_every`` steps.

    Taught in notebooks/11_playground.py. On three pairs of networks of different sizes: after
    the call every target weight must equal the online one, the online network must not change,
    and the target must hold copies, not the online network's own tensors (else the next
    gradient step of the online network would move the target too).
    """
    check = Check("check_hard_update")
    for k, hidden in check.each(enumerate(((32, 32), (64, 64), (8,)))):
        target_network, q_network = _networks(k, hidden)
        target_before, online_before = _named_weights(target_network), _named_weights(q_network)
        case = tr("networks with hidden layers {hidden}").format(hidden=hidden)
        check.call(hard_update, target_network, q_network, case=case)
        target_after, online_after = _named_weights(target_network), _named_weights(q_network)
        changed_online = [
            n for n in online_after if not torch.equal(online_after[n], online_before[n])
        ]
        if changed_online:
            copied_back = all(torch.equal(online_after[n], target_before[n]) for n in online_after)
            why = (
                tr(
                    "it copied the target network into q_network, the wrong direction: the target "
                    "follows the online network, hard_update(target_network, q_network) writes "
                    "into target_network"
                )
                if copied_back
                else tr("only the target network may change")
            )
            raise check.fail(
                tr("{case}: q_network's {parameter} changed. Likely mistake: {why}.").format(
                    case=case, parameter=changed_online[0], why=why
                )
            )
        copied = {n for n in target_after if torch.equal(target_after[n], online_before[n])}
        untouched = {n for n in target_after if torch.equal(target_after[n], target_before[n])}
        not_copied = [n for n in target_after if n not in copied]
        if not_copied and len(untouched) == len(target_after):
            first = not_copied[0]
            raise check.fail(
                tr(
                    "{case}: the target network did not change (its {parameter} starts with "
                    "{target}, the online one with {online}). Likely mistake: "
                    "`target_network = q_network` (or returning a copy) only rebinds a name "
                    "inside your function; copy into the target's own tensors, "
                    "target_network.load_state_dict(q_network.state_dict())."
                ).format(
                    case=case,
                    parameter=first,
                    target=fmt(target_before[first].flatten()[0]),
                    online=fmt(online_before[first].flatten()[0]),
                )
            )
        if not_copied and all(n in untouched for n in not_copied):
            raise check.fail(
                tr(
                    "{case}: {count} of {total} weight tensors were not copied: {names}. Likely "
                    "mistake: copy every parameter, not only the first layer's (or only the "
                    "weights, not the biases): load_state_dict, or a loop over "
                    "zip(target_network.parameters(), q_network.parameters())."
                ).format(
                    case=case,
                    count=len(not_copied),
                    total=len(target_after),
                    names=", ".join(not_copied),
                )
            )
        if not_copied:
            first = not_copied[0]
            gap = (target_after[first] - online_before[first]).abs().max()
            raise check.fail(
                tr(
                    "{case}: the target's {parameter} moved but is not q_network's (off by up to "
                    "{gap}). Likely mistake: a hard update copies the weights exactly, "
                    "target = online; moving part of the way, target + tau * (online - target), "
                    "is the soft update."
                ).format(case=case, parameter=first, gap=fmt(gap))
            )
        shared = [
            n
            for (n, t), o in zip(
                target_network.named_parameters(), q_network.parameters(), strict=True
            )
            if t.data_ptr() == o.data_ptr()
        ]
        if shared:
            raise check.fail(
                tr(
                    "{case}: the target's {parameter} is the very tensor of q_network, not a "
                    "copy: the next gradient step on q_network would move the target too. Likely "
                    "mistake: `target.data = online.data` or `target.weight = online.weight`; "
                    "copy the values with target.copy_(online) under torch.no_grad(), or "
                    "load_state_dict."
                ).format(case=case, parameter=shared[0])
            )
    check.passed()


RUN_3_OPTIONS = ("solved", "in between", "failing")


def check_run_3_prediction(my_prediction: Callable[[], Any], eval_returns: Sequence[float]) -> None:
    """Lesson 11's prediction: run 3's final greedy evaluation, ``"solved"`` (475 or more),
    ``"in between"`` (100 to 475) or ``"failing"`` (under 100).

    Taught in notebooks/11_playground.py.
    """
    check = Check("check_run_3_prediction")
    answer, _ = prediction(check, my_prediction)
    said = choice(check, answer, RUN_3_OPTIONS)
    final = float(eval_returns[-1])
    measured = "solved" if final >= SOLVED else ("in between" if final >= 100 else "failing")
    verdict(
        check,
        said == measured,
        repr(said),
        tr("{measured!r} (final evaluation {final:.1f}; best {best:.1f})").format(
            measured=measured, final=final, best=max(eval_returns)
        ),
        tr("One seed is one draw; section 1's ten seeds say what to expect."),
    )
