"""Exercise checks of notebooks/07_replay.py: sampling a batch from a replay buffer, and the
small-buffer rung of the ladder as a config.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable

import numpy as np

from dqn_lib.checks.harness import Check, global_rng_seeded, type_name
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import DQNAgent
from dqn_lib.i18n import tr

_REPLAY_FIELDS = ("observations", "actions", "rewards", "next_observations", "terminated")


def _replay_arrays(capacity: int) -> tuple[np.ndarray, ...]:
    """Buffer arrays whose every field tells which row it came from: observation ``i`` starts
    with ``i``, next observation with ``1000 + i``, reward ``i + 0.5``."""
    rows = np.arange(capacity)
    observations = (rows[:, None] + np.array([0.0, 0.1, 0.2, 0.3])).astype(np.float32)
    next_observations = observations + np.float32(1000.0)
    actions = (rows % 2).astype(np.int64)
    rewards = (rows + 0.5).astype(np.float32)
    terminated = rows % 5 == 4
    return observations, actions, rewards, next_observations, terminated


def _sample(check: Check, sample_fn: Callable, arrays, size: int, batch_size: int, rng) -> list:
    case = tr("with size={size} and batch_size={batch_size}").format(
        size=size, batch_size=batch_size
    )
    result, _ = check.call_on_copies(
        sample_fn, *arrays, size, batch_size, rng, case=case, hint=_sample_hint
    )
    if not isinstance(result, tuple) or len(result) != 5:
        got = (
            tr("a {type} of {length}").format(type=type_name(result), length=len(result))
            if isinstance(result, list)
            else None
        )
        raise check.fail(
            tr(
                "{case} your sample returned {got}; expected a tuple of 5 "
                "NumPy arrays ({fields}): return (a, b, c, d, e)."
            ).format(case=case, got=got or type_name(result), fields=", ".join(_REPLAY_FIELDS))
        )
    fields = []
    for field, value, source in zip(_REPLAY_FIELDS, result, arrays, strict=True):
        message = tr(
            "{case} your sample returned {field} as {type}; expected a NumPy array, the rows of "
            "the buffer's own {field} array (index it with the drawn indices: array[indices]; no "
            "torch.as_tensor or list)."
        )
        check.expect(value, np.ndarray, message, case=case, field=field)
        if value.dtype != source.dtype:
            raise check.fail(
                tr(
                    "{case} your sample returned {field} of dtype {dtype}; the buffer stores "
                    "them as {stored}. Return the stored rows as they are (array[indices]), "
                    "without converting them."
                ).format(case=case, field=field, dtype=value.dtype, stored=source.dtype)
            )
        shape = (batch_size, *source.shape[1:])
        if value.shape != shape:
            raise check.fail(
                tr(
                    "with batch_size={batch_size} your sample returned {field} of shape "
                    "{got}; expected {shape} (the fields go in the order "
                    "{fields})."
                ).format(
                    batch_size=batch_size,
                    field=field,
                    got=value.shape,
                    shape=shape,
                    fields=", ".join(_REPLAY_FIELDS),
                )
            )
        fields.append(value)
    return fields


def _sample_hint(error: Exception) -> str | None:
    if isinstance(error, ValueError) and "high" in str(error):
        return tr(
            "rng.integers(low, high) draws below high, never high itself: rng.integers(0, size) "
            "already stops at the last stored row, size - 1"
        )
    if isinstance(error, ValueError) and "replace" in str(error):
        return tr("draw with replacement, as the task says: a row may come twice in one batch")
    return None


def _show(row: np.ndarray) -> object:
    return row.item() if row.size == 1 else row.tolist()


def _first(mask: np.ndarray) -> int | None:
    rows = np.flatnonzero(mask)
    return int(rows[0]) if len(rows) else None


def _check_rows(check: Check, fields: list, arrays, size: int) -> np.ndarray:
    """The transition each sampled row came from; fails on a row that is not one transition's."""
    observations, capacity = fields[0], len(arrays[0])
    indices = np.rint(observations[:, 0]).astype(np.int64)
    stored = arrays[0][np.clip(indices, 0, capacity - 1)]
    k = _first((indices < 0) | (indices >= capacity) | ~np.isclose(observations, stored).all(1))
    if k is not None:
        raise check.fail(
            tr(
                "row {k} of the observations you returned, {row}, is not "
                "a row of the observations array: index the arrays, observations[indices]."
            ).format(k=k, row=observations[k].tolist())
        )
    k = _first(indices >= size)
    if k is not None:
        raise check.fail(
            tr(
                "row {k} is transition {transition}, but only the first {size} rows hold "
                "transitions (size={size}): draw indices below size, not below the capacity "
                "{capacity}."
            ).format(k=k, transition=indices[k], size=size, capacity=capacity)
        )
    for field, value, source in zip(_REPLAY_FIELDS[1:], fields[1:], arrays[1:], strict=True):
        value = value.reshape(len(value), -1)
        expected = source[indices].reshape(len(indices), -1)
        k = _first(~np.isclose(value, expected).all(1))
        if k is not None:
            flat = source.reshape(len(source), -1)
            matches = np.flatnonzero(np.isclose(flat, value[k]).all(1))
            seen = (
                tr("transition {transition}'s").format(transition=matches[0])
                if len(matches) == 1
                else tr("a different row's")
            )
            raise check.fail(
                tr(
                    "row {k}: the observation is transition {transition}'s but {field} is {seen} "
                    "(expected {expected}, got {got}): draw one "
                    "set of indices and use it for every field."
                ).format(
                    k=k,
                    transition=indices[k],
                    field=field,
                    seen=seen,
                    expected=_show(source[indices[k]]),
                    got=_show(value[k]),
                )
            )
    return indices


