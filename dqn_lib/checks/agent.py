"""Exercise checks of notebooks/04_agent.py: epsilon-greedy for a batch, the n-step TD target."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from dqn_lib.checks.harness import Check, fmt, global_rng_seeded, known_mistake, type_name
from dqn_lib.i18n import tr


def _reference_epsilon_greedy_batch(
    q_values: torch.Tensor, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    """One coin per row: with probability ``epsilon`` a uniformly random action, else the argmax."""
    batch, n_actions = q_values.shape
    greedy = q_values.argmax(dim=1).numpy()  # (batch,)
    explore = rng.random(batch) < epsilon  # (batch,)
    return np.where(explore, rng.integers(n_actions, size=batch), greedy)  # (batch,) int64


def _batch_shape_mistake(shape: tuple[int, ...], batch: int, n_actions: int) -> str:
    if shape == (n_actions,):
        return tr(
            "the argmax runs over the batch (dim=0), giving one action per column; take it over "
            "the actions of each row: q_values.argmax(dim=1)"
        )
    if shape == ():
        return tr(
            "q_values.argmax() without dim gives one number for the whole tensor; take each "
            "row's argmax, q_values.argmax(dim=1)"
        )
    if shape == (batch, 1):
        return tr(
            "the actions form a column (batch, 1), from keepdim=True or a reshape: keep (batch,)"
        )
    if shape == (batch, n_actions):
        return tr("return one action per row, not a value per action")
    return tr("one action for each row of q_values")


def _broadcast_hint(error: Exception) -> str | None:
    if "broadcast" in str(error) or "must match the size" in str(error):
        return tr(
            "the greedy actions must be one per row, q_values.argmax(dim=1) of shape (batch,), "
            "like the coins and the random actions; an argmax over dim=0 gives (n_actions,)"
        )
    return None


def _actions(
    check: Check,
    fn: Callable,
    q_values: torch.Tensor,
    epsilon: float,
    rng: np.random.Generator,
    case: str,
) -> np.ndarray:
    """Call the learner's function once; check the type, shape, dtype and range of its answer."""
    batch, n_actions = q_values.shape
    result, (given, *_) = check.call_on_copies(
        fn, q_values, epsilon, rng, case=case, hint=_broadcast_hint
    )
    expected = tr("a NumPy array of int64 actions of shape ({batch},), one for each row").format(
        batch=batch
    )
    if isinstance(result, torch.Tensor):
        raise check.fail(
            tr(
                "{case}: your function returned a tensor ({type}); expected {expected}. "
                "Likely mistake: the greedy actions came from torch (argmax) and stayed a tensor; "
                "convert them with .numpy()."
            ).format(case=case, type=type_name(result), expected=expected)
        )
    if isinstance(result, list | tuple):
        raise check.fail(
            tr(
                "{case}: your function returned a {type} of {items} items; "
                "expected {expected}: build it with NumPy (np.where(...)) or convert it with "
                "np.array(actions, dtype=np.int64)."
            ).format(case=case, type=type_name(result), items=len(result), expected=expected)
        )
    if result is None:
        raise check.fail(
            tr(
                "{case}: your function returned None; expected {expected}: is a `return` missing?"
            ).format(case=case, expected=expected)
        )
    message = tr("{case}: your function returned {result} of type {type}; expected {expected}.")
    check.expect(result, np.ndarray, message, case=case, result=repr(result), expected=expected)
    if result.shape != (batch,):
        raise check.fail(
            tr(
                "{case}: your function returned an array of shape {shape}; expected "
                "({batch},), one action per row. Likely mistake: {mistake}."
            ).format(
                case=case,
                shape=result.shape,
                batch=batch,
                mistake=_batch_shape_mistake(result.shape, batch, n_actions),
            )
        )
    if result.dtype != np.int64:
        raise check.fail(
            tr(
                "{case}: your function returned an array of dtype {dtype}; expected int64, "
                "whole action numbers (what argmax and rng.integers give): convert with "
                ".astype(np.int64)."
            ).format(case=case, dtype=result.dtype)
        )
    if not torch.equal(given, q_values):
        raise check.fail(
            tr(
                "{case}: your function changed q_values in place (the check passes a copy and "
                "compares it after the call); read the Q-values, never write to them."
            ).format(case=case)
        )
    outside = np.flatnonzero((result < 0) | (result >= n_actions))
    if outside.size:
        row = int(outside[0])
        raise check.fail(
            tr(
                "{case}: row {row} got action {action}; the actions are 0 to "
                "{last}, the column numbers of q_values (an argmax over the batch, dim=0, "
                "gives row numbers instead: take q_values.argmax(dim=1))."
            ).format(case=case, row=row, action=int(result[row]), last=n_actions - 1)
        )
    return result


