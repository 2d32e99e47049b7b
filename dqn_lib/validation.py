"""The argument checks the library's public functions share, so that every one words the same
mistake the same way and names the argument at fault.

A ground module: it imports nothing from ``dqn_lib``. Not taught in a lesson: it serves every
public function that takes a count, such as ``evaluate`` (notebooks/06_training.py).
"""

from __future__ import annotations


def positive_int(value: object, name: str) -> int:
    """``value`` if it is an int of at least 1 (a bool is not), else a ValueError naming ``name``.

    >>> positive_int(3, "episodes")
    3
    """
    return int_at_least(value, 1, name, wording="a positive int")


def int_at_least(value: object, minimum: int, name: str, wording: str | None = None) -> int:
    """``value`` if it is an int of at least ``minimum`` (a bool is not), else a ValueError:
    "``name`` must be an int >= ``minimum``, got ``value``."

    >>> int_at_least(2, 2, "resolution")
    2
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        expected = wording or f"an int >= {minimum}"
        raise ValueError(f"{name} must be {expected}, got {value!r}.")
    return value
