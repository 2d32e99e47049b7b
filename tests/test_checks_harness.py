"""The exercise checks' shared harness (dqn_lib.checks.harness): case counting, the type
expectation, which known mistake an answer is, and calling the learner's function on copies."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dqn_lib.checks.harness import Check, ExerciseError, copied, is_int, is_number, known_mistake


def test_each_counts_the_cases_that_ran_to_the_end_and_passed_says_how_many(capsys):
    check = Check("check_demo")
    for case in check.each(["a", "b", "c"]):
        if case == "b":
            continue  # a case that passes early counts too
    assert check.cases == 3
    check.count(20)  # cases run outside a loop
    check.passed()
    assert capsys.readouterr().out == "check_demo: all 23 cases pass.\n"


def test_a_failing_case_is_not_counted():
    check = Check("check_demo")
    with pytest.raises(ExerciseError, match="^check_demo: case 2 failed$"):
        for k in check.each(range(5)):
            if k == 2:
                raise check.fail(f"case {k} failed")
    assert check.cases == 2


def test_each_counts_inside_a_comprehension():
    check = Check("check_demo")
    squares = {k: k * k for k in check.each(range(4))}
    assert len(squares) == 4 and check.cases == 4


def test_expect_passes_the_value_through_or_names_the_type_that_came_back():
    check = Check("check_demo")
    assert check.expect(3, is_int, "unused") == 3
    assert check.expect(np.float32(0.5), is_number, "unused") == 0.5
    with pytest.raises(ExerciseError, match=r"^check_demo: case 1: got bool, not a number\.$"):
        check.expect(True, is_number, "{case}: got {type}, not a number.", case="case 1")
    with pytest.raises(ExerciseError, match="got torch.Tensor"):
        check.expect(torch.tensor(1.0), is_number, "got {type}")
    with pytest.raises(ExerciseError, match="got numpy.ndarray"):
        check.expect(np.zeros(2), list, "got {type}")
    assert check.expect(np.int64(2), int | np.integer, "unused") == 2


def test_known_mistake_names_the_first_variant_that_matches():
    variants = {"doubled": 4.0, "squared": 4.0, "negated": -2.0}
    assert known_mistake(4.0, variants, lambda a, b: a == b) == "doubled"
    assert known_mistake(-2.0, variants.items(), lambda a, b: a == b) == "negated"
    assert known_mistake(7.0, variants, lambda a, b: a == b) is None
    assert known_mistake(7.0, variants, lambda a, b: a == b, "otherwise") == "otherwise"


def test_the_learners_function_gets_copies_of_arrays_tensors_and_lists():
    array, tensor, items, rng = np.zeros(3), torch.zeros(3), [1.0, 2.0], np.random.default_rng(0)

    def changes_everything(a, t, xs, generator):
        a[0], t[0] = 1.0, 1.0
        xs.append(3.0)
        return generator

    check = Check("check_demo")
    result, given = check.call_on_copies(changes_everything, array, tensor, items, rng, case="c")
    assert not array.any() and not tensor.any() and items == [1.0, 2.0]
    assert given[0][0] == 1.0 and given[1][0] == 1.0 and given[2] == [1.0, 2.0, 3.0]
    assert result is rng and given[3] is rng  # a generator is passed as it is
    assert copied(5) == 5