_GREEDY_BATCHES = [
    [[1.0, 3.0, 2.0], [5.0, -1.0, 0.0], [0.1, 0.2, 0.3], [-2.0, -3.0, -0.5], [4.0, 4.5, -1.0]],
    # Square, with each column's argmax (dim=0) different from each row's (dim=1).
    [[0.0, 1.0, 5.0], [2.0, 0.0, 1.0], [1.0, 4.0, 0.0]],
    [[0.3, -0.2], [-1.0, 1.0], [2.0, 2.5], [0.0, -0.1]],
    [[0.5, 0.1, 0.9, -0.4]],
]


def _check_greedy(check: Check, fn: Callable, rng: np.random.Generator) -> None:
    """At epsilon 0 every row takes its argmax, on every call."""
    for values in _GREEDY_BATCHES:
        q_values = torch.tensor(values)
        best = q_values.argmax(dim=1).numpy()
        case = tr("for q_values of shape {shape} {values} and epsilon=0.0").format(
            shape=tuple(q_values.shape), values=values
        )
        answers = [_actions(check, fn, q_values, 0.0, rng, case) for _ in check.each(range(10))]
        wrong = next((a for a in answers if not np.array_equal(a, best)), None)
        if wrong is None:
            continue
        if all(np.array_equal(a, q_values.argmin(dim=1).numpy()) for a in answers):
            mistake = tr("it picks the smallest Q-value of each row: use argmax, not argmin")
        elif all(np.array_equal(a, q_values.argmax(dim=0).numpy()) for a in answers):
            mistake = tr(
                "the argmax runs over the batch (dim=0), not over each row's actions: "
                "q_values.argmax(dim=1)"
            )
        elif any(not np.array_equal(a, answers[0]) for a in answers):
            mistake = tr(
                "at epsilon=0 it still takes random actions: a row explores only when its "
                "coin is below epsilon (rng.random(batch) < epsilon; is the test reversed, "
                "exploring with probability 1 - epsilon?)"
            )
        else:
            mistake = tr("at epsilon=0 every row takes the action with its largest Q-value")
        row = int(np.flatnonzero(wrong != best)[0])
        raise check.fail(
            tr(
                "{case}: expected actions {expected} (each row's largest Q-value), got "
                "{got} (row {row} differs). Likely mistake: {mistake}."
            ).format(
                case=case, expected=best.tolist(), got=wrong.tolist(), row=row, mistake=mistake
            )
        )


def _random_q_values(batch: int, n_actions: int, seed: int) -> torch.Tensor:
    return torch.randn(batch, n_actions, generator=torch.Generator().manual_seed(seed))


def _check_one_coin_per_row(check: Check, fn: Callable, rng: np.random.Generator) -> None:
    """At epsilon 0.5 with 2 actions, about a quarter of every call's rows are non-greedy: a
    coin for the whole batch makes some calls all greedy (and others explore together)."""
    calls, batch = 20, 200
    q_values = _random_q_values(batch, 2, seed=41)
    best = q_values.argmax(dim=1).numpy()
    case = tr("for q_values of shape ({batch}, 2) and epsilon=0.5").format(batch=batch)
    non_greedy = np.array(
        [
            np.mean(_actions(check, fn, q_values, 0.5, rng, case) != best)
            for _ in check.each(range(calls))
        ]
    )
    if np.all(non_greedy == 0):
        raise check.fail(
            tr(
                "{case}: in {calls} calls no row ever took a non-greedy action; about a quarter "
                "of the rows should (each explores with probability 0.5, and a random pick among 2 "
                "actions is non-greedy half of the time). Likely mistake: it never explores; a row "
                "explores when its coin, rng.random(batch) < epsilon, says so."
            ).format(case=case, calls=calls)
        )
    if np.any(non_greedy == 0):
        quiet = int(np.argmax(non_greedy == 0))
        busy = int(np.argmax(non_greedy))
        raise check.fail(
            tr(
                "{case}: in call {quiet} of {calls} no row explored, while in call {busy} "
                "{share:.0%} of the rows took a non-greedy action; each row has its own coin, so "
                "about a quarter of the rows of every call should. Likely mistake: one coin for "
                "the whole batch (rng.random() < epsilon once), so every row explores together or "
                "none does: draw one coin per row, rng.random(batch) < epsilon."
            ).format(case=case, quiet=quiet + 1, calls=calls, busy=busy + 1, share=non_greedy[busy])
        )


