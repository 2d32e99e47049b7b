"""Exercise checks: run a learner's function against the library's reference and say what differs.

Each lesson's exercise cell is followed by a call such as ``check_td_target(td_target)``. A check
tries the learner's function on fixed cases (chosen to expose the usual mistakes) and on seeded
random cases, with generators of its own: it never reads or changes numpy's, torch's or Python's
global random state. On a pass it prints one line and returns None. On a failure it raises
``ExerciseError`` (an ``AssertionError``, so nbgrader counts a failed test) whose message names
the case, what was expected, what came back, and the likely mistake.

Used after the exercises of notebooks/01_cartpole.py to notebooks/09_double_dqn.py; each check names
its lesson.
"""

from __future__ import annotations

import linecache
import numbers
import random
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from dqn_lib.dqn import soft_update as reference_soft_update
from dqn_lib.env import OBSERVATION_NAMES, display_name, make_env
from dqn_lib.evaluation import evaluate
from dqn_lib.i18n import tr
from dqn_lib.networks import new_q_network
from dqn_lib.plots import moving_average as reference_moving_average
from dqn_lib.rewards import FALL_PENALTY, POSITION_PENALTY, get_reward_function

__all__ = [
    "ExerciseError",
    "check_cartpole_policy",
    "check_episode_length",
    "check_greedy_action",
    "check_moving_average",
    "check_q_network",
    "check_replay_sample",
    "check_reward_function",
    "check_soft_target_weights",
    "check_training_step",
]

NOT_IMPLEMENTED = "not implemented yet: replace `raise NotImplementedError()` with your code"


class ExerciseError(AssertionError):
    """An exercise's answer differs from the reference; the message says where and why.

    Not taught in a lesson: what every exercise's check, such as ``check_cartpole_policy``
    (notebooks/01_cartpole.py), raises.

    In a notebook, IPython shows only the message (``_render_traceback_``), on one line, not a
    traceback through the check's own code: the message is the whole story. nbgrader and nbval
    still see an error in the cell, with this class's name. When the learner's own code raised,
    the original exception stays in ``__cause__`` (a plain Python traceback shows it in full).
    """

    names_its_cause = False
    """True when the message already names ``__cause__`` (an error of the learner's code)."""

    def _render_traceback_(self) -> list[str]:
        red, plain = "\x1b[0;31m", "\x1b[0m"
        line = f"{red}{type(self).__name__}{plain}: {self}"
        cause = self.__cause__
        if cause is not None and not self.names_its_cause:
            # Never hide an error of the learner's own code, but keep to one line.
            line += tr(" (caused by {error}: {message})").format(
                error=type(cause).__name__, message=_one_line(str(cause))
            )
        return [line]


def _fail(check: str, message: str) -> ExerciseError:
    return ExerciseError(f"{check}: {message}")


def _one_line(text: str, limit: int = 300) -> str:
    """``text`` with its whitespace runs (newlines included) as single spaces, cut at ``limit``."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Where code that is not the learner's lives: this library, and the interpreter's standard
# library and installed packages (under its prefixes, a virtual environment's included).
_LIBRARY_ROOTS = tuple(
    {Path(__file__).resolve().parent}
    | {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
)


def _is_learners(filename: str) -> bool:
    """Whether code from ``filename`` is the learner's: a notebook cell, or a file of their own."""
    if filename.startswith("<"):
        # <stdin> and <ipython-input-...> hold code the learner typed; <string> is code that a
        # library generated (a dataclass's __setattr__), <frozen ...> Python's own.
        return filename == "<stdin>" or filename.startswith("<ipython-input")
    if filename.endswith((".pyx", ".pxd")) or "site-packages" in Path(filename).parts:
        return False  # compiled library code (NumPy's random generator, say), named relatively
    path = Path(filename).resolve()
    return not any(path.is_relative_to(root) for root in _LIBRARY_ROOTS)


def _where(filename: str, lineno: int) -> str:
    """``Cell In[12], line 4`` for a notebook cell (as IPython's tracebacks name it), else the
    file (relative to the working folder when inside it) and the line."""
    label = None
    try:
        from IPython import get_ipython

        shell = get_ipython()
        format_name = getattr(getattr(shell, "compile", None), "format_code_name", None)
        label = format_name(filename) if format_name is not None else None
    except ImportError:  # no IPython: a plain script
        pass
    if label:
        return tr("{place}, line {lineno}").format(place=f"{label[0]} {label[1]}", lineno=lineno)
    path = Path(filename)
    with suppress(ValueError, OSError):
        path = path.resolve().relative_to(Path.cwd())
    return tr("{place}, line {lineno}").format(place=path, lineno=lineno)


def _learner_line(error: BaseException) -> str | None:
    """Where in the learner's own code ``error`` was raised: the innermost frame of its
    traceback that is the learner's, as ``Cell In[12], line 4: `return total / count```."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_learners(f.filename)]
    if not frames:
        return None
    frame = frames[-1]
    source = _one_line(frame.line or linecache.getline(frame.filename, frame.lineno or 0), 160)
    where = _where(frame.filename, frame.lineno or 0)
    return f"{where}: `{source}`" if source else where


def _learner_function(error: BaseException) -> str:
    """``your td_target``: the learner's innermost function on the traceback, if it has a name."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_learners(f.filename)]
    name = frames[-1].name if frames else ""
    if name and not name.startswith("<"):
        return tr("your {name}").format(name=name)
    return tr("your code")


def _raised(check: str, case: str, error: Exception, hint: str | None = None) -> ExerciseError:
    """The one-line report of an exception raised inside the learner's function."""
    message = tr("{case}: {function} raised {error}").format(
        case=case, function=_learner_function(error), error=type(error).__name__
    )
    if str(error):
        message += tr(": {message}").format(message=_one_line(str(error)))
    line = _learner_line(error)
    if line:
        message += tr(", at {line}").format(line=line)
    message = tr("{message}.").format(message=message.rstrip("."))
    if hint:
        message += tr(" Likely mistake: {hint}.").format(hint=hint)
    failure = _fail(check, message)
    failure.names_its_cause = True
    return failure


