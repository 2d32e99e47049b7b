"""Every number a lesson's prose states is one its own code or outputs show.

A number in a markdown cell must appear in the lesson: as a literal in a code cell (a setting the
lesson uses, such as ``BUDGET = 10_000``) or in the text of an output (a measurement the lesson
printed). Numbers that name things rather than state them are skipped: lesson, section and
exercise numbers, years of citations, heading numbers, and numbers inside inline code or links.
A stated result that the outputs no longer show (after a rebuild changed it) fails here.

``FACTS`` lists, lesson by lesson, the numbers the prose may state without showing them: facts of
the environment, of history or of an exercise's check, never a measurement of the lesson's own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
JAPANESE = sorted((ROOT / "notebooks" / "ja").glob("[0-9][0-9]_*.ipynb"))
"""The Japanese edition: the same code, so the same outputs; its prose is held to the same rule,
with the Japanese ways of naming a lesson, a section or an exercise (``NOT_A_STATEMENT_JA``) and
the counting numbers English writes as words ("two seeds", 2 つのシード)."""

NUMBER = re.compile(r"(?<![A-Za-z0-9_.])[-+]?\d[\d,_]*(?:\.\d+)?%?")
NOT_A_STATEMENT = re.compile(
    r"`[^`]*`"  # inline code: an expression, not a stated result
    r"|\]\([^)]*\)"  # a link's address
    r"|https?://\S+"
    r"|[Ll]essons?\s+\d+(?:(?:,\s+|\s+and\s+|\s+or\s+|\s+to\s+|-)\d+)*"  # lesson numbers
    r"|[Ss]ections?\s+\d+(?:\.\d+)?"
    r"|[Ee]xercises?\s+\d+\.\d+"
    r"|[Cc]hapter\s+\d+(?:\.\d+)?"
    r"|et\s+al\.,?\s+\(?\d{4}\)?"  # citations
    r"|\(\d{4}\)"
    r"|^#+\s+\d+\."  # heading numbers
    r"|\d\d_\w+"  # file names such as 07_replay
    r"|about\s+\d+\s+minutes"  # an exercise's time estimate
    r"|\b\d+(?:-\d+)+\b",  # a network's shape (4-32-32-2) or a range of seeds (0-9)
    re.MULTILINE,
)

NOT_A_STATEMENT_JA = re.compile(
    r"レッスン\s*\d+(?:(?:\s*[、,と~〜-]\s*|\s*から\s*)\d+)*"  # lesson numbers
    r"|第?\s*\d+(?:\.\d+)?\s*(?:節|章)"  # sections, chapters
    r"|演習\s*\d+\.\d+"
    r"|約\s*\d+\s*分"  # an exercise's time estimate
    r"|第\s*\d+\s*版",  # an edition of a book
)
COUNTING = {float(n) for n in range(11)}
"""Small counting numbers a Japanese sentence writes in digits where the English has a word."""

FACTS: dict[str, dict[str, str]] = {
    "01_cartpole": {
        "9.8": "gravity in gymnasium's cartpole.py",
        "0.419": "the observation space's bound on the pole angle (24 degrees)",
        "-2.4": "the end of the track (POSITION_LIMIT)",
        "499": "steps of a 500-step episode before the one that truncates it",
        "200": "what exercise 1.1's check tries",
        "20": "what exercise 1.1's check tries",
        "7": "a seed exercise 1.2's check tries",
        "123": "a seed exercise 1.2's check tries",
    },
    "03_q_network": {
        "15": "the index range of a 16-element tensor in the text's example",
        "-12": "the termination angle, in degrees",
        "+12": "the termination angle, in degrees",
        "-5": "the original's fall penalty (FALL_PENALTY)",
        "99": "a 500-step episode's discounted worth with gamma 0.99",
    },
    "04_agent": {
        "0.005": "the standard deviation of a share over 10,000 draws, in exercise 4.1's check",
        "-5": "the original's fall penalty (FALL_PENALTY)",
    },
    "06_training": {
        "1000": "the original notebook's saved progress bar",
        "1,000": "the original notebook's saved progress bar",
        "41": "the original notebook's execution counts",
        "46": "the original notebook's execution counts",
        "60": "what exercise 6.3's check tries",
    },
    "07_replay": {
        "1992": "the year of Lin's paper on experience replay",
        "0.02": "CartPole's time step (tau in cartpole.py), in seconds",
        "2,000": "the benchmark's evaluation interval (train_preset's eval_every)",
        "20": "the benchmark's evaluation episodes (train_preset's eval_episodes)",
        "10019": "the last of the benchmark's evaluation seeds",
        "20,000": "the benchmark's budget for the ladder (README)",
        "40": "a buffer size exercise 7.1's check tries",
        "32": "a batch size exercise 7.1's check tries",
        "150": "how many batches exercise 7.1's check draws",
    },
    "08_target_network": {
        "2,000": "the long case of exercise 8.1's check (dqn_lib.checks)",
        "100": "1 / (1 - gamma), the value of surviving forever with +1 a step and gamma 0.99",
        "10,000": "Mnih et al. 2015's target update period C, in parameter updates (their "
        "Extended Data Table 1)",
        "4": "Mnih et al. 2015's update frequency: environment steps between parameter updates "
        "(their Extended Data Table 1)",
        "475": "CartPole-v1's reward threshold (SOLVED)",
        "20,000": "the benchmark's budget for the ladder (README)",
        "0.1": "a tau exercise 8.1's check tries",
        "0.5": "a tau exercise 8.1's check tries",
        "0.005": "a tau exercise 8.1's check tries",
        "20": "the benchmark's evaluation episodes (train_preset's eval_episodes)",
    },
    "09_double_dqn": {
        "2,000": "the benchmark's evaluation interval (train_preset's eval_every)",
        "100": "1 / (1 - gamma), the value of +1 forever with gamma 0.99 (lesson 10's ceiling)",
        "99.3": "(1 - 0.99**500) / (1 - 0.99), a perfect episode's discounted return",
        "0.5": "a gamma exercise 9.1's check tries; a choice offered in exercise 9.2's question",
        "0.9": "a gamma exercise 9.1's check tries",
        "200,000": "the draws of exercise 9.2's check's own experiment",
    },
    "11_playground": {
        "12": "the termination angle, in degrees",
        "2.4": "the end of the track (POSITION_LIMIT), in metres",
        "40,000": "a setting the experiments ask the student to try",
        "5,000": "a setting the experiments ask the student to try",
    },
    "05_reward": {
        "-0.21": "the angle reward at the 12-degree limit",
        "99": "a 500-step episode's discounted worth with gamma 0.99",
        "0.26": "the gym version that changed step's return values",
        "5.7": "0.1 rad in degrees",
    },
}
"""Per lesson: number as written -> why it needs no output (a fact, not a measurement)."""


def numbers(text: str) -> list[tuple[str, float]]:
    """The numeric tokens of ``text`` with their values (commas, underscores, % dropped)."""
    found = []
    for match in NUMBER.finditer(text):
        token = match.group()
        try:
            found.append((token, float(token.replace(",", "").replace("_", "").rstrip("%"))))
        except ValueError:
            continue
    return found


def shown_values(notebook: dict) -> set[float]:
    """Every number in the lesson's code cells and outputs; a percentage also as a fraction."""
    texts = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        texts.append("".join(cell["source"]))
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            texts.append("".join(output.get("data", {}).get("text/plain", "")))
    values = set()
    for token, value in numbers("\n".join(texts)):
        values.add(value)
        if token.endswith("%"):
            values.add(round(value / 100, 10))
    return values