def _check_uniform(check: Check, fn: Callable, rng: np.random.Generator) -> None:
    """At epsilon 1 each of 3 actions about a third of the time, the greedy one included."""
    batch = 3000
    q_values = _random_q_values(batch, 3, seed=42)
    best = q_values.argmax(dim=1).numpy()
    case = tr("for q_values of shape ({batch}, 3) and epsilon=1.0").format(batch=batch)
    actions = _actions(check, fn, q_values, 1.0, rng, case)
    greedy_share = float(np.mean(actions == best))
    shares = np.bincount(actions, minlength=3) / batch
    if greedy_share == 1.0:
        mistake = tr(
            "it never explores at epsilon=1: with probability epsilon a row takes a random action"
        )
    elif greedy_share == 0.0:
        mistake = tr(
            "the random action is never the greedy one; it is drawn from all the actions, "
            "rng.integers(n_actions, size=batch), so a third of the time it is the greedy one"
        )
    elif shares.max() == 1.0:
        mistake = tr(
            "every exploring row got the same action: one random action was drawn for the whole "
            "batch; draw one per row, rng.integers(n_actions, size=batch)"
        )
    elif abs(greedy_share - 1 / 3) > 0.045 or np.abs(shares - 1 / 3).max() > 0.045:
        mistake = tr(
            "draw each row's random action uniformly from all the actions, "
            "rng.integers(n_actions, size=batch)"
        )
    else:
        check.count()
        return
    raise check.fail(
        tr(
            "{case}: every row explores, so each of the 3 actions should come about 1/3 of the "
            "time, the row's greedy one included; your actions were 0, 1, 2 "
            "{shares} of the time, the row's greedy one {greedy_share:.1%}. "
            "Likely mistake: {mistake}."
        ).format(
            case=case,
            shares=np.round(shares, 3).tolist(),
            greedy_share=greedy_share,
            mistake=mistake,
        )
    )


def _check_rate(check: Check, fn: Callable, rng: np.random.Generator) -> None:
    """At epsilon 0.2 with 2 actions, a non-greedy action on about 10% of the rows."""
    batch = 4000
    q_values = _random_q_values(batch, 2, seed=43)
    best = q_values.argmax(dim=1).numpy()
    case = tr("for q_values of shape ({batch}, 2) and epsilon=0.2").format(batch=batch)
    rate = float(np.mean(_actions(check, fn, q_values, 0.2, rng, case) != best))
    if abs(rate - 0.1) <= 0.025:
        check.count()
        return
    if abs(rate - 0.2) <= 0.025:
        mistake = tr(
            "an exploring row always takes a non-greedy action; the random action is drawn from "
            "all the actions, so half the time it is the greedy one"
        )
    elif abs(rate - 0.4) <= 0.025:
        mistake = tr("it explores with probability 1 - epsilon instead of epsilon")
    else:
        mistake = tr("each row explores with probability epsilon, rng.random(batch) < epsilon")
    raise check.fail(
        tr(
            "{case}: a non-greedy action should come on about 10% of the rows (epsilon times 1/2: "
            "half of the random picks are the greedy action); yours came on {rate:.1%}. Likely "
            "mistake: {mistake}."
        ).format(case=case, rate=rate, mistake=mistake)
    )


def _check_own_generator(check: Check, fn: Callable) -> None:
    """Two runs with generators of one seed give the same actions, whatever the global state."""
    q_values = _random_q_values(50, 3, seed=44)
    case = tr("for q_values of shape (50, 3) and epsilon=0.5")
    runs = []
    for global_seed in (1, 2):
        rng = np.random.default_rng(123)
        with global_rng_seeded(global_seed):
            runs.append([_actions(check, fn, q_values, 0.5, rng, case) for _ in range(5)])
    for k, (first, second) in enumerate(zip(*runs, strict=True)):
        if not np.array_equal(first, second):
            row = int(np.flatnonzero(first != second)[0])
            raise check.fail(
                tr(
                    "{case}: two runs of 5 calls, each with a new rng of seed 123, must give the "
                    "same actions; in call {call}, row {row} got {first} in one run and "
                    "{second} in the other. Likely mistake: your function draws from a "
                    "random source other than the rng it is given (np.random, random, torch.rand, "
                    "torch.randint). Use rng.random(batch) and rng.integers(n_actions, size=batch)."
                ).format(
                    case=case, call=k + 1, row=row, first=int(first[row]), second=int(second[row])
                )
            )
    check.count()


