"""Lesson 4's exercise checks: the reference answers pass, and each usual wrong answer fails with
a message that names the mistake (what was expected, what came back, and why)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from dqn_lib.checks import ExerciseError, check_epsilon_greedy_batch, check_n_step_target
from dqn_lib.checks.harness import NOT_IMPLEMENTED


def not_implemented(*args, **kwargs):
    # YOUR CODE HERE
    raise NotImplementedError()


@pytest.mark.parametrize("check", [check_epsilon_greedy_batch, check_n_step_target])
def test_a_stub_says_not_implemented_without_a_traceback_chain(check):
    with pytest.raises(ExerciseError, match="not implemented yet") as error:
        check(not_implemented)
    assert str(error.value) == f"{check.__name__}: {NOT_IMPLEMENTED}"
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_the_checks_leave_the_global_random_state_alone():
    def draws():
        return np.random.rand(), random.random(), torch.rand(1).item()  # noqa: NPY002

    np.random.seed(5)  # noqa: NPY002 (the global state is what this test is about)
    random.seed(5)
    torch.manual_seed(5)
    expected = draws()
    np.random.seed(5)  # noqa: NPY002
    random.seed(5)
    torch.manual_seed(5)
    check_epsilon_greedy_batch(epsilon_greedy_batch)
    check_n_step_target(n_step_target)
    assert draws() == expected


# --- Exercise 4.1: epsilon-greedy for a batch ---------------------------------------------------


def epsilon_greedy_batch(q_values, epsilon, rng):
    """The notebook's solution."""
    batch, n_actions = q_values.shape
    greedy = q_values.argmax(dim=1).numpy()  # (batch,)
    explore = rng.random(batch) < epsilon  # (batch,) one coin per row
    random_actions = rng.integers(n_actions, size=batch)  # (batch,) any action
    return np.where(explore, random_actions, greedy)


def row_by_row(q_values, epsilon, rng):
    """Another right answer: a loop over the rows, a random action drawn only when exploring."""
    actions = []
    for row in q_values:
        if rng.random() < epsilon:
            actions.append(int(rng.choice(len(row))))
        else:
            actions.append(int(torch.argmax(row)))
    return np.array(actions, dtype=np.int64)


def test_epsilon_greedy_batch_accepts_the_solution_and_another_spelling(capsys):
    check_epsilon_greedy_batch(epsilon_greedy_batch)
    check_epsilon_greedy_batch(row_by_row)
    assert capsys.readouterr().out == "check_epsilon_greedy_batch: all 63 cases pass.\n" * 2


def one_coin_then_random_rows(q_values, epsilon, rng):
    batch, n_actions = q_values.shape
    if rng.random() < epsilon:  # one coin for the whole batch
        return rng.integers(n_actions, size=batch)
    return q_values.argmax(dim=1).numpy()


def one_coin_one_action(q_values, epsilon, rng):
    batch, n_actions = q_values.shape
    if rng.random() < epsilon:  # the whole batch explores with one random action
        return np.full(batch, rng.integers(n_actions), dtype=np.int64)
    return q_values.argmax(dim=1).numpy()


def excluding_the_greedy_action(q_values, epsilon, rng):
    batch, n_actions = q_values.shape
    greedy = q_values.argmax(dim=1).numpy()
    explore = rng.random(batch) < epsilon
    other = (greedy + rng.integers(1, n_actions, size=batch)) % n_actions  # never the greedy one
    return np.where(explore, other, greedy)


def from_numpy_global(q_values, epsilon, rng):
    batch, n_actions = q_values.shape
    explore = np.random.random(batch) < epsilon  # noqa: NPY002 (the mistake under test)
    return np.where(explore, np.random.randint(n_actions, size=batch), q_values.argmax(1).numpy())  # noqa: NPY002