def _call(
    check: str,
    fn: Callable[..., Any],
    *args: Any,
    case: str,
    hint: Callable[[Exception], str | None] | None = None,
    reraise: tuple[type[Exception], ...] = (),
) -> Any:
    """Call the learner's function ``fn(*args)``; every check calls learners' code through here.

    A function still raising ``NotImplementedError`` is reported as "not implemented yet". Any
    other exception becomes one ``ExerciseError`` line naming ``case`` (the input the check
    tried), the exception and the learner's own line that raised it, with the original as
    ``__cause__``: no traceback through the check's code. ``hint(error)`` may add the likely
    mistake; exceptions of the ``reraise`` types (the check's own signals) pass through.
    """
    try:
        with _time_limit():
            return fn(*args)
    except NotImplementedError:
        raise _fail(check, tr(NOT_IMPLEMENTED)) from None
    except ExerciseError:
        raise
    except _TooLong as error:
        message = tr("{case}: {function} did not return within {seconds} seconds").format(
            case=case, function=_learner_function(error), seconds=CALL_SECONDS
        )
        line = _learner_line(error)
        if line:
            message += tr(" (it was running {line})").format(line=line)
        hint_text = tr(
            "a loop that never ends (a while loop whose condition stays true, or an episode loop "
            "that never stops at terminated or truncated); fix it and run the check again"
        )
        raise _fail(
            check,
            tr("{message}.").format(message=message)
            + tr(" Likely mistake: {hint}.").format(hint=hint_text),
        ) from None
    except reraise:
        raise
    except Exception as error:
        raise _raised(check, case, error, hint(error) if hint else None) from error


CALL_SECONDS = 60
"""How long one call of the learner's function may take before the check says it never returns:
far longer than any exercise's answer needs, even on a loaded machine."""


class _TooLong(BaseException):
    """Raised inside the learner's function when its time is up (a BaseException, so that the
    learner's own ``except Exception`` cannot swallow it)."""


@contextmanager
def _time_limit() -> Iterator[None]:
    """``CALL_SECONDS`` for the call, by SIGALRM: where a signal can be set (POSIX, the main
    thread: a notebook's kernel, a test) and no other timer runs (an outer call's limit holds)."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return

    def time_is_up(signum: int, frame: object) -> None:
        raise _TooLong

    previous = signal.signal(signal.SIGALRM, time_is_up)
    signal.setitimer(signal.ITIMER_REAL, CALL_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _passed(check: str, cases: int) -> None:
    print(tr("{check}: all {cases} cases pass.").format(check=check, cases=cases))


def _fmt(value: float) -> str:
    return f"{float(value) + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def _type_name(value: object) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


@contextmanager
def _global_rng_seeded(seed: int) -> Iterator[None]:
    """Seed numpy's, Python's and torch's global generators, and restore them afterwards."""
    # The one place the checks touch global state, on purpose: a learner's function that draws
    # from it gives different answers for the same rng. The state is restored on the way out.
    numpy_state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    with torch.random.fork_rng(devices=[]):
        np.random.seed(seed)  # noqa: NPY002
        random.seed(seed)
        torch.manual_seed(seed)
        try:
            yield
        finally:
            np.random.set_state(numpy_state)  # noqa: NPY002
            random.setstate(python_state)


# --- Lesson 1: a hand-written policy ----------------------------------------------------------


def _cartpole_observations(n: int, seed: int) -> np.ndarray:
    """``n`` observations CartPole really produces, from random play on a seeded environment."""
    rng = np.random.default_rng(seed)
    env = make_env(seed=seed)
    observation, _ = env.reset()
    rows = []
    while len(rows) < n:
        rows.append(observation)
        observation, _, terminated, truncated, _ = env.step(int(rng.integers(2)))
        if terminated or truncated:
            observation, _ = env.reset()
    env.close()
    return np.array(rows, dtype=np.float32)


def check_cartpole_policy(policy: Callable[[np.ndarray], int], margin: float = 100.0) -> None:
    """Check a hand-written CartPole policy, a function observation -> action.

    Taught in notebooks/01_cartpole.py. The policy must return a Python int, 0 or 1, for real
    CartPole observations, must not always return the same action, and its mean return over 20
    seeded episodes must beat a random policy's by at least ``margin``.
    """
    name = "check_cartpole_policy"
    observations = _cartpole_observations(200, seed=7)
    actions = []
    for i, observation in enumerate(observations):
        where = tr("observation {i} ({values})").format(
            i=i, values=np.array2string(observation, precision=3)
        )
        action = _call(name, policy, observation, case=tr("for {where}").format(where=where))
        if isinstance(action, torch.Tensor):
            raise _fail(
                name,
                tr(
                    "for {where} your policy returned a tensor ({action!r}); return a Python int: "
                    "int(...) around it."
                ).format(where=where, action=action),
            )
        if isinstance(action, bool | np.bool_):
            raise _fail(
                name,
                tr(
                    "for {where} your policy returned {action!r}, a bool; return the action "
                    "number, 1 if ... else 0."
                ).format(where=where, action=action),
            )
        if isinstance(action, float | np.floating):
            raise _fail(
                name,
                tr(
                    "for {where} your policy returned {action!r}, a float; actions are the ints "
                    "0 (push left) and 1 (push right)."
                ).format(where=where, action=action),
            )
        if not isinstance(action, int | np.integer):
            raise _fail(
                name,
                tr(
                    "for {where} your policy returned {action!r} of type {type}; "
                    "expected the int 0 or 1."
                ).format(where=where, action=action, type=_type_name(action)),
            )
        if action not in (0, 1):
            raise _fail(
                name,
                tr(
                    "for {where} your policy returned {action}; CartPole's actions are 0 (push "
                    "left) and 1 (push right)."
                ).format(where=where, action=action),
            )
        actions.append(int(action))
    if len(set(actions)) == 1:
        raise _fail(
            name,
            tr(
                "your policy always returns action {action}, whatever the observation: it must "
                "look at the observation (the pole's angle, its angular velocity) to choose."
            ).format(action=actions[0]),
        )
    rng = np.random.default_rng(0)
    random_mean = evaluate(lambda _: int(rng.integers(2)), episodes=20, seed=1_000).mean()
    policy_mean = _call(
        name, evaluate, policy, 20, 1_000, case=tr("playing 20 episodes (seeds 1000-1019)")
    ).mean()
    if policy_mean < random_mean:
        raise _fail(
            name,
            tr(
                "your policy averaged {policy_mean:.1f} steps over 20 episodes, worse than a "
                "random policy ({random_mean:.1f}): does it push away from the side the pole "
                "falls to? (action 1 pushes right)"
            ).format(policy_mean=policy_mean, random_mean=random_mean),
        )
    if policy_mean < random_mean + margin:
        raise _fail(
            name,
            tr(
                "your policy averaged {policy_mean:.1f} steps over 20 episodes, only "
                "{gain:.1f} more than a random policy ({random_mean:.1f}); "
                "expected at least {margin:.0f} more. Hint: react to the pole's angular velocity "
                "too, not only its angle."
            ).format(
                policy_mean=policy_mean,
                gain=policy_mean - random_mean,
                random_mean=random_mean,
                margin=margin,
            ),
        )
    _passed(name, len(observations) + 20)


class _EpisodeOver(Exception):
    """Raised by the watched environment when a learner's loop steps past the episode's end."""