def check_epsilon_greedy_batch(epsilon_greedy_batch: Callable) -> None:
    """Check ``epsilon_greedy_batch(q_values, epsilon, rng) -> np.ndarray``: for ``q_values`` of
    shape ``(batch, n_actions)``, each row independently takes a uniformly random action (any
    of them, the greedy one included) with probability ``epsilon``, else its argmax; the actions
    come back as a NumPy int64 array of shape ``(batch,)``.

    Taught in notebooks/04_agent.py (exercise 4.1). At epsilon 0, four fixed batches (one
    square, one of a single row), ten calls each: every row's argmax. At epsilon 0.5, twenty
    calls on 200 rows: a non-greedy action on some rows of every call (one coin for the whole
    batch makes some calls all greedy). At epsilon 1, each of 3 actions about a third of the
    time; at epsilon 0.2 with 2 actions, non-greedy about 10% of the time. Finally two runs
    with generators of one seed must agree whatever the global random state. These run with
    the global generators seeded and restored, so the verdict never depends on them.
    """
    check = Check("check_epsilon_greedy_batch")
    rng = np.random.default_rng(0)
    with global_rng_seeded(0):
        _check_greedy(check, epsilon_greedy_batch, rng)
        _check_one_coin_per_row(check, epsilon_greedy_batch, rng)
        _check_uniform(check, epsilon_greedy_batch, rng)
        _check_rate(check, epsilon_greedy_batch, rng)
    _check_own_generator(check, epsilon_greedy_batch)
    check.passed()


def _n_step(
    rewards: torch.Tensor,
    terminated: torch.Tensor,
    next_q: torch.Tensor,
    gamma: float,
    *,
    reward_powers: Callable[[int, int], int] = lambda i, n: i,
    bootstrap_discount: Callable[[float, int], float] = lambda gamma, n: gamma**n,
    stop_rewards: str = "after",
    bootstrap_when: str = "no termination",
    best: str = "max",
) -> torch.Tensor:
    """The n-step target, or one of the usual wrong versions of it (in float64).

    ``stop_rewards``: "after" (count up to and including the first termination), "before" (drop
    the terminated step's reward too) or "never". ``bootstrap_when``: "no termination",
    "always", "never", "last step not terminated", "one minus the count" (of the flags) or
    "reversed" (only after a termination).
    """
    rewards, terminated, next_q = (t.to(torch.float64) for t in (rewards, terminated, next_q))
    batch, n = rewards.shape
    alive = torch.ones(batch, dtype=torch.float64)  # (batch,) no termination before step i
    target = torch.zeros(batch, dtype=torch.float64)  # (batch,)
    for i in range(n):
        weight = {"after": alive, "before": alive * (1 - terminated[:, i]), "never": 1.0}
        target = target + weight[stop_rewards] * gamma ** reward_powers(i, n) * rewards[:, i]
        alive = alive * (1 - terminated[:, i])
    mask = {
        "no termination": alive,
        "always": torch.ones(batch, dtype=torch.float64),
        "never": torch.zeros(batch, dtype=torch.float64),
        "last step not terminated": 1 - terminated[:, -1],
        "one minus the count": 1 - terminated.sum(dim=1),
        "reversed": 1 - alive,
    }[bootstrap_when]
    values = {
        "max": next_q.max(dim=1).values,
        "mean": next_q.mean(dim=1),
        "min": next_q.min(dim=1).values,
    }[best]
    return target + mask * bootstrap_discount(gamma, n) * values


