"""The machinery every exercise check shares: one learner's call, one failure, one line on a pass.

A check tries the learner's function on fixed cases (chosen to expose the usual mistakes) and on
seeded random cases, with generators of its own: it never reads or changes numpy's, torch's or
Python's global random state. On a pass it prints one line, ``check_x: all N cases pass.``, N
counted by ``Check.each`` as the cases run. On a failure it raises ``ExerciseError`` (an
``AssertionError``, so nbgrader counts a failed test) whose message names the case, what was
expected, what came back, and the likely mistake (``known_mistake``: which of the usual wrong
answers the learner's matches).

Every call of the learner's code goes through ``Check.call``: a time limit (``CALL_SECONDS``),
"not implemented yet" for a stub, and any exception reported in one line that names the case and
the learner's own line. Predict-then-run exercises share ``prediction`` and ``verdict``.

Used by every lesson's checks, from notebooks/01_cartpole.py to notebooks/11_playground.py.
"""

from __future__ import annotations

import linecache
import math
import numbers
import random
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import UnionType
from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn

from dqn_lib.env import make_env
from dqn_lib.i18n import tr
from dqn_lib.starts import LINEAR_POLICY_GAINS

T = TypeVar("T")

NOT_IMPLEMENTED = "not implemented yet: replace `raise NotImplementedError()` with your code"

CALL_SECONDS = 60
"""How long one call of the learner's function may take before the check says it never returns:
far longer than any exercise's answer needs, even on a loaded machine."""


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
                error=type(cause).__name__, message=one_line(str(cause))
            )
        return [line]