def from_torch_global(q_values, epsilon, rng):
    batch, n_actions = q_values.shape
    explore = torch.rand(batch) < epsilon
    return torch.where(explore, torch.randint(n_actions, (batch,)), q_values.argmax(1)).numpy()


def returns_a_tensor(q_values, epsilon, rng):
    batch, n_actions = q_values.shape
    explore = torch.from_numpy(rng.random(batch) < epsilon)
    random_actions = torch.from_numpy(rng.integers(n_actions, size=batch))
    return torch.where(explore, random_actions, q_values.argmax(dim=1))


def argmax_over_the_batch(q_values, epsilon, rng):
    batch, n_actions = q_values.shape
    explore = rng.random(batch) < epsilon
    return np.where(explore, rng.integers(n_actions, size=batch), q_values.argmax(dim=0).numpy())


def square_only(q_values, epsilon, rng):
    """argmax over dim 0 on a square batch, where the shape is right and the actions are not."""
    if q_values.shape[0] == q_values.shape[1]:
        return q_values.argmax(dim=0).numpy()
    return epsilon_greedy_batch(q_values, epsilon, rng)


def one_coin_argmax_over_the_batch(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return rng.integers(q_values.shape[1], size=q_values.shape[0])
    return q_values.argmax(dim=0).numpy()


def argmax_over_the_batch_as_rows(q_values, epsilon, rng):
    """argmax over dim 0 of a (batch, n_actions) tensor: row numbers, stretched to (batch,)."""
    return np.resize(q_values.argmax(dim=0).numpy(), q_values.shape[0])


def reversed_coin(q_values, epsilon, rng):
    batch, n_actions = q_values.shape
    explore = rng.random(batch) < 1 - epsilon
    return np.where(explore, rng.integers(n_actions, size=batch), q_values.argmax(dim=1).numpy())


@pytest.mark.parametrize(
    "epsilon_greedy_batch, message",
    [
        (one_coin_then_random_rows, r"epsilon=0\.5: in call \d+ of 20 no row explored.*one coin"),
        (one_coin_one_action, r"no row explored.*one coin for the whole batch"),
        (excluding_the_greedy_action, r"epsilon=1\.0: .*the row's greedy one 0\.0%.*never the"),
        (from_numpy_global, "a random source other than the rng it is given"),
        (from_torch_global, "a random source other than the rng it is given"),
        (returns_a_tensor, r"returned a tensor \(torch\.Tensor\).*\.numpy\(\)"),
        (
            lambda q, e, rng: epsilon_greedy_batch(q, e, rng).tolist(),
            r"returned a list of 5 items; expected a NumPy array of int64",
        ),
        (
            argmax_over_the_batch,
            r"epsilon=0\.0: your argmax_over_the_batch raised ValueError: operands could not be "
            r"broadcast.*Likely mistake: the greedy actions must be one per row, "
            r"q_values\.argmax\(dim=1\)",
        ),
        (
            one_coin_argmax_over_the_batch,
            r"shape \(3,\); expected \(5,\).*the argmax runs over the batch \(dim=0\)",
        ),
        (argmax_over_the_batch_as_rows, r"row 1 got action 4; .*dim=0, gives row numbers"),
        (square_only, r"shape \(3, 3\).*got \[1, 2, 0\].*argmax runs over the batch"),
        (
            lambda q, e, rng: q.argmax().numpy(),
            r"shape \(\); expected \(5,\).*argmax\(\) without dim",
        ),
        (
            lambda q, e, rng: epsilon_greedy_batch(q, e, rng).astype(np.float32),
            "dtype float32; expected int64",
        ),
        (
            lambda q, e, rng: epsilon_greedy_batch(q, e, rng)[:, None],
            r"shape \(5, 1\).*a column",
        ),
        (
            lambda q, e, rng: q.argmin(dim=1).numpy(),
            r"expected actions \[1, 0, 2, 2, 1\].*got \[0, 1, 0, 1, 2\].*argmin",
        ),
        (lambda q, e, rng: q.argmax(dim=1).numpy(), r"no row ever took a non-greedy.*never"),
        (reversed_coin, r"epsilon=0\.0.*still takes random actions.*1 - epsilon"),
        (lambda q, e, rng: None, "returned None; expected a NumPy array .*`return` missing"),
        (
            lambda q, e, rng: q.argmax(dim=1).numpy() + 1,
            r"row 2 got action 3; the actions are 0 to 2",
        ),
    ],
)
def test_epsilon_greedy_batch_names_the_mistake(epsilon_greedy_batch, message):
    with pytest.raises(ExerciseError, match=message):
        check_epsilon_greedy_batch(epsilon_greedy_batch)


def test_epsilon_greedy_batch_says_when_q_values_were_changed():
    def sorts_in_place(q_values, epsilon, rng):
        q_values[:, 0] = 0.0
        return epsilon_greedy_batch(q_values, epsilon, rng)

    with pytest.raises(ExerciseError, match="changed q_values in place.*passes a copy"):
        check_epsilon_greedy_batch(sorts_in_place)


# --- Exercise 4.2: the n-step TD target ---------------------------------------------------------


def n_step_target(rewards, terminated, next_q, gamma):
    """The notebook's solution."""
    batch, n = rewards.shape
    target = torch.zeros(batch)  # (batch,)
    alive = torch.ones(batch)  # (batch,) 1.0 while no step so far has terminated
    for i in range(n):
        target = target + alive * gamma**i * rewards[:, i]
        alive = alive * (1.0 - terminated[:, i])
    return target + alive * gamma**n * next_q.max(dim=1).values


def cumprod_target(rewards, terminated, next_q, gamma):
    """Another right answer: no loop, a cumulative product of the flags, computed in float64
    and returned in the dtype of rewards."""
    n = rewards.shape[1]
    alive_after = torch.cumprod(1 - terminated.double(), dim=1)  # (batch, n)
    counts = torch.cat([torch.ones_like(alive_after[:, :1]), alive_after[:, :-1]], dim=1)
    discounts = gamma ** torch.arange(n, dtype=torch.float64)  # (n,)
    summed = (counts * discounts * rewards.double()).sum(dim=1)
    target = summed + alive_after[:, -1] * gamma**n * next_q.double().amax(dim=1)
    return target.to(rewards.dtype)


def test_n_step_target_accepts_the_solution_and_another_spelling(capsys):
    check_n_step_target(n_step_target)
    check_n_step_target(cumprod_target)
    assert capsys.readouterr().out == "check_n_step_target: all 8 cases pass.\n" * 2


def test_n_step_target_with_n_1_is_the_lessons_td_target():
    """The n=1 case the check and the exercise text quote: the lesson's worked batch."""
    import dqn_lib

    rewards, terminated = torch.tensor([[1.0], [1.0], [1.0]]), torch.tensor([[0.0], [1.0], [0.0]])
    next_q = torch.tensor([[10.0, 20.0], [18.0, 15.0], [40.0, 50.0]])
    ours = n_step_target(rewards, terminated, next_q, 0.99)
    lessons = dqn_lib.td_target(rewards[:, 0], next_q, terminated[:, 0], 0.99)
    assert torch.allclose(ours, lessons) and torch.allclose(ours, torch.tensor([20.8, 1.0, 50.5]))


def variant(
    *, power=lambda i: i, bootstrap=lambda g, n: g**n, stop=True, mask="any", best="max", keep=True
):
    """n_step_target with one usual mistake."""

    def wrong(rewards, terminated, next_q, gamma):
        batch, n = rewards.shape
        target, alive = torch.zeros(batch), torch.ones(batch)
        for i in range(n):
            counted = alive * (1 - terminated[:, i]) if not keep else alive
            target = target + (counted if stop else 1.0) * gamma ** power(i) * rewards[:, i]
            alive = alive * (1 - terminated[:, i])
        masks = {
            "any": alive,
            "none": 1.0,
            "last": 1 - terminated[:, -1],
            "count": 1 - terminated.sum(dim=1),
            "reversed": 1 - alive,
        }
        values = {
            "max": next_q.max(dim=1).values,
            "mean": next_q.mean(dim=1),
            "min": next_q.min(dim=1).values,
        }[best]
        return target + masks[mask] * bootstrap(gamma, n) * values

    return wrong


def rewards_until_termination(rewards, terminated, gamma):
    """The right sum of discounted rewards, and which rows never terminated: the part of the
    target that the two mutants below get right."""
    batch, n = rewards.shape
    target, alive = torch.zeros(batch), torch.ones(batch)
    for i in range(n):
        target = target + alive * gamma**i * rewards[:, i]
        alive = alive * (1.0 - terminated[:, i])
    return target, alive


def keepdim_max(rewards, terminated, next_q, gamma):
    target, alive = rewards_until_termination(rewards, terminated, gamma)
    n = rewards.shape[1]
    return target + alive * gamma**n * next_q.max(dim=1, keepdim=True).values  # (batch, batch)


def column(rewards, terminated, next_q, gamma):
    return n_step_target(rewards, terminated, next_q, gamma)[:, None]


def max_as_a_tuple(rewards, terminated, next_q, gamma):
    target, alive = rewards_until_termination(rewards, terminated, gamma)
    n = rewards.shape[1]
    best = next_q.max(dim=1)  # values and indices
    return target + gamma**n * best * alive


def returns_the_max_pair(rewards, terminated, next_q, gamma):
    return next_q.max(dim=1)


def discounts_rewards_in_place(rewards, terminated, next_q, gamma):
    n = rewards.shape[1]
    for i in range(n):
        rewards[:, i] *= gamma**i
    alive = torch.ones(len(rewards))
    target = torch.zeros(len(rewards))
    for i in range(n):
        target += alive * rewards[:, i]
        alive = alive * (1 - terminated[:, i])
    return target + alive * gamma**n * next_q.max(dim=1).values


def masks_terminated_in_place(rewards, terminated, next_q, gamma):
    terminated.sub_(1).neg_()  # terminated becomes "alive"
    return n_step_target(rewards, 1 - terminated, next_q, gamma)


@pytest.mark.parametrize(
    "n_step_target, message",
    [
        (
            variant(mask="none"),
            r"fixed batch, n=3, row 1 \(terminated at step 0, then junk: rewards \[1\.0, 7\.0, "
            r"-3\.0\], terminated \[1, 0, 1\], next_q \[10\.0, 6\.0\], gamma 0\.5\): expected 1, "
            r"got 2\.25\. Likely mistake: it bootstraps after a termination",
        ),
        (
            variant(stop=False),
            r"row 1 .*expected 1, got 3\.75\. Likely mistake: it counts the rewards after a "
            r"termination \(the junk",
        ),
        (variant(stop=False, mask="none"), "neither stops the sum .* nor drops the bootstrap"),
        (variant(mask="last"), r"row 2 .*looks only at the last step's flag"),
        (variant(mask="count"), r"row 1 .*got -0\.25\. .*1 - terminated\.sum\(dim=1\)"),
        (variant(keep=False), r"row 1 .*expected 1, got 0\..*terminated step's own reward"),
        (variant(power=lambda i: i + 1), r"row 0 .*gamma powers are off by one.*gamma\*\*0 = 1"),
        (variant(power=lambda i: i - 1), r"gamma powers are off by one.*not gamma\*\*\(i - 1\)"),
        (variant(power=lambda i: 0), "the rewards are not discounted"),
        (variant(bootstrap=lambda g, n: g), r"forgets gamma\*\*n on the bootstrap and uses gamma"),
        (variant(bootstrap=lambda g, n: 1.0), r"forgets gamma\*\*n .*multiply max next_q by"),
        (variant(bootstrap=lambda g, n: g ** (n - 1)), r"discounted by gamma\*\*\(n - 1\)"),
        (variant(bootstrap=lambda g, n: g ** (n + 1)), r"discounted by gamma\*\*\(n \+ 1\)"),
        (variant(bootstrap=lambda g, n: 0.0), "it never bootstraps"),
        (variant(mask="reversed"), "the bootstrap mask is reversed"),
        (variant(best="mean"), "mean of next_q"),
        (variant(best="min"), "smallest next Q-value"),
        (keepdim_max, r"returned shape \(5, 5\); expected \(5,\).*keepdim"),
        (column, r"returned shape \(5, 1\); expected \(5,\).*squeeze"),
        (
            lambda r, t, q, g: (r * g ** torch.arange(r.shape[1])).sum(dim=0),
            r"shape \(3,\); expected \(5,\).*sums over the batch \(dim=0\)",
        ),
        (
            max_as_a_tuple,
            r"your max_as_a_tuple raised TypeError.*Likely mistake: next_q\.max\(dim=1\) returns "
            r"a pair",
        ),
        (returns_the_max_pair, r"returned a torch\.return_types\.max, not a tensor.*\.values"),
        (
            lambda r, t, q, g: n_step_target(r, t, q, g).tolist(),
            r"returned a list; expected a torch\.Tensor of shape \(batch,\)",
        ),
        (
            lambda r, t, q, g: n_step_target(r, t, q, g).numpy(),
            r"returned a numpy\.ndarray; expected a torch\.Tensor",
        ),
        (
            discounts_rewards_in_place,
            r"fixed batch, n=3: your n_step_target changed its input rewards in place \(the "
            r"check passes copies and compares them after the call\): row 0 was \[1\.0, 1\.0, "
            r"1\.0\], is now \[1\.0, 0\.5, 0\.25\]",
        ),
        (masks_terminated_in_place, "changed its input terminated in place"),
        (lambda r, t, q, g: None, r"returned None \(is a `return` missing\?\)"),
    ],
)
def test_n_step_target_names_the_mistake(n_step_target, message):
    with pytest.raises(ExerciseError, match=message):
        check_n_step_target(n_step_target)


def test_n_step_target_tries_n_1_after_the_fixed_batch():
    """A function right only for n = 3 fails at the n=1 case, which names the lesson's batch."""

    def only_three_steps(rewards, terminated, next_q, gamma):
        return (
            cumprod_target(rewards, terminated, next_q, gamma)
            if rewards.shape[1] == 3
            else (rewards[:, 0] + gamma * next_q.max(dim=1).values)
        )

    with pytest.raises(
        ExerciseError,
        match=r"n=1, the lesson's worked batch \(one-step TD target\), row 1 \(terminated at its "
        r"last step, so no bootstrap.*expected 1, got 18\.82\. Likely mistake: it bootstraps after "
        r"a termination",
    ):
        check_n_step_target(only_three_steps)


def test_n_step_target_random_batches_catch_a_fixed_answer():
    def memorised(rewards, terminated, next_q, gamma):
        if rewards.shape == (5, 3) and gamma == 0.5:
            return torch.tensor([2.25, 1.0, 2.5, 0.75, 2.125])
        return n_step_target(rewards, terminated, next_q, gamma) + (rewards.shape[1] > 1)

    with pytest.raises(ExerciseError, match=r"random batch 1, n=2, row 0 \(no termination"):
        check_n_step_target(memorised)


def test_n_step_target_keeps_the_dtype_of_its_rewards():
    def float64_target(rewards, terminated, next_q, gamma):
        return n_step_target(rewards, terminated, next_q, gamma).to(torch.float64)

    with pytest.raises(ExerciseError, match="dtype torch.float64; expected torch.float32"):
        check_n_step_target(float64_target)