def _n_step_mistakes() -> dict[str, dict[str, Any]]:
    """The usual wrong versions of the n-step target, each with what the message says about it
    (built at each check, so that it is said in the language chosen by then)."""
    return {
        tr(
            "it bootstraps after a termination: a row whose window holds a termination gets no "
            "gamma**n * max next_q term (a fall ends the future)"
        ): {"bootstrap_when": "always"},
        tr(
            "it counts the rewards after a termination (the junk the check puts there): stop the "
            "sum at the row's first terminated step"
        ): {"stop_rewards": "never"},
        tr(
            "it neither stops the sum at the first termination nor drops the bootstrap after one: "
            "after a fall nothing counts, neither the junk rewards nor gamma**n * max next_q"
        ): {"stop_rewards": "never", "bootstrap_when": "always"},
        tr(
            "the bootstrap looks only at the last step's flag (terminated[:, -1]); any termination "
            "in the window ends the future, and the flags after the first one are junk"
        ): {"bootstrap_when": "last step not terminated"},
        tr(
            "the bootstrap is multiplied by 1 - terminated.sum(dim=1), which goes below 0 when a "
            "row holds more than one flag (the flags after the first termination are junk): "
            "bootstrap only where no step terminated, e.g. with a running product of 1 - "
            "terminated"
        ): {"bootstrap_when": "one minus the count"},
        tr(
            "the terminated step's own reward is dropped; the sum runs up to and including the "
            "first terminated step"
        ): {"stop_rewards": "before"},
        tr(
            "the gamma powers are off by one: reward i counts gamma**i, so the first reward counts "
            "fully (gamma**0 = 1)"
        ): {"reward_powers": lambda i, n: i + 1},
        tr(
            "the gamma powers are off by one: reward i counts gamma**i, starting from gamma**0 = 1 "
            "(not gamma**(i - 1))"
        ): {"reward_powers": lambda i, n: i - 1},
        tr(
            "the rewards are discounted in reverse order: reward i counts gamma**i, the first one "
            "fully"
        ): {"reward_powers": lambda i, n: n - 1 - i},
        tr("the rewards are not discounted: reward i counts gamma**i"): {
            "reward_powers": lambda i, n: 0
        },
        tr(
            "the bootstrap is discounted by gamma**(n - 1); the observation in next_q is n steps "
            "later, so it counts gamma**n"
        ): {"bootstrap_discount": lambda gamma, n: gamma ** (n - 1)},
        tr(
            "the bootstrap is discounted by gamma**(n + 1); the observation in next_q is n steps "
            "later, so it counts gamma**n"
        ): {"bootstrap_discount": lambda gamma, n: gamma ** (n + 1)},
        tr(
            "it forgets gamma**n on the bootstrap and uses gamma, as the one-step target does; the "
            "observation in next_q is n steps later, so it counts gamma**n"
        ): {"bootstrap_discount": lambda gamma, n: gamma},
        tr("it forgets gamma**n on the bootstrap: multiply max next_q by gamma**n"): {
            "bootstrap_discount": lambda gamma, n: 1.0
        },
        tr(
            "it never bootstraps: a row with no termination in its window adds gamma**n * max "
            "next_q"
        ): {"bootstrap_when": "never"},
        tr(
            "the bootstrap mask is reversed: add gamma**n * max next_q only when no step terminated"
        ): {"bootstrap_when": "reversed"},
        tr(
            "it uses the mean of next_q; the target uses the best action's value, "
            "next_q.max(dim=1).values"
        ): {"best": "mean"},
        tr("it uses the smallest next Q-value; use next_q.max(dim=1).values"): {"best": "min"},
    }


def _n_step_shape_mistake(shape: tuple[int, ...], batch: int, n: int) -> str:
    if shape == (batch, batch):
        return tr(
            "a (batch, 1) max (keepdim=True) broadcast against the (batch,) sum of the rewards "
            "into (batch, batch): drop keepdim"
        )
    if shape == (batch, 1):
        return tr("a (batch, 1) column, from keepdim=True: drop keepdim or .squeeze(1)")
    if shape == (batch, n):
        return tr("the rewards are discounted but not summed: sum each row over its steps, dim=1")
    if shape == (n,):
        return tr("it sums over the batch (dim=0); sum each row's rewards over its steps, dim=1")
    if shape == ():
        return tr("it sums everything into one number; sum each row over its steps, dim=1")
    return tr("one target per row")


def _max_tuple_hint(error: Exception) -> str | None:
    text = str(error)
    if "return_types" in text or "sequence" in text:
        return tr(
            "next_q.max(dim=1) returns a pair (values, indices), not a tensor; take "
            "next_q.max(dim=1).values"
        )
    return None


def _first_termination(terminated_row: torch.Tensor) -> int | None:
    steps = torch.nonzero(terminated_row).flatten()
    return int(steps[0]) if steps.numel() else None