class _WatchedEnv(gymnasium.Wrapper):
    """CartPole that records how the learner's ``episode_length`` uses it."""

    def __init__(self, env: gymnasium.Env) -> None:
        super().__init__(env)
        self.reset_seeds: list[int | None] = []
        self.steps = 0
        self.ended_by: str | None = None

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self.reset_seeds.append(seed)
        self.steps, self.ended_by = 0, None
        return self.env.reset(seed=seed, options=options)

    def step(self, action):
        if self.ended_by is not None:
            raise _EpisodeOver(self.ended_by)
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.steps += 1
        if terminated or truncated:
            self.ended_by = "terminated" if terminated else "truncated"
        return observation, reward, terminated, truncated, info


def _reference_episode_length(policy: Callable[[np.ndarray], int], seed: int) -> tuple[int, str]:
    env = make_env()
    observation, _ = env.reset(seed=seed)
    steps = 0
    while True:
        observation, _, terminated, truncated, _ = env.step(policy(observation))
        steps += 1
        if terminated or truncated:
            env.close()
            return steps, "terminated" if terminated else "truncated"


def _always_left(observation: np.ndarray) -> int:
    return 0


def _lean(observation: np.ndarray) -> int:
    return int(observation[2] > 0)


def _balancer(observation: np.ndarray) -> int:
    return int(observation[2] + 0.5 * observation[3] + 0.01 * observation[0] > 0)


def _random_linear_policy(seed: int) -> tuple[Callable[[np.ndarray], int], str]:
    """A policy drawn at random, but fixed once drawn: push right where ``observation @ w > 0``,
    and its description. (A policy that drew a new random action at every call would act
    differently in the reference's episode and the learner's.)"""
    weights = np.random.default_rng(seed).normal(size=4).round(2)

    def policy(observation: np.ndarray) -> int:
        return int(observation @ weights > 0)

    return policy, tr(
        "a random linear policy (push right when observation @ {weights} > 0)"
    ).format(weights=weights.tolist())


def _episode_cases() -> list[tuple[int, str, Callable[[np.ndarray], int]]]:
    """(seed, description, policy): three policies on fixed seeds, then seeded random ones."""
    policies = [
        (tr("a policy that always pushes left"), _always_left),
        (tr("a policy that pushes towards the lean"), _lean),
        (tr("a policy that balances to the time limit"), _balancer),
    ]
    cases = [(seed, text, policy) for seed in (0, 7, 123) for text, policy in policies]
    rng = np.random.default_rng(2026)
    for _ in range(3):
        seed = int(rng.integers(1_000_000))
        policy, description = _random_linear_policy(seed)
        cases.append((seed, description, policy))
    return cases


def check_episode_length(episode_length: Callable) -> None:
    """Check ``episode_length(env, policy, seed) -> int``: reset ``env`` with ``seed``, act with
    ``policy(observation) -> action`` until the episode ends, return the number of steps taken.

    Taught in notebooks/01_cartpole.py. Tries a policy that always pushes left (the pole falls
    in about 10 steps), one that pushes towards the lean (about 40) and one that balances until
    the 500-step time limit, on three seeds, then three seeded random policies on seeded random
    seeds, against the reference. A loop that stops only on ``terminated`` is stopped by the
    check at the time limit and told so.
    """
    name = "check_episode_length"
    cases = 0
    for seed, description, policy in _episode_cases():
        expected, ending = _reference_episode_length(policy, seed)
        env = _WatchedEnv(make_env())
        case = tr("with seed={seed} and {description}").format(seed=seed, description=description)
        try:
            got = _call(name, episode_length, env, policy, seed, case=case, reraise=(_EpisodeOver,))
        except _EpisodeOver as over:
            at = _learner_line(over)
            again = (
                tr("called env.step again (at {line})").format(line=at)
                if at
                else tr("called env.step again")
            )
            raise _fail(
                name,
                tr(
                    "{case}, the episode ended after {expected} steps ({over}), but your loop "
                    "{again}. Stop when terminated OR truncated: at 500 steps the time limit "
                    "truncates the episode, and the pole has not fallen."
                ).format(case=case, expected=expected, over=over, again=again)
                if str(over) == "truncated"
                else tr(
                    "{case}, the episode ended after {expected} steps (the pole fell, "
                    "terminated=True), but your loop {again}: stop when terminated or truncated."
                ).format(case=case, expected=expected, again=again),
            ) from None
        finally:
            env.close()
        cases += 1
        if seed not in env.reset_seeds:
            raise _fail(
                name,
                tr(
                    "{case}, your function never called env.reset(seed={seed}) (its resets: "
                    "{resets}). Reset with the seed you are given, so the same seed "
                    "gives the same episode."
                ).format(case=case, seed=seed, resets=env.reset_seeds),
            )
        if isinstance(got, bool) or not isinstance(got, int | np.integer):
            raise _fail(
                name,
                tr(
                    "{case}, expected the number of steps as an int ({expected}), got {got!r} of "
                    "type {type}."
                ).format(case=case, expected=expected, got=got, type=_type_name(got)),
            )
        if got == expected:
            continue
        if got == expected - 1:
            mistake = tr(
                "one too few: count the step that ended the episode too (add 1 after every "
                "env.step, before checking whether it ended)"
            )
        elif got == expected + 1:
            mistake = tr("one too many: count env.step calls, not resets or observations")
        elif env.steps == expected and env.ended_by is not None:
            mistake = tr("your loop took the right steps but returned another number")
        else:
            mistake = tr("count one per env.step call, from the reset to the end")
        raise _fail(
            name,
            tr(
                "{case}, the episode lasts {expected} steps (it ends {ending}); your function "
                "returned {got}. Likely mistake: {mistake}."
            ).format(case=case, expected=expected, ending=ending, got=got, mistake=mistake),
        )
    _passed(name, cases)


# --- Lesson 3: the Q-network ------------------------------------------------------------------


def _layer_description(network: nn.Module) -> str:
    layers = [m for m in network.modules() if isinstance(m, nn.Linear)]
    if not layers:
        return tr(
            "no nn.Linear layers that PyTorch can see (layers kept in a Python list are not "
            "registered: make each an attribute, self.name = nn.Linear(...), or use nn.ModuleList)"
        )
    return tr("layers {sizes}").format(
        sizes=", ".join(f"{m.in_features}->{m.out_features}" for m in layers)
    )


