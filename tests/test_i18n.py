"""The Japanese edition: catalogs complete and current, lessons built from them, the library's
messages and figures in Japanese on request (tools/i18n.py, dqn_lib/i18n.py)."""

from __future__ import annotations

import contextlib
import io
import re
import sys
import tokenize
import warnings
from pathlib import Path

import jupytext
import matplotlib
import polib
import pytest

import dqn_lib
from dqn_lib.i18n import language, tr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import i18n  # noqa: E402

LESSONS = i18n.lessons()


@pytest.fixture
def japanese():
    dqn_lib.set_language("ja")
    yield
    dqn_lib.set_language("en")


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_message_is_translated_and_current(lesson):
    """Every markdown cell and student-facing literal of the English lesson has a translation
    that is not fuzzy (an English edit makes it fuzzy or missing, and this names it)."""
    found = i18n.problems(lesson)
    assert not found, "\n".join(found[:20]) + "\nFix: tools/i18n.py update, translate, build"


def test_every_library_message_is_translated_and_compiled():
    found = i18n.library_problems()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_japanese_lesson_is_the_build_of_the_english_one(lesson):
    """notebooks/ja/NN.py is exactly the English lesson with its catalog applied, so a fix to
    the English code reaches the Japanese lesson by rebuilding, and only that way."""
    japanese_lesson = i18n.JA / lesson.name
    assert japanese_lesson.exists(), f"{japanese_lesson} is missing: run tools/i18n.py build"
    catalog = polib.pofile(str(i18n.catalog_path(lesson)), wrapwidth=0)
    assert japanese_lesson.read_text(encoding="utf-8") == i18n.translate_lesson(lesson, catalog), (
        f"{japanese_lesson.name} is not the build of its English lesson and catalog: run "
        f"tools/i18n.py build {lesson.relative_to(ROOT)}, then tools/build_outputs.py "
        f"{japanese_lesson.relative_to(ROOT)}"
    )


def _code_tokens(source: str) -> list[tuple[int, str]]:
    """A code cell's tokens with string literals and comments blanked (and the language line
    dropped): what must be the same in both editions."""
    lines = [line for line in source.split("\n") if line != i18n.LANGUAGE_LINE]
    text = i18n._python_only("\n".join(lines))
    return [
        (t.type, "" if t.type == tokenize.STRING else t.string)
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)
    ]


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_japanese_code_differs_only_in_string_literals_and_the_language_line(lesson):
    english = [c for c in jupytext.read(lesson).cells if c.cell_type == "code"]
    japanese = [c for c in jupytext.read(i18n.JA / lesson.name).cells if c.cell_type == "code"]
    assert len(english) == len(japanese)
    assert i18n.LANGUAGE_LINE in japanese[0].source
    for number, (en, ja) in enumerate(zip(english, japanese, strict=True)):
        assert _code_tokens(en.source) == _code_tokens(ja.source), f"code cell {number}"
        if number:
            assert i18n.LANGUAGE_LINE not in ja.source


def test_a_changed_english_message_becomes_fuzzy_and_blocks_the_build(tmp_path):
    """msgmerge's rule: the old translation is kept as a suggestion, flagged fuzzy."""
    old = polib.POFile(wrapwidth=0)
    old.append(polib.POEntry(msgid="The pole falls after 9 steps.", msgstr="9 ステップで倒れます"))
    lesson = ROOT / "notebooks" / "99_x.py"
    merged = i18n._merge(old, [i18n.Message("The pole falls after 10 steps.", None, lesson, 1)])
    (entry,) = merged
    assert entry.msgstr == "9 ステップで倒れます"
    assert "fuzzy" in entry.flags and entry.previous_msgid == "The pole falls after 9 steps."
    unrelated = i18n._merge(old, [i18n.Message("Something else entirely.", None, lesson, 1)])
    assert unrelated[0].msgstr == "" and "fuzzy" not in unrelated[0].flags


