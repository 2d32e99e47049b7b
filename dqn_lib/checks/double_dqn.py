"""Exercise checks of notebooks/09_double_dqn.py: the discounted return, and the bias of a max."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from dqn_lib.checks.harness import Check, ExerciseError, is_number, known_mistake
from dqn_lib.i18n import tr


def _reference_discounted(rewards: list[float], gamma: float) -> float:
    return float(sum(r * gamma**t for t, r in enumerate(rewards)))


def check_discounted_return(discounted_return: Callable) -> None:
    """Check ``discounted_return(rewards, gamma) -> float``: ``sum_t gamma**t * rewards[t]``, the
    value a start state *obtained*, with the first reward undiscounted.

    Taught in notebooks/09_double_dqn.py.
    """
    check = Check("check_discounted_return")
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
    for rewards, gamma in check.each(cases):
        shown = (
            rewards
            if len(rewards) <= 6
            else tr("{count} rewards {first}...").format(count=len(rewards), first=rewards[:3])
        )
        case = f"rewards={shown}, gamma={gamma}"
        result, (given, _) = check.call_on_copies(discounted_return, rewards, gamma, case=case)
        if given != list(rewards):
            raise check.fail(
                tr("{case}: your function changed the rewards it was given.").format(case=case)
            )
        check.expect(result, is_number, tr("{case}: expected a number, got {type}."), case=case)
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
        likely = known_mistake(
            float(result),
            mistakes,
            lambda got, v: math.isclose(got, v, rel_tol=1e-6),
            tr("each reward is multiplied by gamma**t, t = 0 for the first"),
        )
        raise check.fail(
            tr("{case}: expected {expected:.6g}, got {got:.6g}. Likely mistake: {likely}.").format(
                case=case, expected=expected, got=float(result), likely=likely
            )
        )
    check.passed()


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
    check = Check("check_max_bias")
    cases = [
        ([0.0, 0.0], 1.0),
        ([0.0] * 10, 1.0),
        ([0.0, 10.0], 1.0),
        ([1.0, 1.0], 0.0),
        ([2.0, 1.5, 1.0], 0.5),
    ]
    samples = 20_000
    for true_values, noise_std in check.each(cases):
        case = f"true_values={true_values}, noise_std={noise_std}, samples={samples}"
        given = np.array(true_values)
        first, again = (
            check.call_on_copies(max_bias, given, noise_std, samples, rng, case=case)[0]
            for rng in (np.random.default_rng(3), np.random.default_rng(3))
        )
        check.expect(first, is_number, tr("{case}: expected a number, got {type}."), case=case)
        if first != again:
            raise check.fail(
                tr(
                    "{case}: two calls with generators of the same seed gave {first:.4f} and "
                    "{again:.4f}: draw the noise from rng only (rng.normal(...)), not np.random."
                ).format(case=case, first=first, again=again)
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
                name=check.name,
                case=case,
                expected=expected + 0.0,
                margin=4 * error,
                got=float(first),
                likely=likely,
            )
        )
    check.passed()
