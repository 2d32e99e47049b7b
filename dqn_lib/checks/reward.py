"""Exercise checks of notebooks/05_reward.py: a reward function (also of notebooks/10_inside.py,
``"angle_and_position"``), and a prediction (which estimate of a value spreads more, a Monte Carlo
return or a TD target?).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from dqn_lib.checks.harness import Check, choice, fmt, is_number, prediction, type_name, verdict
from dqn_lib.env import OBSERVATION_NAMES, display_name, make_env
from dqn_lib.i18n import tr
from dqn_lib.rewards import FALL_PENALTY, POSITION_PENALTY, get_reward_function

SPREAD_OPTIONS = ("monte carlo", "td", "about the same")


def check_spread_prediction(
    my_prediction: Callable[[], Any],
    monte_carlo_returns: Sequence[float],
    td_targets: Sequence[float],
) -> None:
    """The reward lesson's prediction: over the same episodes from one start, which estimate of
    the start's value spreads more from episode to episode, the ``"monte carlo"`` return or the
    ``"td"`` target (with the measured value of the next state), or are they ``"about the
    same"`` (standard deviations within a quarter of the larger)?

    Taught in notebooks/05_reward.py.
    """
    check = Check("check_spread_prediction")
    answer, _ = prediction(check, my_prediction)
    said = choice(check, answer, SPREAD_OPTIONS)
    mc, td = float(np.std(monte_carlo_returns)), float(np.std(td_targets))
    if abs(mc - td) <= max(mc, td) / 4:
        measured = "about the same"
    else:
        measured = "monte carlo" if mc > td else "td"
    verdict(
        check,
        said == measured,
        repr(said),
        tr(
            "{measured!r} (standard deviation {mc:.2f} for the Monte Carlo returns, {td:.2f} for "
            "the TD targets, over {episodes:,} episodes)"
        ).format(measured=measured, mc=mc, td=td, episodes=len(td_targets)),
        tr(
            "A return adds up every coin flip of the episode; a TD target sees one step and "
            "leaves the rest to an estimate of the next state's value, the same each time that "
            "state comes."
        ),
    )


def _reward_cases() -> list[tuple[str, np.ndarray, float, bool]]:
    """Hand-made transitions, then transitions recorded from CartPole (random play, and the last
    step of an episode a good policy survives to the 500-step time limit)."""
    cases = [
        (tr("upright, centred"), np.array([0.0, 0.0, 0.0, 0.0]), 1.0, False),
        (tr("pole leaning right"), np.array([1.0, 0.3, 0.1, -0.2]), 1.0, False),
        (tr("pole leaning left"), np.array([-0.5, -0.4, -0.15, 0.6]), 1.0, False),
        (tr("cart far right, pole slightly left"), np.array([2.0, 0.1, -0.05, 0.0]), 1.0, False),
        (tr("the pole fell (terminated)"), np.array([0.3, 1.2, 0.22, 1.5]), 1.0, True),
        (tr("the cart left the track (terminated)"), np.array([-2.5, -1.0, -0.1, 0.4]), 1.0, True),
    ]
    rng = np.random.default_rng(4)
    env = make_env(seed=4)
    for episode in range(2):
        env.reset(seed=4 + episode)
        for step in range(500):
            observation, reward, terminated, truncated, _ = env.step(int(rng.integers(2)))
            if step % 3 == 0 or terminated:
                label = tr("recorded episode {episode}, step {step}").format(
                    episode=episode, step=step
                )
                cases.append((label, observation, float(reward), terminated))
            if terminated or truncated:
                break
    observation, _ = env.reset(seed=1)  # this policy survives seed 1's episode to the time limit
    for _ in range(500):
        action = 1 if observation[2] + observation[3] > 0 else 0
        observation, reward, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            break
    env.close()
    if not truncated or terminated:
        raise RuntimeError("the time-limit transition of check_reward_function was not reached")
    cases.append((tr("the last step of an episode cut by the time limit"), observation, 1.0, False))
    return cases


def _observation_name(index: int) -> str:
    """``OBSERVATION_NAMES[index]`` in the chosen language."""
    return display_name(OBSERVATION_NAMES[index])


def _index_swaps(
    reference: Callable, observation: np.ndarray, env_reward: float, terminated: bool
) -> dict[str, float]:
    """The reference's reward if it read the wrong entry of the observation."""
    swaps = {}
    for right in range(len(observation)):
        for wrong in range(len(observation)):
            if wrong != right:
                swapped = observation.copy()
                swapped[right] = observation[wrong]
                text = tr(
                    "it reads observation[{wrong}] ({wrong_name}) where it should "
                    "read observation[{right}] ({right_name})"
                ).format(
                    wrong=wrong,
                    wrong_name=_observation_name(wrong),
                    right=right,
                    right_name=_observation_name(right),
                )
                swaps[text] = reference(swapped, env_reward, terminated)
    return swaps


