"""dqn_lib.stats: rliable's IQM and interval, repeatable and without side effects."""

from __future__ import annotations

import numpy as np
import pytest

from dqn_lib.stats import iqm_interval

RETURNS = [470.0, 480.0, 419.0, 494.0, 472.0, 420.0, 418.0, 496.0, 500.0, 482.0]


def test_the_interval_repeats_exactly_and_contains_the_iqm():
    first, again = iqm_interval(RETURNS), iqm_interval(RETURNS)
    assert first == again
    point, low, high = first
    middle = sorted(RETURNS)[2:8]  # the middle half of ten: trim 25% at each end
    assert point == pytest.approx(np.mean(middle))
    assert low < point < high


def test_the_callers_global_random_state_is_left_alone():
    # rliable draws from NumPy's global generator; iqm_interval seeds it and puts it back.
    np.random.seed(5)  # noqa: NPY002
    expected = np.random.rand()  # noqa: NPY002
    np.random.seed(5)  # noqa: NPY002
    iqm_interval(RETURNS)
    assert np.random.rand() == expected  # noqa: NPY002


def test_another_bootstrap_seed_gives_another_interval():
    assert iqm_interval(RETURNS, seed=0)[1:] != iqm_interval(RETURNS, seed=1)[1:]


@pytest.mark.parametrize("values", [[1.0], [], [1.0, float("nan")], [[1.0, 2.0], [3.0, 4.0]]])
def test_bad_input_is_refused(values):
    with pytest.raises(ValueError, match="two or more finite values"):
        iqm_interval(values)