def _q_shape(name: str, network: nn.Module, inputs: torch.Tensor, expected: tuple) -> torch.Tensor:
    shape = tuple(inputs.shape)
    with torch.no_grad():
        output = _call(
            name, network, inputs, case=tr("for an input of shape {shape}").format(shape=shape)
        )
    if not isinstance(output, torch.Tensor):
        raise _fail(
            name,
            tr(
                "for an input of shape {shape} your network returned "
                "{type}; expected a tensor of shape {expected}."
            ).format(shape=shape, type=_type_name(output), expected=expected),
        )
    if tuple(output.shape) != expected:
        raise _fail(
            name,
            tr(
                "for an input of shape {shape} your network returned shape "
                "{got}; expected {expected} (one Q-value per action)."
            ).format(shape=shape, got=tuple(output.shape), expected=expected),
        )
    if not torch.isfinite(output).all():
        raise _fail(
            name,
            tr(
                "for an input of shape {shape} your network returned NaN or infinite "
                "Q-values ({values} first); expected "
                "finite numbers. Likely mistake: weights set to NaN or infinity, or a division by "
                "zero in forward."
            ).format(shape=shape, values=[round(v, 4) for v in output.flatten()[:4].tolist()]),
        )
    return output


class _LinearOutputs(TorchFunctionMode):
    """Records the output of every linear layer a forward pass computes, whether through an
    ``nn.Linear`` module or ``torch.nn.functional.linear`` directly (as ``dqn_lib.QNet`` does)."""

    def __init__(self) -> None:
        super().__init__()
        self.outputs: list[torch.Tensor] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        result = func(*args, **(kwargs or {}))
        if func is torch.nn.functional.linear:
            self.outputs.append(result)
        return result


def _ends_with_linear(network: nn.Module, inputs: torch.Tensor) -> bool:
    """Whether the network's output is exactly the output of the last linear layer it ran."""
    with torch.no_grad(), _LinearOutputs() as recorded:
        result = network(inputs)
    outputs = recorded.outputs
    return bool(outputs) and outputs[-1].shape == result.shape and torch.equal(outputs[-1], result)


def _check_bends(name: str, midpoint_gap: torch.Tensor) -> None:
    if midpoint_gap.abs().max() < 1e-4:
        raise _fail(
            name,
            tr(
                "your network is linear in its input: for 200 random pairs of inputs, the output "
                "at their midpoint is the midpoint of their outputs (largest gap "
                "{gap}; a network with ReLUs bends, so the gap is "
                "expected to be clearly above 0). Likely mistake: no ReLU (torch.relu or "
                "nn.ReLU()) between the layers."
            ).format(gap=_fmt(midpoint_gap.abs().max())),
        )


def _check_final_activation(
    name: str, moderate: torch.Tensor, large: torch.Tensor, midpoint_gap: torch.Tensor
) -> None:
    """Something comes after the last nn.Linear: name it from what the outputs look like."""
    # First, because a final ReLU can also look linear or bounded: when every output it sees is
    # cut to exactly 0, the output is the same constant everywhere.
    if (large >= 0).all() and (moderate >= 0).all() and (moderate == 0).any():
        raise _fail(
            name,
            tr(
                "your network's output is never negative and often exactly 0 (for 200 random "
                "inputs, {zeros} of the {total} Q-values are 0, "
                "none below): a ReLU after the last layer cuts off negative Q-values. Expected "
                "Q-values of either sign. End with nn.Linear, no activation."
            ).format(zeros=int((moderate == 0).sum()), total=moderate.numel()),
        )
    _check_bends(name, midpoint_gap)
    if torch.allclose(large.sum(dim=1), torch.ones(len(large)), atol=1e-4):
        raise _fail(
            name,
            tr(
                "every row of your network's output sums to 1 (the first row is "
                "{row}): a softmax at the end turns Q-values "
                "into probabilities. Q-values are returns, any real number: end with nn.Linear."
            ).format(row=[round(v, 3) for v in moderate[0].tolist()]),
        )
    if large.abs().max() <= 1.0 + 1e-6:
        raise _fail(
            name,
            tr(
                "your network's output stays within [-1, 1] even for huge inputs (for 500 inputs "
                "100 times an observation's size, from {low} to {high}; "
                "expected values far outside it): a tanh or sigmoid at the end bounds it. Q-values "
                "are returns, any real number: end with nn.Linear."
            ).format(low=_fmt(large.min()), high=_fmt(large.max())),
        )
    if (large >= 0).all():
        raise _fail(
            name,
            tr(
                "your network's output is never negative (for 500 large inputs, the smallest "
                "Q-value is {low}; expected some below 0): an activation after the last "
                "layer (a ReLU, Softplus, abs or exp) cuts off negative Q-values. End with "
                "nn.Linear, no activation."
            ).format(low=_fmt(large.min())),
        )


def check_q_network(network_class_or_instance: type[nn.Module] | nn.Module) -> None:
    """Check the 4-32-32-2 Q-network: a class built as ``QNet(4, 2)``, or a built network.

    Taught in notebooks/03_q_network.py. It must map ``(batch, 4) -> (batch, 2)`` and
    ``(4,) -> (2,)``, have 1282 weights and biases, take its sizes from its arguments (a class is
    also built as ``QNet(6, 3)``), a ReLU between its layers (a network without
    one is linear in its input), and an unbounded output (no softmax, tanh or final ReLU).
    """
    name = "check_q_network"
    network = network_class_or_instance
    if isinstance(network, type):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            network = _call(
                name,
                network,
                4,
                2,
                case=tr("building {name}(4, 2)").format(name=network.__name__),
            )
    if not isinstance(network, nn.Module):
        raise _fail(
            name,
            tr("expected your QNet class or a network built from it, got {type}.").format(
                type=_type_name(network)
            ),
        )
    generator = torch.Generator().manual_seed(0)
    _q_shape(name, network, torch.randn(5, 4, generator=generator), (5, 2))
    _q_shape(name, network, torch.randn(4, generator=generator), (2,))
    _check_parameter_count(name, network, 4, 2, tr("your network"))
    x = torch.randn(200, 4, generator=generator) * 2
    y = torch.randn(200, 4, generator=generator) * 2
    large_inputs = torch.randn(500, 4, generator=generator) * 100
    with torch.no_grad():
        outputs = {
            label: _call(name, network, inputs, case=tr("for {where}").format(where=label))
            for label, inputs in (
                (tr("200 random inputs of shape (200, 4)"), x),
                (tr("200 other random inputs"), y),
                (tr("their 200 midpoints"), (x + y) / 2),
                (tr("500 inputs 100 times an observation's size"), large_inputs),
            )
        }
    moderate, other, midpoints, large = outputs.values()
    midpoint_gap = midpoints - (moderate + other) / 2
    if _ends_with_linear(network, large_inputs):
        # The output is the last nn.Linear's own: no activation after it, so only the ReLUs
        # between the layers are left to check. (The output tests below are heuristics: a
        # correct network's outputs can, rarely, all be positive on the inputs tried.)
        _check_bends(name, midpoint_gap)
    else:
        _check_final_activation(name, moderate, large, midpoint_gap)
    if isinstance(network_class_or_instance, type):
        _check_sizes_from_arguments(name, network_class_or_instance)
    _passed(name, 8 if isinstance(network_class_or_instance, type) else 7)