def _describe_row(row: int, rewards, terminated, next_q, gamma: float) -> str:
    n = rewards.shape[1]
    fell = _first_termination(terminated[row])
    if fell is None:
        kind = tr("no termination in its {n} steps, so it bootstraps").format(n=n)
    elif fell == n - 1:
        kind = tr("terminated at its last step, so no bootstrap")
    else:
        kind = tr("terminated at step {step}, then junk").format(step=fell)

    def show(t: torch.Tensor) -> list[float]:
        return [float(fmt(v)) for v in t.tolist()]

    return tr(
        "row {row} ({kind}: rewards {rewards}, terminated {terminated}, next_q {next_q}, "
        "gamma {gamma})"
    ).format(
        row=row,
        kind=kind,
        rewards=show(rewards[row]),
        terminated=[int(v) for v in terminated[row].tolist()],
        next_q=show(next_q[row]),
        gamma=gamma,
    )


def _compare_n_step(
    check: Check, fn: Callable, case: str, rewards, terminated, next_q, gamma: float
) -> None:
    inputs = {"rewards": rewards, "terminated": terminated, "next_q": next_q}
    result, given = check.call_on_copies(
        fn, *inputs.values(), gamma, case=case, hint=_max_tuple_hint
    )
    copies = dict(zip(inputs, given, strict=False))
    for key, original in inputs.items():
        if not torch.equal(copies[key], original):
            row = int(torch.nonzero((copies[key] != original).flatten())[0]) // original.shape[1]
            raise check.fail(
                tr(
                    "{case}: your n_step_target changed its input {key} in place (the check "
                    "passes copies and compares them after the call): row {row} was "
                    "{before}, is now {after}. Build new "
                    "tensors (gamma**i * rewards[:, i], 1 - terminated) instead of writing into "
                    "{key} (with *=, += or {key}[...] = ...)."
                ).format(
                    case=case,
                    key=key,
                    row=row,
                    before=original[row].tolist(),
                    after=copies[key][row].tolist(),
                )
            )
    if isinstance(result, tuple):
        raise check.fail(
            tr(
                "{case}: your n_step_target returned a {type}, not a tensor: "
                "next_q.max(dim=1) gives values and indices; take .values."
            ).format(case=case, type=type_name(result))
        )
    if not isinstance(result, torch.Tensor):
        got = (
            tr("None (is a `return` missing?)")
            if result is None
            else tr("a {type}").format(type=type_name(result))
        )
        raise check.fail(
            tr(
                "{case}: your n_step_target returned {got}; expected a torch.Tensor of shape "
                "(batch,), one target per row."
            ).format(case=case, got=got)
        )
    batch, n = rewards.shape
    if tuple(result.shape) != (batch,):
        raise check.fail(
            tr(
                "{case}: your n_step_target returned shape {shape}; expected "
                "({batch},), one target per row. Likely mistake: {mistake}."
            ).format(
                case=case,
                shape=tuple(result.shape),
                batch=batch,
                mistake=_n_step_shape_mistake(tuple(result.shape), batch, n),
            )
        )
    if result.dtype != rewards.dtype:
        raise check.fail(
            tr(
                "{case}: your n_step_target returned a tensor of dtype {dtype}; expected "
                "{expected}, the dtype of rewards (a target of another dtype than the "
                "network's predictions makes the loss fail or silently change precision). Likely "
                "mistake: a tensor built with dtype=torch.float64, or from a NumPy array."
            ).format(case=case, dtype=result.dtype, expected=rewards.dtype)
        )
    expected = _n_step(rewards, terminated, next_q, gamma)
    got = result.detach().to(torch.float64)
    wrong = ~torch.isclose(got, expected, atol=1e-5, rtol=1e-5)
    if not wrong.any():
        return
    mistake = known_mistake(
        got,
        _n_step_mistakes(),
        lambda got, how: torch.allclose(
            got, _n_step(rewards, terminated, next_q, gamma, **how), atol=1e-5
        ),
        tr(
            "the target is the sum of gamma**i * rewards[:, i] up to and including the first "
            "terminated step, plus gamma**n * max next_q when no step of the window terminated"
        ),
    )
    row = int(wrong.nonzero()[0])
    raise check.fail(
        tr("{case}, {row}: expected {expected}, got {got}. Likely mistake: {mistake}.").format(
            case=case,
            row=_describe_row(row, rewards, terminated, next_q, gamma),
            expected=fmt(expected[row]),
            got=fmt(got[row]),
            mistake=mistake,
        )
    )


