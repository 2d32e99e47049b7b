"""dqn_lib: the small library of the course "DQN, step by step".

Each name is first written inline, and explained, in the lesson its docstring names; later
lessons import it from here.

The modules form layers, lowest first. A module imports only from layers below its own (the
arrows point one way: no circle, and the core never imports plots, widgets or checks);
tests/test_library.py checks every import against this list. ``i18n`` (the language of
messages, ``tr``) is the ground every message stands on. The exercise checks are a package,
``dqn_lib.checks`` (import them from there): its lessons' modules stand on its ``harness``.
The last layer holds the checks' old module names, kept for notebooks that import from them.

1. i18n
2. files, history, rewards, seeding, stats, validation
3. config, env, networks, replay
4. agents, starts
5. dqn, evaluation
6. checkpoint
7. training
8. animation, parallel, plots
9. presets
10. inspection, playground
11. checks.harness
12. checks.agent, checks.cartpole, checks.double_dqn, checks.inside, checks.playground,
    checks.q_network, checks.q_table, checks.replay, checks.reward, checks.target_network,
    checks.training
13. checks
14. checks_agent, checks_experiments, checks_inside, checks_ladder, checks_playground,
    checks_table
"""

from dqn_lib.agents import Agent, OnlineAgent, epsilon_greedy, td_target
from dqn_lib.animation import Episode, animate_episode, episode_gif, record_episode
from dqn_lib.checkpoint import (
    FORMAT_VERSION,
    Checkpoint,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import DQNAgent, linear_schedule, soft_update
from dqn_lib.env import (
    ACTION_NAMES,
    ANGLE_LIMIT_RADIANS,
    ENV_ID,
    MAX_EPISODE_STEPS,
    OBSERVATION_NAMES,
    POSITION_LIMIT,
    display_name,
    make_env,
)
from dqn_lib.evaluation import as_policy, evaluate, value_estimates
from dqn_lib.history import History
from dqn_lib.i18n import set_language
from dqn_lib.networks import QNet, new_q_network
from dqn_lib.parallel import run_in_processes, train_online_agent
from dqn_lib.plots import moving_average, plot_evaluations, plot_learning_curve, plot_runs
from dqn_lib.replay import Batch, ReplayBuffer
from dqn_lib.rewards import (
    FALL_PENALTY,
    POSITION_PENALTY,
    REWARD_FUNCTIONS,
    angle_and_position_reward,
    environment_reward,
    get_reward_function,
    pole_angle_reward,
)
from dqn_lib.seeding import as_seed
from dqn_lib.training import Callback, Checkpointing, Evaluation, train

__all__ = [
    "ACTION_NAMES",
    "ANGLE_LIMIT_RADIANS",
    "ENV_ID",
    "FALL_PENALTY",
    "FORMAT_VERSION",
    "MAX_EPISODE_STEPS",
    "OBSERVATION_NAMES",
    "POSITION_LIMIT",
    "REWARD_FUNCTIONS",
    "Agent",
    "Batch",
    "Callback",
    "Checkpointing",
    "Checkpoint",
    "CheckpointError",
    "DQNAgent",
    "DQNConfig",
    "ReplayBuffer",
    "Episode",
    "Evaluation",
    "History",
    "OnlineAgent",
    "QNet",
    "POSITION_PENALTY",
    "angle_and_position_reward",
    "animate_episode",
    "as_policy",
    "as_seed",
    "environment_reward",
    "episode_gif",
    "display_name",
    "epsilon_greedy",
    "evaluate",
    "get_reward_function",
    "load_checkpoint",
    "make_env",
    "moving_average",
    "new_q_network",
    "plot_evaluations",
    "plot_learning_curve",
    "plot_runs",
    "pole_angle_reward",
    "record_episode",
    "run_in_processes",
    "save_checkpoint",
    "set_language",
    "td_target",
    "linear_schedule",
    "soft_update",
    "train",
    "train_online_agent",
    "value_estimates",
]