def _check_parameter_count(
    name: str, network: nn.Module, n_in: int, n_out: int, subject: str, why: str = ""
) -> None:
    """The 4-32-32-2 shape, or its n_in-32-32-n_out twin, counted in weights and biases."""
    expected = n_in * 32 + 32 + 32 * 32 + 32 + 32 * n_out + n_out
    count = sum(p.numel() for p in network.parameters())
    if count != expected:
        raise _fail(
            name,
            tr(
                "{subject} has {count} weights and biases; the {n_in}-32-32-{n_out} network has "
                "{expected} ({n_in}*32+32 + 32*32+32 + 32*{n_out}+{n_out}). Yours has "
                "{layers}; expected {n_in}->32, 32->32, 32->{n_out}{why}."
            ).format(
                subject=subject,
                count=count,
                n_in=n_in,
                n_out=n_out,
                expected=expected,
                layers=_layer_description(network),
                why=why,
            ),
        )


def _check_sizes_from_arguments(name: str, network_class: type[nn.Module]) -> None:
    """``network_class(6, 3)`` must map (batch, 6) to (batch, 3): the sizes come from the
    arguments, not from CartPole's 4 and 2."""
    fix = tr(
        "take the sizes from the arguments n_observations and n_actions, not the numbers 4 and 2"
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        network = _call(
            name,
            network_class,
            6,
            3,
            case=tr("building {name}(6, 3)").format(name=network_class.__name__),
        )
    inputs = torch.randn(7, 6, generator=torch.Generator().manual_seed(1))
    case = tr("{name}(6, 3) for an input of shape (7, 6)").format(name=network_class.__name__)
    with torch.no_grad():
        output = _call(name, network, inputs, case=case, hint=lambda _error: fix)
    shape = tuple(output.shape) if isinstance(output, torch.Tensor) else None
    if shape != (7, 3):
        got = tr("shape {shape}").format(shape=shape) if shape is not None else _type_name(output)
        raise _fail(
            name,
            tr(
                "{case}: your network returned {got}; expected (7, 3), 3 Q-values for each of the "
                "7 observations of 6 numbers. Likely mistake: {fix}."
            ).format(case=case, got=got, fix=fix),
        )
    _check_parameter_count(
        name,
        network,
        6,
        3,
        f"{network_class.__name__}(6, 3)",
        tr(
            ": the hidden layers stay 32 wide, the first and last take their sizes from the "
            "arguments"
        ),
    )


def _greedy_cases() -> list[tuple[str, nn.Module, np.ndarray]]:
    """Networks and observations for check_greedy_action: real CartPole observations, four for
    each action of each network (so no single answer fits them all), one given as float64."""
    observations = _cartpole_observations(200, seed=11)
    steer = nn.Linear(4, 2)  # Q-values that prefer pushing where the pole is falling
    with torch.no_grad():
        steer.weight.copy_(torch.tensor([[0.0, 0.0, -1.0, -0.5], [0.0, 0.0, 1.0, 0.5]]))
        steer.bias.zero_()
    networks = [
        (tr("a 4-32-32-2 network"), new_q_network(4, 2, seed=48)),
        (tr("another 4-32-32-2 network"), new_q_network(4, 2, seed=50)),
        (tr("a linear network"), steer),
        (tr("a network with 3 actions"), new_q_network(4, 3, seed=46)),
    ]
    cases = []
    for label, network in networks:
        with torch.no_grad():
            q_values = network(torch.as_tensor(observations))  # (200, n_actions)
        best = q_values.argmax(dim=1).numpy()
        picked = [i for a in range(q_values.shape[1]) for i in np.flatnonzero(best == a)[:4]]
        cases += [
            (tr("observation {i}, {label}").format(i=i, label=label), network, observations[i])
            for i in sorted(picked)
        ]
    float64 = observations[0].astype(np.float64)
    cases.append((tr("observation 0 as a float64 array"), networks[0][1], float64))
    return cases


def _dtype_hint(error: Exception) -> str | None:
    if isinstance(error, RuntimeError) and ("dtype" in str(error) or "Double" in str(error)):
        return tr(
            "the network's weights are float32; convert the observation with "
            "torch.as_tensor(observation, dtype=torch.float32)"
        )
    return None


def check_greedy_action(greedy_action: Callable) -> None:
    """Check ``greedy_action(q_network, observation) -> int``: the action with the largest
    Q-value for one observation, as a Python int.

    Taught in notebooks/03_q_network.py. Tries 37 real CartPole observations on four networks
    (one with three actions), four for each action, and one observation given as a float64
    array, against the argmax of the network's Q-values.
    """
    name = "check_greedy_action"
    cases = _greedy_cases()
    answers = []
    for description, network, observation in cases:
        with torch.no_grad():
            q_values = network(torch.as_tensor(observation, dtype=torch.float32))
        where = tr("for {description} (Q-values {q_values})").format(
            description=description, q_values=[round(float(v), 4) for v in q_values]
        )
        action = _call(name, greedy_action, network, observation, case=where, hint=_dtype_hint)
        if isinstance(action, torch.Tensor):
            extra = (
                tr(
                    " with {elements} elements: take the argmax over the actions only "
                    "(q_values.argmax() for one observation, argmax(dim=1) for a batch)"
                ).format(elements=action.numel())
                if action.numel() != 1
                else tr(": wrap it in int(...)")
            )
            raise _fail(
                name,
                tr(
                    "{where} your function returned a tensor ({action!r}){extra}; expected a "
                    "Python int."
                ).format(where=where, action=action, extra=extra),
            )
        if isinstance(action, bool) or not isinstance(action, int | np.integer):
            raise _fail(
                name,
                tr(
                    "{where} your function returned {action!r} of type {type}; "
                    "expected a Python int, the index of the largest Q-value."
                ).format(where=where, action=action, type=_type_name(action)),
            )
        answers.append((where, int(q_values.argmax()), int(q_values.argmin()), int(action)))
    wrong = [(where, best, action) for where, best, _, action in answers if action != best]
    if wrong:
        where, best, action = wrong[0]
        if all(action == worst for _, _, worst, action in answers):
            mistake = tr("it picks the smallest Q-value: use argmax, not argmin")
        elif len({action for *_, action in answers}) == 1:
            mistake = tr(
                "it always returns {action}, whatever the Q-values: take their argmax"
            ).format(action=action)
        else:
            mistake = tr("the greedy action is the index of the largest Q-value")
        raise _fail(
            name,
            tr(
                "{where} expected action {best}, got {action} ({wrong} of {cases} "
                "cases wrong). Likely mistake: {mistake}."
            ).format(
                where=where,
                best=best,
                action=action,
                wrong=len(wrong),
                cases=len(answers),
                mistake=mistake,
            ),
        )
    _passed(name, len(cases))


# --- Lesson 4: the agent's checks are in dqn_lib.checks_agent ------------------------------


# --- Lesson 5: rewards ------------------------------------------------------------------------


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
            ).format(factor=_fmt(factors[0]), penalty=POSITION_PENALTY)
    return None