def unsupported(
    notebook: dict, facts: dict[str, str] | None = None, japanese: bool = False
) -> list[str]:
    values = shown_values(notebook) | (COUNTING if japanese else set())
    facts = facts or {}
    problems = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        prose = NOT_A_STATEMENT.sub(" ", "".join(cell["source"]))
        if japanese:
            prose = NOT_A_STATEMENT_JA.sub(" ", prose)
        for token, value in numbers(prose):
            as_fraction = round(value / 100, 10) if token.endswith("%") else None
            if value in values or (as_fraction is not None and as_fraction in values):
                continue
            if token.rstrip(",.") in facts:
                continue
            start = prose.find(token)
            context = prose[max(0, start - 50) : start + len(token) + 20].replace("\n", " ")
            problems.append(f"{token!r} in '...{context}...'")
    return problems


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_every_number_in_the_prose_is_shown_by_the_lesson(lesson):
    problems = unsupported(json.loads(lesson.read_text()), FACTS.get(lesson.stem))
    assert not problems, (
        f"{lesson.name}: numbers in the prose that neither its code nor its outputs show "
        "(print them, or use the constant the code uses):\n" + "\n".join(problems)
    )


@pytest.mark.parametrize("lesson", JAPANESE, ids=lambda p: f"ja/{p.stem}")
def test_every_number_in_the_japanese_prose_is_shown_by_the_lesson(lesson):
    problems = unsupported(json.loads(lesson.read_text()), FACTS.get(lesson.stem), japanese=True)
    assert not problems, (
        f"ja/{lesson.name}: numbers in the prose that neither its code nor its outputs show "
        "(the translation must state the English lesson's numbers):\n" + "\n".join(problems)
    )


def test_the_rule_catches_a_stale_number():
    notebook = {
        "cells": [
            {"cell_type": "code", "source": ["print(solved)"], "outputs": [{"text": "4/5 solved"}]},
            {"cell_type": "markdown", "source": ["Five seeds: 3/5 solved in lesson 7."]},
        ]
    }
    assert [p.split()[0] for p in unsupported(notebook)] == ["'3'"]
    notebook["cells"][1]["source"] = ["Five seeds: 4/5 solved in lesson 7 (Mnih et al., 2015)."]
    assert unsupported(notebook) == []
