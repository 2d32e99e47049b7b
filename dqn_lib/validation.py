"""The argument checks the library's public functions share, so that every one words the same
mistake the same way and names the argument at fault.

A ground module: it imports nothing from ``dqn_lib`` but ``tr`` (``dqn_lib.i18n``). Not taught
in a lesson: it serves every public function that takes a count, such as ``evaluate``
(notebooks/06_training.py).
"""

from __future__ import annotations

import math
import numbers
import os
import types
from pathlib import Path

from dqn_lib.i18n import tr


def positive_int(value: object, name: str) -> int:
    """``value`` if it is an int of at least 1 (a bool is not), else a ValueError naming ``name``.

    >>> positive_int(3, "episodes")
    3
    """
    return int_at_least(value, 1, name, wording=tr("a positive int"))


def int_at_least(value: object, minimum: int, name: str, wording: str | None = None) -> int:
    """``value`` if it is an int of at least ``minimum`` (a bool is not), else a ValueError:
    "``name`` must be an int >= ``minimum``, got ``value``."

    >>> int_at_least(2, 2, "resolution")
    2
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        expected = wording or tr("an int >= {minimum}").format(minimum=minimum)
        raise ValueError(
            tr("{name} must be {expected}, got {value!r}.").format(
                name=name, expected=expected, value=value
            )
        )
    return value


def function_name(function: object) -> str:
    """How an error names a user's function: ``pole_angle_reward``, ``MyAgent.act``, or its type
    for a callable object.

    >>> function_name(len)
    'len'
    """
    if isinstance(function, types.MethodType) and not isinstance(function.__self__, type):
        return f"{type(function.__self__).__name__}.{function.__name__}"
    name = getattr(function, "__qualname__", None) or getattr(function, "__name__", None)
    if isinstance(name, str) and "<locals>" in name:  # a function defined inside another
        name = name.rsplit(".", 1)[-1]
    return name if isinstance(name, str) else type(function).__name__


def real_number(value: object) -> bool:
    """Whether ``value`` is one real number: a Python or NumPy int or float (a bool counts, as
    1 or 0), or a 0-dimensional NumPy array of one; not None, a string, a complex number or a
    sequence."""
    if isinstance(value, numbers.Real):
        return True
    shape, kind = getattr(value, "shape", None), getattr(getattr(value, "dtype", None), "kind", "")
    return shape == () and kind in "biuf" and kind != ""


def check_reward(value: object, function: object, where: str) -> None:
    """Refuse what a reward function returned unless it is one finite real number, naming the
    function and ``where`` (such as "at step 12")."""
    if not real_number(value):
        problem = tr("{value!r} of type {type}").format(value=value, type=type(value).__name__)
    elif not math.isfinite(float(value)):  # type: ignore[arg-type]
        problem = f"{value!r}"
    else:
        return
    raise ValueError(
        tr(
            "The reward function {function} returned {problem} {where}; it must return a finite "
            "real number, such as a float. Return float(...) of the reward."
        ).format(function=function_name(function), problem=problem, where=where)
    )


def check_action(action: object, n_actions: int, source: str, where: str) -> None:
    """Refuse an action unless it is an int in ``[0, n_actions)``, naming ``source`` (the agent's
    ``act`` or the policy function that returned it) and ``where`` (such as "at step 3")."""
    kind = getattr(getattr(action, "dtype", None), "kind", "")
    integral = isinstance(action, numbers.Integral) or (
        getattr(action, "shape", None) == () and kind != "" and kind in "iu"
    )
    if isinstance(action, bool) or not integral:
        problem = tr("{value!r} of type {type}").format(value=action, type=type(action).__name__)
    elif not 0 <= action < n_actions:
        problem = f"{action!r}"
    else:
        return
    raise ValueError(
        tr(
            "{source} returned {problem} {where}; the environment expects an int in "
            "[0, {last}]. Return int(...) of the chosen action's index."
        ).format(source=source, problem=problem, where=where, last=n_actions - 1)
    )


def one_of_types(value: object, kinds: type | tuple[type, ...], name: str, expected: str) -> None:
    """A TypeError naming ``name`` unless ``value`` is an instance of ``kinds`` (a bool is not an
    int here): "``name`` must be ``expected``, got ``value`` of type ...".

    >>> one_of_types(True, bool, "progress", "True or False")
    """
    is_bool = isinstance(value, bool)
    bool_allowed = kinds is bool or (isinstance(kinds, tuple) and bool in kinds)
    if not isinstance(value, kinds) or (is_bool and not bool_allowed):
        raise TypeError(
            tr("{name} must be {expected}, got {value!r} of type {type}.").format(
                name=name, expected=expected, value=value, type=type(value).__name__
            )
        )


def as_path(value: object, name: str) -> Path:
    """``value`` as a ``Path`` if it is a str or an ``os.PathLike`` naming a file, else a
    TypeError (or, for ``""``, a ValueError) naming ``name``.

    >>> as_path("run.ckpt", "save_checkpoint's path")
    PosixPath('run.ckpt')
    """
    if isinstance(value, bool) or not isinstance(value, str | os.PathLike):
        raise TypeError(
            tr(
                "{name} must be a str or a pathlib.Path naming a file, got {value!r} of type "
                "{type}."
            ).format(name=name, value=value, type=type(value).__name__)
        )
    path = Path(value)
    if str(value) in ("", "."):
        raise ValueError(
            tr("{name} must name a file, got {value!r}.").format(name=name, value=str(value))
        )
    return path