_N_STEP_FIXED = {
    # n = 3, gamma 0.5 (its powers 1, 0.5, 0.25, 0.125 tell the discounts apart). After a
    # termination the rewards and flags are junk: nonzero rewards, flags of 0 and 1.
    "rewards": [
        [1.0, 1.0, 1.0],
        [1.0, 7.0, -3.0],
        [2.0, 1.0, 5.0],
        [0.5, 1.0, -1.0],
        [2.0, 0.0, 1.0],
    ],
    "terminated": [
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 1.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [0.0, 0.0, 0.0],
    ],
    "next_q": [[2.0, 4.0], [10.0, 6.0], [8.0, 9.0], [3.0, 12.0], [-1.0, -3.0]],
    "gamma": 0.5,
}


_N_STEP_WORKED = {
    # The lesson's worked batch, n = 1: ongoing, terminated, truncated (still bootstraps).
    "rewards": [[1.0], [1.0], [1.0]],
    "terminated": [[0.0], [1.0], [0.0]],
    "next_q": [[10.0, 20.0], [18.0, 15.0], [40.0, 50.0]],
    "gamma": 0.99,
}


def _random_n_step_batch(
    generator: torch.Generator, batch: int, n: int, n_actions: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Rows that fall at a random step or never (row 0 never, row 1 at its first step); the
    slots after a row's first termination hold junk rewards and junk flags."""
    rewards = torch.randn(batch, n, generator=generator)
    next_q = torch.randn(batch, n_actions, generator=generator) * 3
    falls = torch.randint(0, 2 * n, (batch,), generator=generator)  # >= n: never falls
    falls[0], falls[1] = n, 0
    junk_flags = (torch.rand(batch, n, generator=generator) < 0.5).float()
    steps = torch.arange(n)
    terminated = torch.where(steps < falls[:, None], 0.0, junk_flags)  # (batch, n)
    terminated[torch.arange(batch), falls.clamp(max=n - 1)] = (falls < n).float()
    junk_rewards = torch.randn(batch, n, generator=generator) * 5 + 3
    rewards = torch.where(steps > falls[:, None], junk_rewards, rewards)
    return rewards, terminated, next_q


def check_n_step_target(n_step_target: Callable) -> None:
    """Check ``n_step_target(rewards, terminated, next_q, gamma) -> torch.Tensor``: for each row,
    ``sum_{i<n} gamma**i * rewards[i]`` up to and including its first terminated step, plus
    ``gamma**n * max_a next_q`` only if no step of the window terminated; shape ``(batch,)``.

    Taught in notebooks/04_agent.py (exercise 4.2). ``rewards`` and ``terminated`` are
    ``(batch, n)``, ``next_q`` ``(batch, n_actions)``. A fixed batch with n = 3 and gamma 0.5
    (rows that never fall, that fall at the first, the second and the last step), the lesson's
    worked batch with n = 1 (the one-step TD target), then 6 seeded random batches with n from
    1 to 5. After a termination the check puts junk (nonzero rewards, flags of 0 and 1) that
    must not count. It passes copies of the inputs and fails if they changed.
    """
    check = Check("check_n_step_target")
    fixed_cases = [
        (tr("fixed batch, n=3"), _N_STEP_FIXED),
        (tr("n=1, the lesson's worked batch (one-step TD target)"), _N_STEP_WORKED),
    ]
    for case, fixed in check.each(fixed_cases):
        _compare_n_step(
            check,
            n_step_target,
            case,
            torch.tensor(fixed["rewards"]),
            torch.tensor(fixed["terminated"]),
            torch.tensor(fixed["next_q"]),
            fixed["gamma"],
        )
    generator = torch.Generator().manual_seed(4)
    for i, n in check.each(enumerate((1, 2, 3, 5, 4, 1))):
        batch, n_actions = 6 + i, 2 + i % 3
        rewards, terminated, next_q = _random_n_step_batch(generator, batch, n, n_actions)
        gamma = round(0.5 + 0.49 * float(torch.rand(1, generator=generator)), 3)
        case = tr("random batch {i}, n={n}").format(i=i, n=n)
        _compare_n_step(check, n_step_target, case, rewards, terminated, next_q, gamma)
    check.passed()
