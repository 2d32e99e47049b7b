"""The language of what the library says: its messages, labels and figures. English by default.

    import dqn_lib
    dqn_lib.set_language("ja")   # 日本語: messages, progress bars, plot labels, a Japanese font

Messages go through Python's ``gettext``: the catalog ``locale/ja/LC_MESSAGES/dqn_lib.po`` (at
the project's root, where translators edit it) is compiled by ``tools/i18n.py compile`` into
``dqn_lib/locale/ja/LC_MESSAGES/dqn_lib.mo``, which this module reads. A message missing from the
catalog is said in English. The Japanese edition's lessons call ``set_language("ja")`` in their
first cell (notebooks/ja/01_cartpole.py and every other); the English lessons never call it.
"""

from __future__ import annotations

import gettext
import unicodedata
from pathlib import Path

LANGUAGES = ("en", "ja")
"""The languages the library speaks."""
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "dqn_lib"

_state: dict[str, object] = {"language": "en", "translation": gettext.NullTranslations()}


def set_language(language: str) -> None:
    """Say the library's messages, labels and titles in ``language`` ("en" or "ja") from now on.

    ``"ja"`` also gives matplotlib a Japanese font (IPAexGothic, from the matplotlib-fontja
    package), so that Japanese titles and labels have no missing glyphs.
    """
    if not isinstance(language, str) or language not in LANGUAGES:
        raise ValueError(
            f"set_language takes one of {', '.join(map(repr, LANGUAGES))}, got {language!r}: "
            'write dqn_lib.set_language("ja") for Japanese or "en" for English.'
        )
    if language == "en":
        translation: gettext.NullTranslations = gettext.NullTranslations()
    else:
        catalog = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not catalog.is_file():
            raise FileNotFoundError(
                f"The {language} catalog {catalog} is missing: run "
                "`.venv/bin/python tools/i18n.py compile` from the project's root."
            )
        with catalog.open("rb") as file:
            translation = gettext.GNUTranslations(file)
        import matplotlib_fontja  # noqa: F401 (importing it sets matplotlib's font family)
    _state["language"], _state["translation"] = language, translation


def language() -> str:
    """The language chosen by ``set_language`` ("en" until then)."""
    return str(_state["language"])


def tr(message: str) -> str:
    """``message`` in the chosen language (what gettext calls ``_``, named so as not to clash
    with ``for _ in ...``); the English if it has no translation.

    Write the English as a template and format after translating, so that the translation can
    move the values: ``tr("{steps} steps").format(steps=n)``.
    """
    translation = _state["translation"]
    assert isinstance(translation, gettext.NullTranslations)
    return translation.gettext(message)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font: 2 for a wide (CJK) character, 1 otherwise."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, align: str = ">") -> str:
    """``text`` padded with spaces to ``width`` columns, right-aligned (``">"``) or left
    (``"<"``): what ``f"{text:>{width}}"`` does, counting a Japanese character as two columns,
    so that a translated table header stays above its column."""
    if align not in "<>" or len(align) != 1:
        raise ValueError(f"align must be '<' or '>', got {align!r}.")
    spaces = " " * max(0, width - display_width(text))
    return text + spaces if align == "<" else spaces + text