def check_replay_sample(sample_fn: Callable) -> None:
    """Check ``sample(observations, actions, rewards, next_observations, terminated, size,
    batch_size, rng) -> (observations, actions, rewards, next_observations, terminated)``.

    Taught in notebooks/07_replay.py (``ReplayBuffer.sample``). The buffer's arrays have room for
    64 transitions and hold ``size`` of them. A sample has ``batch_size`` rows, each field from
    the same transition, only from the first ``size`` rows, every stored transition can come,
    drawn with replacement, and the random draws come from ``rng`` alone.
    """
    check = Check("check_replay_sample")
    arrays = _replay_arrays(64)
    rng = np.random.default_rng(0)
    for size, batch_size in check.each(((1, 4), (40, 1), (40, 32), (64, 16))):
        _check_rows(check, _sample(check, sample_fn, arrays, size, batch_size, rng), arrays, size)
    size = 40
    seen = np.zeros(size, dtype=int)
    with_a_repeat = 0
    for _ in range(150):
        fields = _sample(check, sample_fn, arrays, size, 32, rng)
        rows = _check_rows(check, fields, arrays, size)
        np.add.at(seen, rows, 1)
        with_a_repeat += len(np.unique(rows)) < len(rows)
    check.count()  # the 150 samples, as one case
    never = np.flatnonzero(seen == 0)
    if len(never):
        raise check.fail(
            tr(
                "in 150 samples of 32 from size={size}, transition(s) {never} never came: "
                "every stored transition must be drawn, uniformly; check the bounds, "
                "rng.integers(0, size, size=batch_size)."
            ).format(size=size, never=never.tolist())
        )
    if seen.max() > 3 * seen.mean():
        raise check.fail(
            tr(
                "in 150 samples of 32, transition {transition} came {count} times "
                "(about {mean:.0f} expected): draw the indices uniformly."
            ).format(transition=int(seen.argmax()), count=seen.max(), mean=seen.mean())
        )
    if with_a_repeat == 0:  # with replacement, a batch of 32 from 40 almost always repeats one
        raise check.fail(
            tr(
                "in 150 samples of 32 from size={size}, no transition ever came twice in one "
                "sample: your sample draws without replacement; the task says with replacement "
                "(a row may come twice in one batch): rng.integers(0, size, size=batch_size)."
            ).format(size=size)
        )
    runs = []
    for seed, global_seed in ((11, 1), (11, 2), (12, 1)):
        with global_rng_seeded(global_seed):
            rng = np.random.default_rng(seed)
            runs.append(_sample(check, sample_fn, arrays, size, 32, rng)[0][:, 0].tolist())
    check.count()  # the three runs, as one case
    if runs[0] != runs[1]:
        raise check.fail(
            tr(
                "two calls with the same rng (seed 11) must sample the same rows; they began "
                "{first} and {second}. Likely mistake: your sample "
                "draws from a random source other than the rng it is given (np.random, random, "
                "torch). Use rng.integers(...)."
            ).format(first=_first_rows(runs[0]), second=_first_rows(runs[1]))
        )
    if runs[0] == runs[2]:
        raise check.fail(
            tr(
                "rngs with different seeds (11 and 12) must sample different rows; both began "
                "{first}. Likely mistake: the indices do not come from the rng you "
                "are given: rng.integers(0, size, size=batch_size)."
            ).format(first=_first_rows(runs[0]))
        )
    check.passed()


