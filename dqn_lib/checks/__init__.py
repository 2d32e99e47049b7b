"""Exercise checks: run a learner's function against the library's reference and say what differs.

Each lesson's exercise cell is followed by a call such as ``check_n_step_target(n_step_target)``,
imported from here: ``from dqn_lib.checks import check_n_step_target``. A check prints one line
on a pass and raises ``ExerciseError`` (an ``AssertionError``) on a failure, naming the case,
what was expected, what came back and the likely mistake. Three kinds of exercise: write a
function, find the bug (a shown function breaks a DQN quietly; the check names the bug if the
answer still has it) and predict, then run (a wrong prediction is reported, not failed).

One module per lesson, named after the lesson's file: ``notebooks/NN_<name>.py`` has its checks,
predictions included, in ``dqn_lib/checks/<name>.py`` (``cartpole``, ``q_table``, ``q_network``,
``agent``, ``reward``, ``training``, ``replay``, ``target_network``, ``double_dqn``, ``inside``,
``playground``). What they share, from calling the learner's code to counting the cases, is in
``dqn_lib.checks.harness``, below every lesson's module.

Used after the exercises of notebooks/01_cartpole.py to notebooks/11_playground.py.
"""

from dqn_lib.checks.agent import check_epsilon_greedy_batch, check_n_step_target
from dqn_lib.checks.cartpole import (
    check_cartpole_policy,
    check_episode_length,
    check_push_right_prediction,
    check_transition_recorder,
)
from dqn_lib.checks.double_dqn import check_discounted_return, check_max_bias
from dqn_lib.checks.harness import ExerciseError
from dqn_lib.checks.inside import (
    check_q_value_grid,
    check_terminal_share,
    check_wide_starts_prediction,
)
from dqn_lib.checks.playground import (
    check_hard_update,
    check_linear_schedule,
    check_run_3_prediction,
)
from dqn_lib.checks.q_network import check_greedy_action, check_q_network
from dqn_lib.checks.q_table import check_finer_table_prediction, check_sarsa_update
from dqn_lib.checks.replay import check_replay_sample, check_small_buffer_rung
from dqn_lib.checks.reward import check_reward_function, check_spread_prediction
from dqn_lib.checks.target_network import check_soft_target_weights, check_target_network_copy
from dqn_lib.checks.training import (
    check_bootstrap_bug_prediction,
    check_greedy_mean_return,
    check_moving_average,
    check_training_step,
)

__all__ = [
    "ExerciseError",
    "check_bootstrap_bug_prediction",
    "check_cartpole_policy",
    "check_discounted_return",
    "check_episode_length",
    "check_epsilon_greedy_batch",
    "check_finer_table_prediction",
    "check_greedy_action",
    "check_greedy_mean_return",
    "check_hard_update",
    "check_linear_schedule",
    "check_max_bias",
    "check_moving_average",
    "check_n_step_target",
    "check_push_right_prediction",
    "check_q_network",
    "check_q_value_grid",
    "check_reward_function",
    "check_replay_sample",
    "check_run_3_prediction",
    "check_sarsa_update",
    "check_small_buffer_rung",
    "check_soft_target_weights",
    "check_spread_prediction",
    "check_target_network_copy",
    "check_terminal_share",
    "check_training_step",
    "check_transition_recorder",
    "check_wide_starts_prediction",
]