@pytest.mark.parametrize(
    ("english", "japanese", "error"),
    [
        ('f"mean {x:.1f}"', 'f"平均 {x:.1f}"', None),
        ('f"mean {x:.1f}"', 'f"平均 {y:.1f}"', "expressions"),
        ('f"mean {x:.1f}"', '"平均"', "expressions"),
        ('f"mean {x!r}"', 'f"平均 {x}"', "expressions"),
        # a header in an expression may be translated and widened for two-column characters
        ("f\"{'batch of 64':<26}{n:>5}\"", "f\"{'64 個のバッチ':<22}{n:>5}\"", None),
        ("f\"{'batch':<26}{n:>5}\"", "f\"{'バッチ':<26}{len(n):>5}\"", "expressions"),
        ('"a title"', '"題名', "not one Python string literal"),
        ('"a title"', "print('x')", "not one Python string literal"),
    ],
)
def test_a_translated_literal_must_keep_its_expressions(english, japanese, error):
    found = i18n.literal_error(english, japanese)
    assert (found is None) if error is None else (error in found)


def test_literals_are_the_student_facing_ones():
    source = (
        'ax.set_title("Returns")\nax.legend(loc="upper left")\nprint(f"mean {x:.1f} steps")\n'
        'if ending == "time limit":\n    pass\nconfig = {"pole angle": 1}\nname = "double"\n'
    )
    assert [literal.text for literal in i18n.literals(source)] == [
        '"Returns"',
        'f"mean {x:.1f} steps"',
    ]


def test_a_key_label_replaces_every_use_of_its_literal_and_is_checked(tmp_path, monkeypatch):
    """A label the code also looks up ("as written" in values["as written", seed]) is translated
    everywhere in the lesson at once, so the lookups still agree; a key label whose literal left
    the lesson, or that disagrees with the same literal's printed translation, is named."""
    lesson = tmp_path / "99_keys.py"
    lesson.write_text(
        '# %%\nimport dqn_lib\n\n# %%\nvalues = {"as written": 1, "corrected": 2}\n'
        'for name in ("as written", "corrected"):\n    print(name, values[name])\n'
        'print(values["as written"])\nshown = f"{values[\'corrected\']:>3}"\nprint(shown)\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "catalog_path", lambda _: tmp_path / "99_keys.po")
    catalog = polib.POFile(wrapwidth=0)
    for english, japanese in (('"as written"', '"原典どおり"'), ('"corrected"', '"修正版"')):
        catalog.append(polib.POEntry(msgctxt=i18n.KEY, msgid=english, msgstr=japanese))
    assert i18n.problems(lesson, catalog) == []
    built = i18n.translate_lesson(lesson, catalog)
    assert "as written" not in built and "corrected" not in built
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(jupytext.reads(built, fmt="py:percent").cells[1].source, namespace)
    assert printed.getvalue() == "原典どおり 1\n修正版 2\n1\n  2\n"
    printed_key = "f\"written: {values['as written']}\""  # a printed line, so translated
    catalog.append(polib.POEntry(msgctxt=i18n.CODE, msgid=printed_key, msgstr=printed_key))
    found = "\n".join(i18n.problems(lesson, catalog))
    assert "compares with the key label 'as written' inside an expression" in found
    catalog.pop()
    catalog.append(polib.POEntry(msgctxt=i18n.KEY, msgid='"gone"', msgstr='"消えた"'))
    catalog[0].msgstr = 'f"原典どおり {x}"'
    found = "\n".join(i18n.problems(lesson, catalog))
    assert 'key label "gone": no longer in the lesson\'s code' in found
    assert 'key label "as written": the translation\'s {expressions} differ' in found
    catalog[0].msgstr = '"原典どおり"'
    catalog.save(str(tmp_path / "99_keys.po"))
    merged = i18n.update(lesson)  # keeps the key labels still used, with no duplicate entry
    assert sorted((e.msgctxt, e.msgid) for e in merged) == [
        (i18n.KEY, '"as written"'),
        (i18n.KEY, '"corrected"'),
    ]


def test_set_language_switches_messages_and_back():
    assert language() == "en" and tr("episode") == "episode"
    dqn_lib.set_language("ja")
    try:
        assert language() == "ja" and tr("episode") == "エピソード"
        assert tr("a message nobody translated") == "a message nobody translated"
    finally:
        dqn_lib.set_language("en")
    assert tr("episode") == "episode"


@pytest.mark.parametrize("bad", ["jp", "", None, "JA"])
def test_set_language_refuses_an_unknown_language(bad):
    with pytest.raises(ValueError, match=r"set_language takes one of 'en', 'ja', got"):
        dqn_lib.set_language(bad)


def test_japanese_figures_have_every_glyph(japanese):
    """A missing glyph is a warning from matplotlib; here it is an error."""
    import matplotlib.pyplot as plt

    matplotlib.use("Agg")
    history = dqn_lib.History(returns=[10.0, 20.0, 30.0], episode_end_steps=[10, 30, 60])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = dqn_lib.plot_learning_curve(history)
        ax.set_title("学習曲線: 強化学習の収益")
        ax.figure.canvas.draw()
    assert ax.get_xlabel() == "エピソード"
    plt.close(ax.figure)


def test_the_student_stub_says_not_implemented_in_japanese(japanese):
    from dqn_lib.checks import ExerciseError, check_moving_average

    def not_done(*args):
        raise NotImplementedError

    with pytest.raises(ExerciseError, match="まだ実装されていません"):
        check_moving_average(not_done)


NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-+]?\d[\d,_]*(?:\.\d+)?%?")
CODE_OR_LINK = re.compile(r"`[^`]*`|\]\([^)]*\)|https?://\S+")


