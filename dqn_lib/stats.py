"""Interval estimates over seeds: the interquartile mean and its bootstrap confidence interval.

Taught in notebooks/09_double_dqn.py. A thin wrapper around rliable (Agarwal et al., 2021,
"Deep RL at the Edge of the Statistical Precipice"), the field's library for reporting results
over few seeds: the interquartile mean (IQM, the mean of the middle half of the runs) with a 95%
stratified-bootstrap confidence interval, seeded so that a table repeats exactly.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from dqn_lib.i18n import tr

__all__ = ["BOOTSTRAP_REPS", "iqm_interval"]

BOOTSTRAP_REPS = 2_000
"""Bootstrap resamples per estimate (rliable's default is 50,000). With 2,000, an interval's ends
move by a few units of the last shown digit with the bootstrap seed; the seed is fixed, so a table
repeats exactly."""


def iqm_interval(
    values: Sequence[float], reps: int = BOOTSTRAP_REPS, seed: int = 0
) -> tuple[float, float, float]:
    """The IQM of ``values`` (one a seed) and the low and high ends of its 95% interval.

    Taught in notebooks/09_double_dqn.py.

    >>> iqm_interval([1.0, 2.0, 3.0, 4.0])[0]
    2.5
    """
    from rliable import library as rly
    from rliable import metrics

    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size < 2 or not np.isfinite(array).all():
        raise ValueError(
            tr("iqm_interval needs two or more finite values, one a seed; got {values!r}.").format(
                values=values
            )
        )
    # rliable 1.2.0's StratifiedBootstrap draws its resamples from NumPy's *global* generator
    # (np.random.choice), whatever random_state says: seed that generator for this call and put
    # its state back afterwards, so the interval repeats and the caller's randomness is untouched.
    saved = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(seed)  # noqa: NPY002
        with warnings.catch_warnings():
            # arch (under rliable) deprecates the RandomState that rliable passes on.
            warnings.filterwarnings("ignore", "random_state is deprecated", FutureWarning)
            points, intervals = rly.get_interval_estimates(
                {"run": array.reshape(-1, 1)},  # (seeds, tasks): one task
                lambda x: np.array([metrics.aggregate_iqm(x)]),
                reps=reps,
                random_state=np.random.RandomState(seed),
            )
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    return float(points["run"][0]), float(intervals["run"][0, 0]), float(intervals["run"][1, 0])
