"""Runs side by side in processes give the results of the same runs one after another."""

import os

import pytest
import torch

import dqn_lib
from dqn_lib.parallel import run_in_processes, train_online_agent


@pytest.mark.slow
def test_results_come_back_in_job_order_and_match_a_run_in_this_process():
    jobs = [
        {"seed": seed, "episodes": 3, "reward_fn": dqn_lib.pole_angle_reward} for seed in (2, 0, 1)
    ]
    in_processes = run_in_processes(train_online_agent, jobs, workers=2, progress=False)
    one_by_one = run_in_processes(train_online_agent, jobs, workers=1, progress=False)
    for job, (agent, history), (agent_here, history_here) in zip(
        jobs, in_processes, one_by_one, strict=True
    ):
        assert history.returns == history_here.returns, job
        for name, weight in agent.q_network.state_dict().items():
            assert torch.equal(weight, agent_here.q_network.state_dict()[name]), (job, name)


def test_the_as_written_agent_is_passed_through():
    agent, _ = train_online_agent(
        0, 1, dqn_lib.pole_angle_reward, bootstrap_through_termination=True
    )
    assert agent.bootstrap_through_termination is True


def test_one_worker_restores_the_callers_thread_count():
    before = torch.get_num_threads()
    run_in_processes(train_online_agent, [], workers=1, progress=False)
    assert torch.get_num_threads() == before


def _defined_here(x):
    return x


@pytest.mark.parametrize("workers", [0, -1, 1.5, True, "2"])
def test_bad_worker_counts_are_refused(workers):
    with pytest.raises(ValueError, match="workers must be a positive int"):
        run_in_processes(train_online_agent, [], workers=workers)


def test_a_function_a_new_process_cannot_import_is_refused():
    _defined_here.__module__ = "__main__"  # as a notebook cell's function is
    with pytest.raises(ValueError, match="put it in a module, or use workers=1"):
        run_in_processes(_defined_here, [{"x": 1}], workers=2)


CALLS: list[int] = []


def _counted(x):
    CALLS.append(x)
    return {"square": x * x}


def _square(x):
    return {"square": x * x}


def test_the_test_sessions_folder_keeps_each_run_under_its_function_and_job(tmp_path, monkeypatch):
    """With DQN_LIB_RUN_CACHE set (only the test session's lesson kernels have it), a job
    computed once is not computed again, whichever list of jobs it comes in (lesson 9 trains
    lesson 8's target runs beside its own); results keep the order of the jobs; without the
    variable nothing is kept."""
    from dqn_lib.parallel import RUN_CACHE

    monkeypatch.setenv(RUN_CACHE, str(tmp_path))
    CALLS.clear()
    jobs = [{"x": 2}, {"x": 3}]
    first = run_in_processes(_counted, jobs, workers=1, progress=False)
    again = run_in_processes(_counted, jobs, workers=1, progress=False)
    assert first == again == [{"square": 4}, {"square": 9}] and CALLS == [2, 3]
    mixed = run_in_processes(_counted, [{"x": 4}, {"x": 3}], workers=1, progress=False)
    assert mixed == [{"square": 16}, {"square": 9}]
    assert CALLS == [2, 3, 4] and len(list(tmp_path.glob("*.pickle"))) == 3
    assert run_in_processes(_square, [{"x": 3}], workers=1, progress=False) == [{"square": 9}]
    assert len(list(tmp_path.glob("*.pickle"))) == 4  # another function: another run
    monkeypatch.delenv(RUN_CACHE)
    run_in_processes(_counted, jobs, workers=1, progress=False)
    assert CALLS == [2, 3, 4, 2, 3] and len(list(tmp_path.glob("*.pickle"))) == 4


def test_unit_tests_run_without_the_lessons_folder_of_kept_runs():
    from dqn_lib.parallel import RUN_CACHE

    assert RUN_CACHE not in os.environ, "only the lessons' kernels may reuse runs"