def check_reward_function(reward_fn: Callable, name: str = "pole_angle") -> None:
    """Check a reward function ``reward_fn(next_observation, env_reward, terminated) -> float``
    against the library's reward called ``name`` (``dqn_lib.REWARD_FUNCTIONS``).

    Taught in notebooks/05_reward.py (and notebooks/10_inside.py for ``"angle_and_position"``).
    Hand-made and recorded transitions, falls and a time-limit step included. Only a termination
    is punished with -5: there is no ``truncated`` argument, so a -5 on a step with
    ``terminated=False`` punishes an ordinary step or the time limit.
    """
    check = "check_reward_function"
    reference = get_reward_function(name)
    cases = _reward_cases()
    results = []
    for label, observation, env_reward, terminated in cases:
        where = tr("for {where}").format(where=label)
        got = _call(check, reward_fn, observation.copy(), env_reward, terminated, case=where)
        if (
            isinstance(got, torch.Tensor | np.ndarray)
            or isinstance(got, bool)
            or not (isinstance(got, numbers.Real))
        ):
            raise _fail(
                check,
                tr(
                    "for {label} your reward function returned {got!r} of type {type}; "
                    "expected a number (a Python float)."
                ).format(label=label, got=got, type=_type_name(got)),
            )
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
            raise _fail(
                check,
                tr(
                    "for {label} your reward function returned {got!r} of type {type}; "
                    "expected a Python float, as the task says: {fix}."
                ).format(label=label, got=got, type=_type_name(got), fix=fix),
            )
        if not np.isfinite(float(got)):
            raise _fail(
                check,
                tr(
                    "for {label} your reward function returned {got}; expected "
                    "{expected}, a finite number. A NaN "
                    "or infinite reward makes every Q-value it reaches NaN or infinite."
                ).format(
                    label=label,
                    got=float(got),
                    expected=_fmt(reference(observation, env_reward, terminated)),
                ),
            )
        results.append(float(got))
    expected = [reference(o, r, t) for _, o, r, t in cases]
    wrong = [i for i, (g, e) in enumerate(zip(results, expected, strict=True)) if abs(g - e) > 1e-6]
    if not wrong:
        _passed(check, len(cases))
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
    raise _fail(
        check,
        tr(
            "for {label} (next_observation {observation}, terminated="
            "{terminated}) expected {expected}, got {got}. Likely mistake: {mistake}."
        ).format(
            label=label,
            observation=np.round(cases[i][1], 4).tolist(),
            terminated=cases[i][3],
            expected=_fmt(want),
            got=_fmt(got),
            mistake=mistake,
        ),
    )