class Check:
    """One run of an exercise check: its name, the cases it ran, its calls and its failure.

    Not taught in a lesson: the harness of every exercise check, such as ``check_cartpole_policy``
    (notebooks/01_cartpole.py). ``each`` counts the cases as they pass, so that ``passed`` says
    how many ran without anyone counting by hand.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.cases = 0

    def fail(self, message: str) -> ExerciseError:
        """The error to raise: the check's name, then ``message``."""
        return ExerciseError(f"{self.name}: {message}")

    def each(self, cases: Iterable[T]) -> Iterator[T]:
        """``cases`` one at a time, each counted once the loop comes back for the next one."""
        for case in cases:
            yield case
            self.cases += 1

    def count(self, cases: int = 1) -> None:
        """Count ``cases`` more that passed outside an ``each`` loop."""
        self.cases += cases

    def passed(self) -> None:
        """The one line of a pass: every case counted."""
        print(tr("{check}: all {cases} cases pass.").format(check=self.name, cases=self.cases))

    def expect(self, value: T, kind: Any, message: str, **fields: Any) -> T:
        """``value`` if it is a ``kind`` (a type, or a test such as ``is_number``); else fail with
        ``message``, formatted with ``fields`` and ``type``, the name of the type that came back."""
        ok = isinstance(value, kind) if isinstance(kind, type | tuple | UnionType) else kind(value)
        if not ok:
            raise self.fail(message.format(type=type_name(value), **fields))
        return value

    def call(
        self,
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
        mistake; exceptions of the ``reraise`` types (the check's own signals) pass through. A
        call still running after ``CALL_SECONDS`` is stopped and reported.
        """
        try:
            with _time_limit():
                return fn(*args)
        except NotImplementedError:
            raise self.fail(tr(NOT_IMPLEMENTED)) from None
        except ExerciseError:
            raise
        except _TooLong as error:
            message = tr("{case}: {function} did not return within {seconds} seconds").format(
                case=case, function=_learner_function(error), seconds=CALL_SECONDS
            )
            line = learner_line(error)
            if line:
                message += tr(" (it was running {line})").format(line=line)
            hint_text = tr(
                "a loop that never ends (a while loop whose condition stays true, or an episode "
                "loop that never stops at terminated or truncated); fix it and run the check again"
            )
            raise self.fail(
                tr("{message}.").format(message=message)
                + tr(" Likely mistake: {hint}.").format(hint=hint_text)
            ) from None
        except reraise:
            raise
        except Exception as error:
            raise self._raised(case, error, hint(error) if hint else None) from error

    def call_on_copies(
        self,
        fn: Callable[..., Any],
        *args: Any,
        case: str,
        hint: Callable[[Exception], str | None] | None = None,
    ) -> tuple[Any, list[Any]]:
        """``call`` with copies of the arrays, tensors and lists among ``args`` (see ``copied``):
        the answer and the arguments the learner's function got, to compare with ``args``."""
        given = [copied(arg) for arg in args]
        return self.call(fn, *given, case=case, hint=hint), given

    def _raised(self, case: str, error: Exception, hint: str | None) -> ExerciseError:
        """The one-line report of an exception raised inside the learner's function."""
        message = tr("{case}: {function} raised {error}").format(
            case=case, function=_learner_function(error), error=type(error).__name__
        )
        if str(error):
            message += tr(": {message}").format(message=one_line(str(error)))
        line = learner_line(error)
        if line:
            message += tr(", at {line}").format(line=line)
        message = tr("{message}.").format(message=message.rstrip("."))
        if hint:
            message += tr(" Likely mistake: {hint}.").format(hint=hint)
        failure = self.fail(message)
        failure.names_its_cause = True
        return failure


# --- The learner's own line -------------------------------------------------------------------


def one_line(text: str, limit: int = 300) -> str:
    """``text`` with its whitespace runs (newlines included) as single spaces, cut at ``limit``."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Where code that is not the learner's lives: this library (dqn_lib, every module of it), and the
# interpreter's standard library and installed packages (under its prefixes, a virtual
# environment's included).
_LIBRARY_ROOTS = tuple(
    {Path(__file__).resolve().parents[1]}
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


def learner_line(error: BaseException) -> str | None:
    """Where in the learner's own code ``error`` was raised: the innermost frame of its
    traceback that is the learner's, as ``Cell In[12], line 4: `return total / count```."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_learners(f.filename)]
    if not frames:
        return None
    frame = frames[-1]
    source = one_line(frame.line or linecache.getline(frame.filename, frame.lineno or 0), 160)
    where = _where(frame.filename, frame.lineno or 0)
    return f"{where}: `{source}`" if source else where


def _learner_function(error: BaseException) -> str:
    """``your td_target``: the learner's innermost function on the traceback, if it has a name."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_learners(f.filename)]
    name = frames[-1].name if frames else ""
    if name and not name.startswith("<"):
        return tr("your {name}").format(name=name)
    return tr("your code")


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


# --- Looking at an answer ---------------------------------------------------------------------


def fmt(value: float) -> str:
    """A number as a message shows it: 4 significant digits."""
    return f"{float(value) + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def type_name(value: object) -> str:
    """``float``, ``numpy.ndarray``: the type of an answer as a message names it."""
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def is_number(value: object) -> bool:
    """A real number (a NumPy one too), but not a bool: True is not an answer."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_int(value: object) -> bool:
    """An integer (a NumPy one too), but not a bool."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def known_mistake(
    answer: Any,
    variants: Mapping[str, T] | Iterable[tuple[str, T]],
    same: Callable[[Any, T], Any],
    otherwise: str | None = None,
) -> str | None:
    """Which known wrong answer ``answer`` is: the text of the first of ``variants`` (text -> what
    that mistake gives) for which ``same(answer, variant)``, else ``otherwise``."""
    items = variants.items() if isinstance(variants, Mapping) else variants
    return next((text for text, variant in items if same(answer, variant)), otherwise)


def copied(value: T) -> T:
    """A copy for the learner's function to get: a tensor's clone, an array's or a list's copy.
    Anything else (a network, a generator, a number) is passed as it is."""
    if isinstance(value, torch.Tensor):
        return value.clone()
    if isinstance(value, np.ndarray):
        return value.copy()
    return list(value) if isinstance(value, list) else value


def flat_weights(network: nn.Module) -> torch.Tensor:
    """Every weight and bias of ``network`` in one flat tensor, a copy."""
    return torch.cat([p.detach().flatten() for p in network.parameters()]).clone()


def parameter_count(network: nn.Module) -> int:
    """How many weights and biases ``network`` has."""
    return sum(p.numel() for p in network.parameters())


@contextmanager
def global_rng_seeded(seed: int) -> Iterator[None]:
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


# --- CartPole to try a policy on ---------------------------------------------------------------


def cartpole_observations(n: int, seed: int) -> np.ndarray:
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


def always_left(observation: np.ndarray) -> int:
    """A policy that always pushes left: the pole falls within a few steps."""
    return 0


def lean(observation: np.ndarray) -> int:
    """A policy that pushes towards the pole's lean."""
    return int(observation[2] > 0)


def linear_policy(observation: np.ndarray) -> int:
    """The linear policy of all four numbers, ``dqn_lib.starts.LINEAR_POLICY_GAINS``."""
    return int(np.dot(LINEAR_POLICY_GAINS, observation) > 0)


# --- Predict, then run ------------------------------------------------------------------------
# Before an experiment the learner writes down a prediction, as ``my_prediction()`` returning
# ``(answer, why)``; after it, the check reads the measurement beside the prediction and says how
# close it was. A wrong prediction is not a failure (that is what the experiment is for); a
# missing, malformed or unreasoned one is.

MIN_WORDS = 3
"""A prediction's reason must have at least this many words: why, not just what."""
MIN_CHARACTERS = 8
"""The same for a reason written without spaces between words (Japanese, say): this many
characters, not counting spaces and punctuation."""


def is_a_sentence(why: object) -> bool:
    """At least ``MIN_WORDS`` words, or, where words are not spaced (Japanese such as
    ``"角度が大きいと速く倒れるから"``), at least ``MIN_CHARACTERS`` letters, some not ASCII."""
    if not isinstance(why, str):
        return False
    if len(why.split()) >= MIN_WORDS:
        return True
    letters = [c for c in why if c.isalnum()]
    return len(letters) >= MIN_CHARACTERS and not all(c.isascii() for c in letters)


def prediction(check: Check, my_prediction: Callable[[], Any]) -> tuple[Any, str]:
    """Call ``my_prediction()``; return ``(answer, why)`` once their form is right."""
    result = check.call(my_prediction, case="my_prediction()")
    if not isinstance(result, tuple) or len(result) != 2:
        raise check.fail(
            tr(
                "my_prediction() returned {type} {result!r:.80}; return a pair "
                '(answer, why), for example return ("...", "because ...").'
            ).format(type=type_name(result), result=result)
        )
    answer, why = result
    if not is_a_sentence(why):
        raise check.fail(
            tr(
                "the reason {why!r:.80} is not a sentence; write why you expect it, in at least "
                "{min_words} words, as a str: a prediction without a reason teaches little when it "
                "turns out wrong."
            ).format(why=why, min_words=MIN_WORDS)
        )
    return answer, why


def choice(check: Check, answer: Any, options: Sequence[str]) -> str:
    """The option the answer names; case and surrounding spaces do not matter ("Worse " is
    "worse"): a prediction is judged on what it says, not on how it is typed."""
    said = " ".join(answer.split()).lower() if isinstance(answer, str) else None
    if said not in options:
        listed = ", ".join(repr(o) for o in options)
        raise check.fail(
            tr("the answer {answer!r:.80} is not one of {options}: pick one of them.").format(
                answer=answer, options=listed
            )
        )
    return said


def number_in_range(check: Check, answer: Any, what: str, low: float, high: float) -> float:
    """A predicted number: a real number from ``low`` to ``high``."""
    message = tr("{what}: expected a number, got {type} {answer!r:.80}.")
    check.expect(answer, is_number, message, what=what, answer=answer)
    if not math.isfinite(answer) or not low <= answer <= high:
        raise check.fail(
            tr("{what}: {answer!r} is outside {low:g} to {high:g}, the possible range.").format(
                what=what, answer=answer, low=low, high=high
            )
        )
    return float(answer)


def verdict(check: Check, right: bool, said: str, measured: str, lesson: str) -> None:
    """Print the prediction beside the measurement, and whether it held."""
    outcome = tr("Your prediction held.") if right else tr("The measurement says otherwise.")
    print(
        tr("{name}: you predicted {said}; the run measured {measured}. {outcome} {lesson}").format(
            name=check.name, said=said, measured=measured, outcome=outcome, lesson=lesson
        )
    )
