"""train, History and evaluate: the loop of lesson 6."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from dqn_lib import Callback, Evaluation, OnlineAgent, evaluate, make_env, pole_angle_reward, train


def test_train_episode_budget_and_history_consistency():
    history = train(OnlineAgent(seed=0), episodes=5, progress=False)
    assert history.episodes == 5
    assert sum(history.lengths) == history.steps == history.episode_end_steps[-1]
    assert history.returns == [float(n) for n in history.lengths]  # CartPole: +1 a step
    assert len(history.losses) == history.steps  # the online agent learns on every step


def test_train_step_budget_stops_exactly():
    history = train(OnlineAgent(seed=0), steps=123, progress=False)
    assert history.steps == 123
    assert sum(history.lengths) <= 123


def test_train_shaped_returns_use_the_reward_function():
    history = train(OnlineAgent(seed=0), episodes=3, reward_fn=pole_angle_reward, progress=False)
    assert all(shaped < 0 for shaped in history.shaped_returns)
    assert all(r > 0 for r in history.returns)  # the environment's return is kept apart


def test_train_is_reproducible_and_ignores_global_random_state():
    first = OnlineAgent(seed=1)
    history_a = train(first, episodes=10, seed=1, progress=False)
    torch.manual_seed(7)
    np.random.rand()  # noqa: NPY002 (the point: global state must not matter)
    second = OnlineAgent(seed=1)
    history_b = train(second, episodes=10, seed=1, progress=False)
    assert history_a.returns == history_b.returns and history_a.losses == history_b.losses
    for a, b in zip(first.q_network.parameters(), second.q_network.parameters(), strict=True):
        assert torch.equal(a, b)


def test_train_evaluates_periodically():
    history = train(
        OnlineAgent(seed=0), steps=300, callbacks=[Evaluation(100, episodes=2)], progress=False
    )
    assert history.eval_steps == [100, 200, 300]
    assert len(history.eval_returns) == 3 and all(r >= 8 for r in history.eval_returns)
    assert history.train_seconds_at_eval == sorted(history.train_seconds_at_eval)


def test_value_records_come_from_the_evaluation_episodes_themselves():
    """With eval_values, train plays each evaluation's greedy episodes once for both records:
    the returns are evaluate's, the values value_estimates', and training is unchanged."""
    from dqn_lib import DQNAgent, DQNConfig, value_estimates

    config = DQNConfig(learning_starts=50, batch_size=16)
    runs = {}
    for eval_values in (False, True):
        agent = DQNAgent(config, seed=2)
        history = train(
            agent,
            steps=300,
            seed=2,
            callbacks=[Evaluation(150, episodes=3, values=eval_values)],
            progress=False,
        )
        runs[eval_values] = (agent, history)
    (plain, plain_history), (valued, valued_history) = runs[False], runs[True]
    assert plain_history.eval_returns == valued_history.eval_returns
    assert plain_history.losses == valued_history.losses
    assert float(np.mean(evaluate(valued, episodes=3))) == valued_history.eval_returns[-1]
    predicted, obtained = value_estimates(valued, config.gamma, episodes=3)
    assert valued_history.eval_predicted_values[-1] == float(predicted.mean())
    assert valued_history.eval_obtained_values[-1] == float(obtained.mean())
    for a, b in zip(plain.q_network.parameters(), valued.q_network.parameters(), strict=True):
        assert torch.equal(a, b)


@pytest.mark.parametrize(
    ("budget", "message"),
    [
        ({}, "exactly one budget"),
        ({"episodes": 3, "steps": 3}, "exactly one budget"),
        ({"episodes": 0}, "positive int, got 0"),
        ({"steps": 2.5}, "positive int, got 2.5"),
    ],
)
def test_train_refuses_bad_budgets(budget, message):
    with pytest.raises(ValueError, match=message):
        train(OnlineAgent(seed=0), progress=False, **budget)


def test_train_prints_a_summary_with_the_progress_bar(capsys):
    train(OnlineAgent(seed=0), episodes=2, description="demo")
    assert "demo: 2 episodes" in capsys.readouterr().out


def test_evaluate_is_deterministic_and_greedy():
    agent = OnlineAgent(seed=0, epsilon=1.0)  # would act randomly if evaluate explored
    first, second = evaluate(agent, episodes=5), evaluate(agent, episodes=5)
    np.testing.assert_array_equal(first, second)
    assert first.shape == (5,)


def test_evaluate_accepts_a_policy_function():
    def lean_policy(observation):
        return int(observation[2] + observation[3] > 0)

    returns = evaluate(lean_policy, episodes=10, seed=0)
    assert returns.mean() > 100  # far better than random (about 22)


def test_evaluate_does_not_touch_the_training_environment():
    env = make_env(0)
    observation, _ = env.reset()
    evaluate(OnlineAgent(seed=0), episodes=2)
    np.testing.assert_array_equal(np.float32(env.unwrapped.state), observation)


def test_evaluate_refuses_bad_arguments():
    with pytest.raises(ValueError, match="episodes must be a positive int"):
        evaluate(OnlineAgent(seed=0), episodes=0)
    with pytest.raises(TypeError, match="Expected an agent"):
        evaluate("policy")


def test_evaluating_during_training_does_not_change_the_training_run():
    plain = train(OnlineAgent(seed=3), steps=400, seed=3, progress=False)
    evaluated = train(
        OnlineAgent(seed=3),
        steps=400,
        seed=3,
        callbacks=[Evaluation(100, episodes=2)],
        progress=False,
    )
    assert plain.losses == evaluated.losses and plain.returns == evaluated.returns


def test_callbacks_are_called_every_n_steps_in_order_with_the_clock_stopped():
    calls = []

    def slow(agent, history):
        calls.append(("slow", history.steps))
        time.sleep(0.5)

    agent = OnlineAgent(seed=0)
    history = train(
        agent,
        steps=50,
        progress=False,
        callbacks=[
            Callback(10, slow),
            Callback(25, lambda a, h: calls.append(("quarter", h.steps, a is agent))),
        ],
    )
    assert calls == [
        ("slow", 10),
        ("slow", 20),
        ("quarter", 25, True),
        ("slow", 30),
        ("slow", 40),
        ("slow", 50),
        ("quarter", 50, True),
    ]
    assert history.train_seconds < 0.5  # not even one callback's sleep is training time


@pytest.mark.parametrize(
    ("callbacks", "error", "message"),
    [
        (Callback(10, print), TypeError, "callbacks must be a list such as"),
        (
            [print],
            TypeError,
            "callbacks must hold dqn_lib.Evaluation, dqn_lib.Checkpointing or dqn_lib.Callback",
        ),
        ("every 10", TypeError, "callbacks must be a list"),
    ],
)
def test_callbacks_are_checked_before_the_first_step(callbacks, error, message):
    agent = OnlineAgent(seed=0)
    with pytest.raises(error, match=message):
        train(agent, steps=20, progress=False, callbacks=callbacks)
    assert not any(p.grad is not None for p in agent.q_network.parameters())


def test_a_callback_refuses_a_bad_period_or_function():
    with pytest.raises(ValueError, match="Callback's every must be a positive int"):
        Callback(0, print)
    with pytest.raises(TypeError, match="Callback's function must be a function"):
        Callback(10, "print")


def test_a_callback_that_raises_adds_no_time_and_keeps_the_history():
    def stop(agent, history):
        time.sleep(0.5)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as raised:
        train(OnlineAgent(seed=0), steps=50, progress=False, callbacks=[Callback(20, stop)])
    history = raised.value.history
    assert history.steps == 20 and history.train_seconds < 0.5


def test_value_records_need_an_agent_with_q_values_and_gamma():
    agent = OnlineAgent(seed=0)
    with pytest.raises(ValueError, match=r"Evaluation\(values=True\) records .* OnlineAgent"):
        train(agent, steps=20, progress=False, callbacks=[Evaluation(10, values=True)])


def test_the_wrappers_name_their_own_evaluation_arguments():
    from dqn_lib.inspection import train_diagnosed
    from dqn_lib.presets import train_preset, train_seeds

    with pytest.raises(ValueError, match=r"^eval_every must be a positive int, got 0\."):
        train_preset("double", 0, 10, eval_every=0)
    with pytest.raises(TypeError, match=r"^eval_values must be True or False, got 1"):
        train_seeds(["double"], [0], 10, eval_values=1, progress=False)
    probe = make_env(0).reset(seed=0)[0][None, :]
    with pytest.raises(ValueError, match=r"^eval_episodes must be a positive int, got 0\."):
        train_diagnosed(["double"], 0, 10, probe, eval_episodes=0)