# --- Lesson 6: one training step --------------------------------------------------------------


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
    Each call is ``call(case, step, *args)`` (the learner's goes through ``_call``)."""
    network = new_q_network(4, 2, seed=3)
    optimizer = torch.optim.SGD(network.parameters(), lr=0.05)
    records = []
    for k, transition in enumerate(_step_transitions()):
        observation, action, reward, next_observation, terminated = transition
        case = tr("call {k} (action {action}, reward {reward}, terminated={terminated})").format(
            k=k, action=action, reward=_fmt(reward), terminated=terminated
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
        weights = torch.cat([p.detach().flatten() for p in network.parameters()]).clone()
        records.append((loss, weights))
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
    name = "check_training_step"
    gamma = 0.9
    initial = torch.cat([p.detach().flatten() for p in new_q_network(4, 2, seed=3).parameters()])

    def checked_call(case: str, fn: Callable, *args: Any) -> float:
        loss = _call(name, fn, *args, case=case)
        if isinstance(loss, torch.Tensor):
            raise _fail(
                name,
                tr(
                    "your train_step returned a tensor ({loss!r}); return the loss as a Python "
                    "float: loss.item()."
                ).format(loss=loss),
            )
        if isinstance(loss, bool) or not isinstance(loss, numbers.Real):
            raise _fail(
                name,
                tr(
                    "your train_step returned {loss!r} of type {type}; expected the "
                    "loss as a Python float (loss.item())."
                ).format(loss=loss, type=_type_name(loss)),
            )
        return float(loss)

    got = _replay_steps(train_step, gamma, checked_call)
    expected = _replay_steps(_reference_step, gamma)
    transitions = _step_transitions()
    for k, (mine, reference) in enumerate(zip(got, expected, strict=True)):
        if _same(mine, reference):
            continue
        before = initial if k == 0 else got[k - 1][1]
        if torch.equal(mine[1], before):
            raise _fail(
                name,
                tr(
                    "call {k}: your train_step did not change the network's weights: call "
                    "loss.backward() and then optimizer.step()."
                ).format(k=k),
            )
        mistake = tr("compare your steps with OnlineAgent.observe in dqn_lib/agents.py")
        for text, options in _step_mistakes().items():

            def variant(*args: Any, options: dict = options) -> float:
                return _reference_step(*args, **options)

            records = _replay_steps(variant, gamma)[: k + 1]
            if all(_same(m, v) for m, v in zip(got[: k + 1], records, strict=True)):
                mistake = text
                break
        _, action, reward, _, terminated = transitions[k]
        what = (
            tr("expected loss {expected}, got {got}").format(
                expected=_fmt(reference[0]), got=_fmt(mine[0])
            )
            if abs(mine[0] - reference[0]) > 1e-5 * max(1.0, abs(reference[0]))
            else tr(
                "the loss is right ({loss}) but the updated weights differ by up to {difference}"
            ).format(loss=_fmt(mine[0]), difference=_fmt((mine[1] - reference[1]).abs().max()))
        )
        raise _fail(
            name,
            tr(
                "call {k} (action {action}, reward {reward}, terminated={terminated}): {what}. "
                "Likely mistake: {mistake}."
            ).format(
                k=k,
                action=action,
                reward=_fmt(reward),
                terminated=terminated,
                what=what,
                mistake=mistake,
            ),
        )
    _passed(name, len(got))


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
    name = "check_moving_average"
    rng = np.random.default_rng(5)
    cases = [
        ([0.0, 2.0, 4.0, 6.0], 2),
        ([3.0, 1.0, 4.0, 1.0, 5.0], 1),
        ([9.0, 10.0, 12.0, 40.0, 8.0, 9.0, 30.0, 11.0], 3),
        (rng.integers(8, 500, size=60).astype(float).tolist(), 10),
        ([10.0, 20.0, 30.0], 5),
    ]
    for values, window in cases:
        expected = reference_moving_average(values, window)
        case = tr("for values {values} and window={window}").format(
            values=values if len(values) <= 8 else tr("(60 returns)"), window=window
        )
        got = _call(name, moving_average, list(values), window, case=case)
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
            raise _fail(
                name,
                tr(
                    "{case} expected {count} values, got shape {shape}. Likely mistake: {mistake}."
                ).format(case=case, count=len(expected), shape=got_array.shape, mistake=mistake),
            )
        if np.allclose(got_array, expected, atol=1e-6):
            continue
        mistake = next(
            (
                text
                for text, wrong in _moving_average_variants(np.asarray(values), window).items()
                if np.allclose(got_array, wrong, atol=1e-6)
            ),
            tr("each point is the mean of that value and the window - 1 values before it"),
        )
        i = int(np.abs(got_array - expected).argmax())
        raise _fail(
            name,
            tr(
                "{case} point {i} should be {expected}, got {got}. Likely mistake: {mistake}."
            ).format(
                case=case, i=i, expected=_fmt(expected[i]), got=_fmt(got_array[i]), mistake=mistake
            ),
        )
    _passed(name, len(cases))


# --- Lesson 7: replay and the target network --------------------------------------------------

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


def _sample(name: str, sample_fn: Callable, arrays, size: int, batch_size: int, rng) -> list:
    case = tr("with size={size} and batch_size={batch_size}").format(
        size=size, batch_size=batch_size
    )
    result = _call(
        name,
        sample_fn,
        *(a.copy() for a in arrays),
        size,
        batch_size,
        rng,
        case=case,
        hint=_sample_hint,
    )
    if not isinstance(result, tuple) or len(result) != 5:
        got = (
            tr("a {type} of {length}").format(type=_type_name(result), length=len(result))
            if isinstance(result, list)
            else None
        )
        raise _fail(
            name,
            tr(
                "{case} your sample returned {got}; expected a tuple of 5 "
                "NumPy arrays ({fields}): return (a, b, c, d, e)."
            ).format(case=case, got=got or _type_name(result), fields=", ".join(_REPLAY_FIELDS)),
        )
    fields = []
    for field, value, source in zip(_REPLAY_FIELDS, result, arrays, strict=True):
        if not isinstance(value, np.ndarray):
            raise _fail(
                name,
                tr(
                    "{case} your sample returned {field} as {type}; expected a NumPy "
                    "array, the rows of the buffer's own {field} array (index it with the drawn "
                    "indices: array[indices]; no torch.as_tensor or list)."
                ).format(case=case, field=field, type=_type_name(value)),
            )
        if value.dtype != source.dtype:
            raise _fail(
                name,
                tr(
                    "{case} your sample returned {field} of dtype {dtype}; the buffer stores "
                    "them as {stored}. Return the stored rows as they are (array[indices]), "
                    "without converting them."
                ).format(case=case, field=field, dtype=value.dtype, stored=source.dtype),
            )
        shape = (batch_size, *source.shape[1:])
        if value.shape != shape:
            raise _fail(
                name,
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
                ),
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


def _check_rows(name: str, fields: list, arrays, size: int) -> np.ndarray:
    """The transition each sampled row came from; fails on a row that is not one transition's."""
    observations, capacity = fields[0], len(arrays[0])
    indices = np.rint(observations[:, 0]).astype(np.int64)
    stored = arrays[0][np.clip(indices, 0, capacity - 1)]
    k = _first((indices < 0) | (indices >= capacity) | ~np.isclose(observations, stored).all(1))
    if k is not None:
        raise _fail(
            name,
            tr(
                "row {k} of the observations you returned, {row}, is not "
                "a row of the observations array: index the arrays, observations[indices]."
            ).format(k=k, row=observations[k].tolist()),
        )
    k = _first(indices >= size)
    if k is not None:
        raise _fail(
            name,
            tr(
                "row {k} is transition {transition}, but only the first {size} rows hold "
                "transitions (size={size}): draw indices below size, not below the capacity "
                "{capacity}."
            ).format(k=k, transition=indices[k], size=size, capacity=capacity),
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
            raise _fail(
                name,
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
                ),
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
    name = "check_replay_sample"
    arrays = _replay_arrays(64)
    rng = np.random.default_rng(0)
    cases = 0
    for size, batch_size in ((1, 4), (40, 1), (40, 32), (64, 16)):
        _check_rows(name, _sample(name, sample_fn, arrays, size, batch_size, rng), arrays, size)
        cases += 1
    size = 40
    seen = np.zeros(size, dtype=int)
    with_a_repeat = 0
    for _ in range(150):
        fields = _sample(name, sample_fn, arrays, size, 32, rng)
        rows = _check_rows(name, fields, arrays, size)
        np.add.at(seen, rows, 1)
        with_a_repeat += len(np.unique(rows)) < len(rows)
    cases += 1
    never = np.flatnonzero(seen == 0)
    if len(never):
        raise _fail(
            name,
            tr(
                "in 150 samples of 32 from size={size}, transition(s) {never} never came: "
                "every stored transition must be drawn, uniformly; check the bounds, "
                "rng.integers(0, size, size=batch_size)."
            ).format(size=size, never=never.tolist()),
        )
    if seen.max() > 3 * seen.mean():
        raise _fail(
            name,
            tr(
                "in 150 samples of 32, transition {transition} came {count} times "
                "(about {mean:.0f} expected): draw the indices uniformly."
            ).format(transition=int(seen.argmax()), count=seen.max(), mean=seen.mean()),
        )
    if with_a_repeat == 0:  # with replacement, a batch of 32 from 40 almost always repeats one
        raise _fail(
            name,
            tr(
                "in 150 samples of 32 from size={size}, no transition ever came twice in one "
                "sample: your sample draws without replacement; the task says with replacement "
                "(a row may come twice in one batch): rng.integers(0, size, size=batch_size)."
            ).format(size=size),
        )
    runs = []
    for seed, global_seed in ((11, 1), (11, 2), (12, 1)):
        with _global_rng_seeded(global_seed):
            rng = np.random.default_rng(seed)
            runs.append(_sample(name, sample_fn, arrays, size, 32, rng)[0][:, 0].tolist())
    cases += 1
    if runs[0] != runs[1]:
        raise _fail(
            name,
            tr(
                "two calls with the same rng (seed 11) must sample the same rows; they began "
                "{first} and {second}. Likely mistake: your sample "
                "draws from a random source other than the rng it is given (np.random, random, "
                "torch). Use rng.integers(...)."
            ).format(first=_first_rows(runs[0]), second=_first_rows(runs[1])),
        )
    if runs[0] == runs[2]:
        raise _fail(
            name,
            tr(
                "rngs with different seeds (11 and 12) must sample different rows; both began "
                "{first}. Likely mistake: the indices do not come from the rng you "
                "are given: rng.integers(0, size, size=batch_size)."
            ).format(first=_first_rows(runs[0])),
        )
    _passed(name, cases)


def _first_rows(rows: list[float]) -> str:
    """The first rows a sample drew (each row's first entry is its index), as text."""
    return "[" + ", ".join(f"{row:g}" for row in rows[:5]) + ", ...]"


def _simulated_soft_target_weights(tau: float, n_updates: int) -> np.ndarray:
    """The weights, found by running ``dqn_lib.soft_update`` itself: a one-weight target network
    starts at 0, and the one-weight Q-network holds a 1 in a different slot after each update, so
    that every slot of the target ends up holding the weight of one snapshot."""
    size = n_updates + 1
    target = nn.Linear(size, 1, bias=False, dtype=torch.float64)
    online = nn.Linear(size, 1, bias=False, dtype=torch.float64)
    with torch.no_grad():
        target.weight.zero_()
        target.weight[0, 0] = 1.0  # the target's own starting weights
        for k in range(1, size):
            online.weight.zero_()
            online.weight[0, k] = 1.0  # the Q-network right after update k
            reference_soft_update(target, online, tau)
    return target.weight.detach().numpy()[0].copy()


def _soft_weight_variants(tau: float, n: int) -> dict[str, np.ndarray]:
    """The usual wrong answers, each with what the message says about it."""
    k = np.arange(1, n + 1)
    variants = {
        tr(
            "the order is reversed: element k belongs to update k, and the latest update weighs "
            "most, tau; update n - 1 weighs tau * (1 - tau), and so on back"
        ): np.concatenate([[(1 - tau) ** n], tau * (1 - tau) ** (k - 1)]),
        tr(
            "tau and 1 - tau are swapped: each soft update keeps 1 - tau of the target and adds "
            "tau of the Q-network"
        ): np.concatenate([[tau**n], (1 - tau) * tau ** (n - k)]),
        tr("the exponents are one too high: the latest update weighs tau, not tau * (1 - tau)"): (
            np.concatenate([[(1 - tau) ** (n + 1)], tau * (1 - tau) ** (n - k + 1)])
        ),
        tr(
            "the exponents are one too low: update n, the latest, weighs tau, and each update "
            "before it one factor (1 - tau) less"
        ): np.concatenate([[(1 - tau) ** (n - 1.0)], tau * (1 - tau) ** (n - k - 1.0)]),
        tr(
            "element 0 is the target's starting weights, still held with weight (1 - tau) ** n; "
            "without it the weights do not sum to 1"
        ): np.concatenate([[0.0], tau * (1 - tau) ** (n - k)]),
    }
    return variants


def _sum_remark(weights: np.ndarray) -> str:
    """Said only when the weights do not sum to 1, which every correct answer's do."""
    total = float(weights.sum())
    if abs(total - 1) < 1e-6:
        return ""
    return tr(" (your weights sum to {total}, not 1)").format(total=_fmt(total))


def check_soft_target_weights(soft_target_weights: Callable) -> None:
    """Check ``soft_target_weights(tau, n_updates) -> np.ndarray`` of shape ``(n_updates + 1,)``.

    Taught in notebooks/08_target_network.py. After ``n_updates`` soft updates, the target network
    is a weighted sum of its starting weights (element 0) and of the Q-network's weights right
    after each update k (element k). The expected weights are found by running
    ``dqn_lib.soft_update`` on one-weight networks; fixed cases (tau 0.5, 0.1, 1, no update,
    2,000 updates of tau 0.01) then seeded random ones.
    """
    name = "check_soft_target_weights"
    generator = np.random.default_rng(0)
    cases = [(0.5, 3), (0.1, 10), (1.0, 4), (0.3, 0), (0.01, 2_000)]
    cases += [
        (round(float(generator.uniform(0.02, 0.9)), 3), int(generator.integers(1, 30)))
        for _ in range(3)
    ]
    for tau, n in cases:
        case = f"tau={tau}, n_updates={n}"
        got = _call(name, soft_target_weights, tau, n, case=case)
        if not isinstance(got, np.ndarray):
            raise _fail(
                name,
                tr(
                    "{case}: your function returned {type}; expected a NumPy array of "
                    "{size} floats (np.array(...) around a list, or build it with NumPy)."
                ).format(case=case, type=_type_name(got), size=n + 1),
            )
        if got.shape != (n + 1,):
            hint = (
                tr(" Element 0 is the target's starting weights: n_updates + 1 elements in all.")
                if got.shape == (n,)
                else ""
            )
            raise _fail(
                name,
                tr(
                    "{case}: your array has shape {shape}; expected ({size},), one weight for "
                    "the starting weights and one for each of the {n} updates.{hint}"
                ).format(case=case, shape=got.shape, size=n + 1, n=n, hint=hint),
            )
        if not np.issubdtype(got.dtype, np.floating):
            raise _fail(
                name,
                tr(
                    "{case}: your array has dtype {dtype}; expected floats (weights between 0 "
                    "and 1)."
                ).format(case=case, dtype=got.dtype),
            )
        expected = _simulated_soft_target_weights(tau, n)
        if np.allclose(got, expected, rtol=1e-6, atol=1e-12):
            continue
        mistake = next(
            (
                text
                for text, variant in _soft_weight_variants(tau, n).items()
                if np.allclose(got, variant, rtol=1e-6, atol=1e-12)
            ),
            tr(
                "unroll target = (1 - tau) * target + tau * online over the n updates: element k "
                "(k >= 1) is tau * (1 - tau) ** (n - k), element 0 is (1 - tau) ** n"
            ),
        )
        i = int(np.argmax(np.abs(got - expected)))
        raise _fail(
            name,
            tr(
                "{case}: element {i} should be {expected}, got {got}"
                "{remark}. Likely mistake: {mistake}."
            ).format(
                case=case,
                i=i,
                expected=_fmt(expected[i]),
                got=_fmt(got[i]),
                remark=_sum_remark(got),
                mistake=mistake,
            ),
        )
    _passed(name, len(cases))
    weights = _call(name, soft_target_weights, 0.01, 2_000, case="tau=0.01, n_updates=2000")
    age = float(np.sum(weights * (2_000 - np.arange(2_001))))
    print(
        tr(
            "With tau = 0.01 (the course's DQN), your weights say the target network is on "
            "average {age:.1f} updates behind the Q-network."
        ).format(age=age)
    )