def _index_swap_mistake(
    reference: Callable, results: list[float], cases: list, wrong: list[int]
) -> str | None:
    """The wrong entry of the observation the answer reads, if one swap explains every wrong
    step (one step alone can match a swap by accident: a position of exactly 1.0, say)."""
    explained: set[str] | None = None
    for j in wrong:
        swaps = _index_swaps(reference, *cases[j][1:])
        matching = {text for text, value in swaps.items() if abs(value - results[j]) < 1e-6}
        explained = matching if explained is None else explained & matching
        if not explained:
            return None
    return min(explained) if explained else None


def _cart_term_mistake(results: list[float], cases: list) -> str | None:
    """What is wrong with the cart's term of an ``angle_and_position`` answer, found from the
    answers on every ongoing step: what the answer adds to the lesson's ``pole_angle_reward``
    should be ``-POSITION_PENALTY * |position|``."""
    angle_reward = get_reward_function("pole_angle")
    ongoing = [(r, c[1]) for r, c in zip(results, cases, strict=True) if not c[3]]
    cart_terms = np.array([r - angle_reward(o, 1.0, False) for r, o in ongoing])
    positions = np.array([float(o[0]) for _, o in ongoing])
    if np.allclose(cart_terms, 0.0, atol=1e-6):
        return tr(
            "it ignores the cart: that is the lesson's pole_angle_reward; subtract "
            "{penalty} * |cart position| (next_observation[0]) on every step that did "
            "not terminate"
        ).format(penalty=POSITION_PENALTY)
    if np.allclose(cart_terms, POSITION_PENALTY * np.abs(positions), atol=1e-6):
        return tr(
            "the cart's term has the wrong sign: being off centre must cost, so subtract "
            "{penalty} * |cart position|, do not add it"
        ).format(penalty=POSITION_PENALTY)
    if np.allclose(cart_terms, -POSITION_PENALTY * positions, atol=1e-6):
        return tr(
            "take abs() of the cart position: a cart left of centre (negative position) must "
            "cost as much as one the same distance to the right"
        )
    far = np.abs(positions) > 1e-3
    if far.any():
        factors = -cart_terms[far] / np.abs(positions[far])
        if np.allclose(factors, factors[0], atol=1e-6):
            return tr(
                "the cart's term is {factor} * |cart position|; the factor is "
                "{penalty} (dqn_lib.POSITION_PENALTY): 1 m off centre costs as much "
                "as a {penalty} rad lean"
            ).format(factor=fmt(factors[0]), penalty=POSITION_PENALTY)
    return None