WORDS = {
    word: str(value)
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "thousand": "1,000"}


def _numbers(text: str) -> set[str]:
    return {n.rstrip("%").rstrip(",") for n in NUMBER.findall(CODE_OR_LINK.sub(" ", text))}


def _english_numbers(text: str) -> set[str]:
    """The numbers of an English text, those written as words included ("twenty times")."""
    words = {WORDS[w] for w in re.findall(r"[a-z]+", text.lower()) if w in WORDS}
    return _numbers(text) | words


@pytest.mark.parametrize("lesson", LESSONS, ids=[p.stem for p in LESSONS])
def test_translations_keep_every_number_of_the_english(lesson):
    """A translated cell states the same numbers as its English cell (the English numbers are
    tied to the outputs by tests/test_lesson_numbers.py): none lost, none new, except small
    counting numbers that English writes as words ("two seeds": 2 つのシード)."""
    counting = {str(n) for n in range(11)}
    found = []
    for entry in polib.pofile(str(i18n.catalog_path(lesson)), wrapwidth=0):
        if entry.msgctxt or not entry.msgstr or entry.obsolete:
            continue
        english, japanese = _numbers(entry.msgid), _numbers(entry.msgstr)
        lost, new = english - japanese, japanese - _english_numbers(entry.msgid) - counting
        if lost or new:
            first = entry.msgid.strip().splitlines()[0][:60]
            found.append(f"{first!r}: lost {sorted(lost)}, new {sorted(new)}")
    assert not found, f"{lesson.name}:\n" + "\n".join(found)


def test_pad_counts_a_japanese_character_as_two_columns_and_keeps_english_as_format_does():
    from dqn_lib.i18n import display_width, pad

    for text, width in (("preset", 14), ("solved", 8), ("a longer header than width", 5)):
        assert pad(text, width, "<") == f"{text:<{width}}"
        assert pad(text, width) == f"{text:>{width}}"
    assert pad("解けた", 8) == "  解けた" and display_width(pad("解けた", 8)) == 8
    assert pad("プリセット", 14, "<") == "プリセット    "
    with pytest.raises(ValueError, match="align must be"):
        pad("x", 3, "^")


def test_display_name_says_the_names_in_the_chosen_language_and_refuses_others():
    try:
        assert [dqn_lib.display_name(n) for n in dqn_lib.ACTION_NAMES] == [
            "push left",
            "push right",
        ]
        dqn_lib.set_language("ja")
        assert [dqn_lib.display_name(n) for n in dqn_lib.ACTION_NAMES] == ["左に押す", "右に押す"]
        assert all(not dqn_lib.display_name(n).isascii() for n in dqn_lib.OBSERVATION_NAMES)
    finally:
        dqn_lib.set_language("en")
    with pytest.raises(ValueError, match="display_name takes one of OBSERVATION_NAMES"):
        dqn_lib.display_name("push up")


def test_every_presets_description_is_said_in_japanese():
    from dqn_lib.presets import PRESETS, Preset

    assert all(p.describe() == p.description for p in PRESETS.values())
    try:
        dqn_lib.set_language("ja")
        untranslated = [p.name for p in PRESETS.values() if p.describe() == p.description]
        mine = Preset("mine", "my own preset", PRESETS["double"].config)
        assert mine.describe() == "my own preset"
    finally:
        dqn_lib.set_language("en")
    assert not untranslated, f"no Japanese description (dqn_lib.presets): {untranslated}"