def _first_rows(rows: list[float]) -> str:
    """The first rows a sample drew (each row's first entry is its index), as text."""
    return "[" + ", ".join(f"{row:g}" for row in rows[:5]) + ", ...]"


def check_small_buffer_rung(small_buffer_rung: Callable) -> None:
    """Check ``small_buffer_rung(config) -> DQNConfig``: the same settings with a replay buffer
    that holds exactly one batch, ``buffer_size = config.batch_size``, nothing else changed.

    Taught in notebooks/07_replay.py (the ``small_buffer`` preset). Tried on the defaults and on
    three configs that differ from them, two with other batch sizes, so that a size written as a
    number, or a config built from the defaults rather than from ``config``, is caught; then a
    ``DQNAgent`` built from the answer must keep only the latest batch of transitions.
    """
    check = Check("check_small_buffer_rung")
    configs = [
        DQNConfig(),
        DQNConfig(gamma=0.95, learning_rate=1e-3, hidden=(32, 32)),
        DQNConfig(batch_size=32, buffer_size=1_000, tau=0.05),
        DQNConfig(batch_size=64, target_update="none", double_dqn=False, epsilon_end=0.05),
    ]
    results = []
    for config in check.each(configs):
        original = copy.deepcopy(config)
        case = f"config={_short(config)}"
        result = check.call(small_buffer_rung, config, case=case, hint=_frozen_hint)
        if config != original:
            raise check.fail(
                tr(
                    "{case}: your function changed the config it was given ({changes}); return "
                    "a new one with config.replace(...) and leave config as it was."
                ).format(case=case, changes=_changes(_differences(original, config)))
            )
        message = tr(
            "{case}: expected a DQNConfig, got {type}. Build it with config.replace(...), which "
            "returns a new, checked config."
        )
        check.expect(result, DQNConfig, message, case=case)
        changed = _differences(config, result)
        if (result.buffer_size, result.batch_size) == (1, 1):
            raise check.fail(
                tr(
                    "{case}: buffer_size=1, batch_size=1 is the online rung: it takes the batch "
                    "away as well as the memory. Keep the batch; shrink only the buffer, to one "
                    "batch ({batch_size} transitions here)."
                ).format(case=case, batch_size=config.batch_size)
            )
        if "batch_size" in changed:
            raise check.fail(
                tr(
                    "{case}: your batch_size is {got}; expected {batch_size}, the config's own. "
                    "The small-buffer rung keeps the batch and changes the memory."
                ).format(case=case, got=result.batch_size, batch_size=config.batch_size)
            )
        wrong = {k: v for k, v in changed.items() if k != "buffer_size"}
        if wrong:
            raise check.fail(
                tr(
                    "{case}: these settings changed too: {changes}. A rung changes one idea: keep "
                    "everything but the buffer's size (config.replace(...) keeps the rest)."
                ).format(case=case, changes=_changes(wrong))
            )
        if result.buffer_size != config.batch_size:
            hint = (
                tr(" Take it from config.batch_size, not a number: the batch is not always 128.")
                if result.buffer_size == DQNConfig().batch_size
                else ""
            )
            raise check.fail(
                tr(
                    "{case}: buffer_size={buffer_size}; expected {batch_size}, one batch of this "
                    "config (batch_size={batch_size}).{hint}"
                ).format(
                    case=case,
                    buffer_size=result.buffer_size,
                    batch_size=config.batch_size,
                    hint=hint,
                )
            )
        results.append(result)
    _check_keeps_one_batch(check, results[2])
    check.count()
    check.passed()


def _frozen_hint(error: Exception) -> str | None:
    if isinstance(error, dataclasses.FrozenInstanceError):
        return tr(
            "a DQNConfig is frozen, so that no run changes another's settings: build a new one, "
            "config.replace(buffer_size=...)"
        )
    return None


def _check_keeps_one_batch(check: Check, config: DQNConfig) -> None:
    """An agent built from the answer remembers the latest ``batch_size`` transitions only."""
    agent = DQNAgent(config, seed=0)
    n = config.batch_size + 8
    for i in range(n):
        observation = np.full(4, float(i), dtype=np.float32)
        agent.observe(observation, 0, 1.0, observation, False, False)
    held = np.unique(agent.replay_buffer.sample(2_000).observations[:, 0]).astype(int).tolist()
    latest = list(range(n - config.batch_size, n))
    if held != latest:
        raise check.fail(
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
            )
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