def check_reward_function(reward_fn: Callable, name: str = "pole_angle") -> None:
    """Check a reward function ``reward_fn(next_observation, env_reward, terminated) -> float``
    against the library's reward called ``name`` (``dqn_lib.REWARD_FUNCTIONS``).

    Taught in notebooks/05_reward.py (and notebooks/10_inside.py for ``"angle_and_position"``).
    Hand-made and recorded transitions, falls and a time-limit step included. Only a termination
    is punished with -5: there is no ``truncated`` argument, so a -5 on a step with
    ``terminated=False`` punishes an ordinary step or the time limit.
    """
    check = Check("check_reward_function")
    reference = get_reward_function(name)
    cases = _reward_cases()
    results = []
    for label, observation, env_reward, terminated in check.each(cases):
        where = tr("for {where}").format(where=label)
        got, _ = check.call_on_copies(reward_fn, observation, env_reward, terminated, case=where)
        message = tr(
            "for {label} your reward function returned {got!r} of type {type}; expected a number "
            "(a Python float)."
        )
        check.expect(got, is_number, message, label=label, got=got)
        if type(got) is not float:
            # The task asks for a Python float: a NumPy or integer number is the right value in
            # the wrong type, and a reward fed to torch as float64 or int changes the batch's dtype.
            fix = (
                tr("return FALL_PENALTY ({penalty}), a float, for a termination").format(
                    penalty=FALL_PENALTY
                )
                if isinstance(got, int) and got == FALL_PENALTY
                else tr(
                    "wrap the number in float(...), e.g. return float(-abs(next_observation[2]))"
                )
            )
            raise check.fail(
                tr(
                    "for {label} your reward function returned {got!r} of type {type}; "
                    "expected a Python float, as the task says: {fix}."
                ).format(label=label, got=got, type=type_name(got), fix=fix)
            )
        if not np.isfinite(float(got)):
            raise check.fail(
                tr(
                    "for {label} your reward function returned {got}; expected "
                    "{expected}, a finite number. A NaN "
                    "or infinite reward makes every Q-value it reaches NaN or infinite."
                ).format(
                    label=label,
                    got=float(got),
                    expected=fmt(reference(observation, env_reward, terminated)),
                )
            )
        results.append(float(got))
    expected = [reference(o, r, t) for _, o, r, t in cases]
    wrong = [i for i, (g, e) in enumerate(zip(results, expected, strict=True)) if abs(g - e) > 1e-6]
    if not wrong:
        check.passed()
        return
    i = wrong[0]
    label, observation, env_reward, terminated = cases[i]
    got, want = results[i], expected[i]
    ongoing_penalised = [j for j in wrong if results[j] == FALL_PENALTY and not cases[j][3]]
    if ongoing_penalised:
        i = ongoing_penalised[0]
        label, got, want = cases[i][0], results[i], expected[i]
        mistake = tr(
            "it returns {penalty} when terminated is False: only a fall (terminated) is "
            "punished, never an ordinary step or the 500-step time limit (done = terminated or "
            "truncated would punish a perfect episode like a fall)"
        ).format(penalty=FALL_PENALTY)
    elif terminated and want == FALL_PENALTY:
        mistake = tr("a terminated step must return the fall penalty, {penalty}").format(
            penalty=FALL_PENALTY
        )
    elif all(abs(results[j] + expected[j]) < 1e-6 for j in wrong):
        leaning_left = all(cases[j][1][2] < 0 for j in wrong)
        right_ones = [j for j, c in enumerate(cases) if c[1][2] > 0 and not c[3] and j not in wrong]
        if leaning_left and right_ones:
            mistake = tr(
                "a pole leaning left is rewarded, one leaning right punished: take abs() of the "
                "angle, a lean either way costs the same"
            )
        else:
            mistake = tr("the reward has the wrong sign: a lean should cost, a fall should cost -5")
    else:
        # The cart's term, judged on every step at once, before the index swaps, which look at
        # one step only and can match by accident (a velocity of exactly 0, say).
        mistake = _cart_term_mistake(results, cases) if name == "angle_and_position" else None
        if mistake is None:
            mistake = _index_swap_mistake(reference, results, cases, wrong)
        if mistake is None:
            mistake = tr("see the docstring of dqn_lib.{function}").format(
                function=reference.__name__
            )
    raise check.fail(
        tr(
            "for {label} (next_observation {observation}, terminated="
            "{terminated}) expected {expected}, got {got}. Likely mistake: {mistake}."
        ).format(
            label=label,
            observation=np.round(cases[i][1], 4).tolist(),
            terminated=cases[i][3],
            expected=fmt(want),
            got=fmt(got),
            mistake=mistake,
        )
    )
