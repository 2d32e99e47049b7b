"""The record of a training run: ``History``, filled by ``train`` and read by plots,
checkpoints and the lessons.

A ground module: it imports nothing from ``dqn_lib``, so every layer above can use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class History:
    """What happened during training, one entry per finished episode or per update.

    Taught in notebooks/06_training.py. ``returns`` are the environment's returns (steps the
    pole stayed up, whatever reward the agent learned from), so runs trained with different
    reward functions compare on one scale; ``shaped_returns`` sum the reward the agent saw.
    """

    returns: list[float] = field(default_factory=list)
    shaped_returns: list[float] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    episode_end_steps: list[int] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    loss_steps: list[int] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_returns: list[float] = field(default_factory=list)
    train_seconds_at_eval: list[float] = field(default_factory=list)
    """At each evaluation, the training seconds so far (the clock stops while evaluating)."""
    eval_predicted_values: list[float] = field(default_factory=list)
    """With ``Evaluation(every, values=True)``: at each evaluation, the mean predicted value of the
    evaluation's first states (``value_estimates``)."""
    eval_obtained_values: list[float] = field(default_factory=list)
    """... and the mean discounted return the greedy policy actually obtained from them."""
    steps: int = 0
    train_seconds: float = 0.0

    @property
    def episodes(self) -> int:
        """How many episodes finished."""
        return len(self.returns)

    @classmethod
    def from_dict(cls, fields: dict) -> History:
        """A History from ``dataclasses.asdict`` of one, as a checkpoint stores it; a checkpoint
        written before ``eval_seconds`` was renamed ``train_seconds_at_eval`` loads too."""
        fields = dict(fields)
        if "eval_seconds" in fields and "train_seconds_at_eval" not in fields:
            fields["train_seconds_at_eval"] = fields.pop("eval_seconds")
        return cls(**fields)


@dataclass
class UnfinishedEpisode:
    """The running totals of the episode ``train`` is in the middle of; ``record`` adds them to
    a History when it ends. Not taught in a lesson: ``train``'s bookkeeping, saved in its
    checkpoints (notebooks/06_training.py)."""

    env_return: float = 0.0
    shaped_return: float = 0.0
    length: int = 0

    def add(self, env_reward: float, reward: float) -> None:
        self.env_return += env_reward
        self.shaped_return += reward
        self.length += 1

    def record(self, history: History) -> None:
        history.returns.append(self.env_return)
        history.shaped_returns.append(self.shaped_return)
        history.lengths.append(self.length)
        history.episode_end_steps.append(history.steps)
