"""The playground: widgets to change DQN's settings, train short runs, compare them, watch one.

Taught in notebooks/11_playground.py. The logic (``config_from_widgets``, ``train_once``,
``runs``, ``draw``, ``watch``) is plain Python that runs and is tested without a browser; the
buttons only call it and put what comes back in the page.

A run is one ``train(agent, env, steps=..., callbacks=[Evaluation(...), ...])`` call; a
``Callback`` after each evaluation redraws the live curve, with the training clock stopped, and
changes nothing in the run.

The defaults are the course's DQN: ``DQNConfig()``'s settings, and the reward and exploring
starts of the ``"double"`` preset (``dqn_lib.presets``), so a playground run with the defaults is
the benchmark's run of that preset (``train_preset("double", seed, steps)``), step for step.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
from IPython.display import Image
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter
from tqdm.auto import tqdm

from dqn_lib.animation import animate_episode
from dqn_lib.config import DQNConfig
from dqn_lib.dqn import DQNAgent
from dqn_lib.env import SOLVED
from dqn_lib.evaluation import EVAL_EPISODES, EVAL_EVERY, EVAL_SEED
from dqn_lib.history import History
from dqn_lib.i18n import tr
from dqn_lib.plots import moving_average
from dqn_lib.presets import Preset, get_preset
from dqn_lib.rewards import REWARD_FUNCTIONS, get_reward_function
from dqn_lib.seeding import as_seed
from dqn_lib.training import Callback, Evaluation, evaluation_settings, train
from dqn_lib.validation import positive_int

__all__ = [
    "COURSE_PRESET",
    "CSS_CLASS",
    "DEFAULT_REWARD",
    "DEFAULT_STEPS",
    "Playground",
    "PlaygroundRun",
    "RunSettings",
    "draw_runs",
    "train_run",
]

COURSE_PRESET = "double"
"""The preset the playground starts from: the course's DQN (notebooks/09_double_dqn.py)."""

DEFAULT_STEPS = 8_000
"""The playground's training budget, in environment steps (about 10 seconds of training on one
core, plus its evaluations)."""

DEFAULT_REWARD = get_preset(COURSE_PRESET).reward
"""The reward the course's DQN learns from: CartPole's own +1 a step (``"environment"``)."""


BUFFER_SIZES = (100, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
"""The replay buffer sizes the slider offers (100 is below the batch size, on purpose: the
playground then shows ``DQNConfig``'s error)."""

CSS_CLASS = "dqn-playground"
"""The CSS class of the playground's outer box; each part has ``dqn-playground-<part>``."""

# The settings the playground has a slider (or buttons, or a menu) for: the widget, its options,
# and how its value is read back into DQNConfig. Its value starts at DQNConfig()'s.
_CONFIG_CONTROLS: dict[str, tuple[type, dict[str, Any], Callable[[Any], Any]]] = {
    "learning_rate": (
        widgets.FloatLogSlider,
        {"base": 10, "min": -5, "max": -1, "step": 0.1, "readout_format": ".1e"},
        lambda value: _significant(value),
    ),
    "gamma": (
        widgets.FloatSlider,
        {"min": 0.8, "max": 0.999, "step": 0.001, "readout_format": ".3f"},
        lambda value: round(value, 3),
    ),
    "epsilon_start": (
        widgets.FloatSlider,
        {"min": 0, "max": 1, "step": 0.01},
        lambda value: round(value, 2),
    ),
    "epsilon_end": (widgets.FloatSlider, {"min": 0, "max": 1, "step": 0.01}, lambda v: round(v, 2)),
    "epsilon_decay_steps": (widgets.IntSlider, {"min": 500, "max": 50_000, "step": 500}, int),
    "buffer_size": (
        widgets.SelectionSlider,
        {"options": [(f"{size:,}", size) for size in BUFFER_SIZES]},
        int,
    ),
    "target_update": (widgets.ToggleButtons, {}, str),  # options: translated, in _build_controls
    "tau": (
        widgets.FloatLogSlider,
        {"base": 10, "min": -3, "max": 0, "step": 0.1, "readout_format": ".3f"},
        lambda value: _significant(value),
    ),
    "target_update_every": (widgets.IntSlider, {"min": 50, "max": 5_000, "step": 50}, int),
}


@dataclass(frozen=True)
class RunSettings:
    """Everything one playground run needs: the agent's config, the reward, whether training
    uses exploring starts, the budget, the seed.

    Taught in notebooks/11_playground.py. Checked when built, like ``DQNConfig``. The defaults
    are the course's DQN, the ``"double"`` preset (``COURSE_PRESET``).
    """

    config: DQNConfig = dataclasses.field(default_factory=DQNConfig)
    reward: str = DEFAULT_REWARD
    exploring_starts: bool = True
    """Start a share of the training episodes anywhere on the track, as the course's DQN does
    (the ``"double"`` preset's ``start_box`` and ``start_fraction``); ``False`` for CartPole's
    own starts only."""
    steps: int = DEFAULT_STEPS
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.config, DQNConfig):
            raise TypeError(
                tr("config must be a DQNConfig, got {type}.").format(
                    type=type(self.config).__name__
                )
            )
        get_reward_function(self.reward)  # a ValueError naming the valid rewards
        if not isinstance(self.exploring_starts, bool):
            raise ValueError(
                tr("exploring_starts must be True or False, got {value!r}.").format(
                    value=self.exploring_starts
                )
            )
        steps = self.steps
        positive_int(steps, "steps")
        object.__setattr__(self, "seed", as_seed(self.seed))

    def preset(self) -> Preset:
        """These settings as a preset: the course's DQN (``COURSE_PRESET``) with this config,
        this reward and, unless ``exploring_starts`` is off, its exploring starts."""
        course = get_preset(COURSE_PRESET)
        return dataclasses.replace(
            course,
            name="playground",
            description=tr("the playground's run: {label}").format(label=self.label()),
            config=self.config,
            reward=self.reward,
            start_box=course.start_box if self.exploring_starts else None,
            start_fraction=course.start_fraction if self.exploring_starts else 0.0,
            parent=COURSE_PRESET,
        )

    def changes(self) -> list[str]:
        """What differs from the course's DQN, as ``name=value`` strings."""
        default = DQNConfig()
        found = [
            f"{field.name}={_short(getattr(self.config, field.name))}"
            for field in dataclasses.fields(DQNConfig)
            if getattr(self.config, field.name) != getattr(default, field.name)
        ]
        if self.reward != DEFAULT_REWARD:
            found.append(f"reward={self.reward}")
        if not self.exploring_starts:
            found.append("exploring_starts=off")
        return found

    def label(self) -> str:
        """A short name for a legend: the changes from the defaults, and the seed.

        >>> RunSettings(config=DQNConfig(gamma=0.98), reward="pole_angle").label()
        'gamma=0.98, reward=pole_angle; seed 0'
        >>> RunSettings(exploring_starts=False, seed=3).label()
        'exploring_starts=off; seed 3'
        """
        return tr("{changes}; seed {seed}").format(
            changes=", ".join(self.changes()) or tr("defaults"), seed=self.seed
        )

    def describe(self) -> str:
        """Every setting the playground can change, in one line of words."""
        c = self.config
        if c.final_learning_rate == c.learning_rate:
            rate = tr("learning_rate {rate} (constant)").format(rate=_short(c.learning_rate))
        else:
            rate = tr("learning_rate {start} falling to {end} over {steps:,} steps").format(
                start=_short(c.learning_rate),
                end=_short(c.final_learning_rate),
                steps=c.learning_rate_decay_steps,
            )
        target = (
            tr("soft target updates, tau {tau}").format(tau=_short(c.tau))
            if c.target_update == "soft"
            else tr("target copied every {every:,} steps").format(every=c.target_update_every)
        )
        return tr(
            "{rate}; gamma {gamma}; epsilon {start} to {end} over {decay:,} steps; replay buffer "
            "{buffer:,}; {target}; reward {reward}; {starts}; {steps:,} steps; seed {seed}"
        ).format(
            rate=rate,
            gamma=_short(c.gamma),
            start=_short(c.epsilon_start),
            end=_short(c.epsilon_end),
            decay=c.epsilon_decay_steps,
            buffer=c.buffer_size,
            target=target,
            reward=self.reward,
            starts=_starts(self.exploring_starts),
            steps=self.steps,
            seed=self.seed,
        )


def _starts(exploring: bool) -> str:
    """The training starts in words, from the course preset's box and share."""
    if not exploring:
        return tr("CartPole's own starts")
    course = get_preset(COURSE_PRESET)
    reach = course.start_box[0] if course.start_box else 0.0  # metres from the centre
    return tr(
        "exploring starts ({share:.0%} of training episodes start anywhere within {reach:g} m "
        "of the centre)"
    ).format(share=course.start_fraction, reach=reach)


def _short(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass
class PlaygroundRun:
    """One run: its settings, its History, the agent at its end (or as far as it got).

    Not taught in a lesson by name: one run of the ``Playground`` (notebooks/11_playground.py).
    ``agent`` is ``None`` until the first evaluation; ``error`` says why a run stopped early
    (``None`` for a run that used its whole budget).
    """

    number: int
    settings: RunSettings
    history: History = dataclasses.field(default_factory=History)
    agent: DQNAgent | None = None
    error: str | None = None

    @property
    def label(self) -> str:
        """``run N: <changes from the defaults>; seed S``, for legends and captions."""
        stopped = tr(" (stopped early)") if self.error else ""
        return tr("run {number}: {settings}{stopped}").format(
            number=self.number, settings=self.settings.label(), stopped=stopped
        )


def train_run(
    settings: RunSettings,
    *,
    eval_every: int,
    eval_episodes: int = EVAL_EPISODES,
    eval_seed: int = EVAL_SEED,
    on_evaluation: Callable[[DQNAgent, History], None] | None = None,
) -> tuple[DQNAgent, History]:
    """``train`` a new ``DQNAgent`` for ``settings.steps`` steps with a greedy evaluation every
    ``eval_every`` steps, calling ``on_evaluation(agent, history)`` after each (a ``Callback``).

    Not taught in a lesson by name: how the ``Playground`` (notebooks/11_playground.py) trains.
    The agent, the training environment (with exploring starts or without) and the reward come
    from ``settings.preset()``, as in ``train_preset``. If training stops with an exception,
    the History so far is attached to it as ``error.history`` and the agent as ``error.agent``.
    """
    callbacks: list[Evaluation | Callback] = [
        evaluation_settings(eval_every, eval_episodes, eval_seed)
    ]
    if on_evaluation is not None:
        callbacks.append(Callback(eval_every, on_evaluation))
    preset = settings.preset()
    agent = preset.make_agent(settings.seed)
    try:
        history = train(
            agent,
            preset.make_env(settings.seed),
            steps=settings.steps,
            reward_fn=preset.reward_fn,
            seed=settings.seed,
            progress=False,
            callbacks=callbacks,
        )
    except BaseException as error:
        with contextlib.suppress(AttributeError):  # a few built-in exceptions take no attributes
            error.agent = agent  # type: ignore[attr-defined]
        raise
    return agent, history


def draw_runs(runs: list[PlaygroundRun], ax: Axes, eval_every: int, window: int = 20) -> Axes:
    """Every run on one set of axes: its greedy evaluations (solid, with markers) and the
    moving average of its training episodes (faint), in one colour a run.

    Not taught in a lesson by name: the ``Playground``'s figure (notebooks/11_playground.py).
    """
    for k, run in enumerate(runs):
        color = f"C{k % 10}"
        h = run.history
        if h.episodes:
            ax.plot(
                h.episode_end_steps,
                moving_average(h.returns, window),
                color=color,
                alpha=0.35,
                linewidth=1,
            )
        ax.plot(h.eval_steps, h.eval_returns, "o-", color=color, markersize=4, label=run.label)
    ax.axhline(SOLVED, color="black", linestyle="--", linewidth=0.8)
    ax.text(
        0,
        SOLVED + 5,
        tr(" solved ({solved:.0f})").format(solved=SOLVED),
        fontsize="small",
        va="bottom",
    )
    ax.set_ylim(0, 520)
    ax.set_xlim(0, max([r.settings.steps for r in runs] or [DEFAULT_STEPS]) * 1.02)
    ax.set_xlabel(tr("environment steps"))
    ax.set_ylabel(tr("mean return (steps the pole stayed up)"))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_title(
        tr(
            "Greedy evaluation every {every:,} steps (solid)\n"
            "and training episodes (exploring), mean of the last {window} (faint)"
        ).format(every=eval_every, window=window)
    )
    ax.grid(alpha=0.3)
    if runs:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), fontsize="small", ncol=1)
    else:
        ax.text(0.5, 0.5, tr("no runs yet: press Train"), ha="center", transform=ax.transAxes)
    return ax


class Playground:
    """Widgets for DQN's settings, a Train button with a live learning curve that keeps earlier
    runs for comparison, a Clear button, and a Watch button that plays the latest agent.

    Taught in notebooks/11_playground.py. Show it as the last expression of a cell
    (``Playground()``), or use it from code: set a widget's ``value``, call ``train_once()``,
    read ``runs``, ``draw(ax)``, ``watch()``; or ``train_button.click()`` as a user would.

    Args:
        steps: the training budget the budget slider starts at.
        eval_every: environment steps between greedy evaluations (and redraws of the curve).
        eval_episodes, eval_seed: each evaluation's episodes and first seed.
        progress: show a progress bar while training, and print a summary of each run.
    """

    def __init__(
        self,
        *,
        steps: int = DEFAULT_STEPS,
        eval_every: int = EVAL_EVERY,
        eval_episodes: int = EVAL_EPISODES,
        eval_seed: int = EVAL_SEED,
        progress: bool = True,
    ) -> None:
        evaluation_settings(eval_every, eval_episodes, eval_seed)  # checks all three
        RunSettings(steps=steps)  # checks the budget
        self.eval_every, self.eval_episodes = eval_every, eval_episodes
        self.eval_seed, self.progress = as_seed(eval_seed, "eval_seed"), progress
        self.runs: list[PlaygroundRun] = []
        self._build_controls(steps)
        self._build_outputs()
        self.widget = self._layout()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.train_button.on_click(lambda _: self.on_train())
        self.clear_button.on_click(lambda _: self.on_clear())
        self.watch_button.on_click(lambda _: self.on_watch())
        self._on_change()
        self._redraw()

    # --- the controls -------------------------------------------------------------------

    def _build_controls(self, steps: int) -> None:
        default, course = DQNConfig(), get_preset(COURSE_PRESET)
        style = {"description_width": "170px"}
        wide = widgets.Layout(width="460px")

        def control(kind: type, name: str, **options: Any) -> widgets.Widget:
            if kind is widgets.Checkbox:
                widget = kind(indent=False, layout=wide, **options)
            else:
                widget = kind(description=name, style=style, layout=wide, **options)
            widget.add_class(f"{CSS_CLASS}-{name.replace('_', '-')}")
            return widget

        extra = {
            "target_update": {"options": [(tr("soft (tau)"), "soft"), (tr("hard (copy)"), "hard")]}
        }
        for name, (kind, options, _) in _CONFIG_CONTROLS.items():
            value = getattr(default, name)
            setattr(self, name, control(kind, name, value=value, **options, **extra.get(name, {})))
        self.learning_rate_decay = control(
            widgets.Checkbox,
            "learning_rate_decay",
            value=True,
            description=tr("learning rate falls to {rate:g} over {steps:,} steps").format(
                rate=default.final_learning_rate, steps=default.learning_rate_decay_steps
            ),
        )
        self.reward = control(
            widgets.Dropdown, "reward", options=list(REWARD_FUNCTIONS), value=DEFAULT_REWARD
        )
        self.exploring_starts = control(
            widgets.Checkbox,
            "exploring_starts",
            value=True,
            description=tr("exploring starts: {share:.0%} of episodes start anywhere").format(
                share=course.start_fraction
            ),
        )
        every = min(self.eval_every, steps)
        self.steps = control(
            widgets.IntSlider, "steps", value=steps, min=every, max=max(50_000, steps), step=every
        )
        self.seed = control(widgets.BoundedIntText, "seed", value=0, min=0, max=1_000_000)
        self.controls: dict[str, widgets.Widget] = {
            name: getattr(self, name) for section in self._sections() for name in section[1]
        }

    def _sections(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The controls under their headings, in the order the page shows them."""
        return (
            (tr("Learning"), ("learning_rate", "learning_rate_decay", "gamma")),
            (tr("Exploration"), ("epsilon_start", "epsilon_end", "epsilon_decay_steps")),
            (
                tr("Replay and target network"),
                ("buffer_size", "target_update", "tau", "target_update_every"),
            ),
            (
                tr("Reward, starts and run"),
                ("reward", "exploring_starts", "steps", "seed"),
            ),
        )

    def _build_outputs(self) -> None:
        self.summary = widgets.HTML()
        self.message = widgets.HTML()
        self.train_button = widgets.Button(
            description=tr("Train"), button_style="primary", icon="play"
        )
        self.clear_button = widgets.Button(description=tr("Clear runs"), icon="trash")
        self.watch_button = widgets.Button(
            description=tr("Watch latest agent"),
            icon="eye",
            disabled=True,
            layout=widgets.Layout(width="auto"),  # the default width cuts the label short
        )
        self.progress_output = widgets.Output()
        self.plot_output = widgets.Output()
        self.gif_output = widgets.Output()
        for name in ("summary", "message", "progress_output", "plot_output", "gif_output"):
            getattr(self, name).add_class(f"{CSS_CLASS}-{name.split('_')[0]}")
        for name in ("train", "clear", "watch"):
            getattr(self, f"{name}_button").add_class(f"{CSS_CLASS}-{name}")

    def _layout(self) -> widgets.VBox:
        columns = []
        sections = self._sections()
        for first, last in ((0, 2), (2, 4)):  # learning and exploration; the rest
            column = []
            for heading, names in sections[first:last]:
                column += [widgets.HTML(f"<b>{heading}</b>"), *(self.controls[n] for n in names)]
            columns.append(column)
        agent_column = widgets.VBox(columns[0], layout=widgets.Layout(margin="0 20px 0 0"))
        run_column = widgets.VBox(columns[1])
        buttons = widgets.HBox([self.train_button, self.clear_button, self.watch_button])
        box = widgets.VBox(
            [
                widgets.HBox([agent_column, run_column]),
                self.summary,
                buttons,
                self.message,
                self.progress_output,
                self.plot_output,
                self.gif_output,
            ]
        )
        box.add_class(CSS_CLASS)
        return box

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """Shown as its widgets when it is the last expression of a cell; where widgets cannot
        be shown (a saved notebook on GitHub), as a line of text saying what it is."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = tr(
            "DQN playground: {settings} settings, buttons Train, Clear runs and "
            "Watch latest agent (run the notebook in JupyterLab to use them)"
        ).format(settings=len(self.controls))
        return bundle

    # --- the logic, usable without a browser ----------------------------------------------

    def config_from_widgets(self) -> DQNConfig:
        """The ``DQNConfig`` the widgets describe; a ``ValueError`` that says what to fix if
        the combination is invalid (epsilon_end above epsilon_start, a buffer smaller than a
        batch). Settings the playground has no widget for keep ``DQNConfig()``'s defaults, the
        course's DQN."""
        settings = {
            name: read(getattr(self, name).value) for name, (_, _, read) in _CONFIG_CONTROLS.items()
        }
        if not self.learning_rate_decay.value:  # a constant rate: it ends where it starts
            settings["final_learning_rate"] = settings["learning_rate"]
        return DQNConfig(**settings)

    def settings_from_widgets(self) -> RunSettings:
        """The whole run the widgets describe: ``config_from_widgets()``, reward, starts, budget,
        seed."""
        return RunSettings(
            config=self.config_from_widgets(),
            reward=self.reward.value,
            exploring_starts=bool(self.exploring_starts.value),
            steps=int(self.steps.value),
            seed=int(self.seed.value),
        )

    def train_once(self, settings: RunSettings | None = None) -> History:
        """Train one run (by default with the widgets' settings), add it to ``runs`` and
        return its History. The curve is redrawn after every evaluation.

        If training stops with an exception (a loss that became infinite, an interrupt), the
        run so far is kept in ``runs``, with the reason in its ``error``, and the exception
        is raised again.
        """
        settings = self.settings_from_widgets() if settings is None else settings
        run = PlaygroundRun(len(self.runs) + 1, settings)
        self.runs.append(run)
        bar = tqdm(
            total=settings.steps,
            desc=tr("run {number}").format(number=run.number),
            unit=tr("step"),
            disable=not self.progress,
        )

        def after_evaluation(agent: DQNAgent, history: History) -> None:
            run.agent, run.history = agent, history
            bar.update(history.steps - bar.n)
            bar.set_postfix(evaluation=history.eval_returns[-1] if history.eval_returns else None)
            self._redraw()

        try:
            agent, history = train_run(
                settings,
                eval_every=self.eval_every,
                eval_episodes=self.eval_episodes,
                eval_seed=self.eval_seed,
                on_evaluation=after_evaluation,
            )
            if run.agent is None or run.history.steps != history.steps:  # ended between
                after_evaluation(agent, history)  # evaluations: show where it ended
        except BaseException as error:
            run.history = getattr(error, "history", run.history)
            run.agent = getattr(error, "agent", run.agent)
            run.error = f"{type(error).__name__}: {error}"
            self._redraw()
            raise
        finally:
            bar.close()
            self.watch_button.disabled = False
        if self.progress:  # a saved notebook keeps a progress bar as first drawn: say how it ended
            print(self.run_summary(run))
        return run.history

    @staticmethod
    def run_summary(run: PlaygroundRun) -> str:
        """One line: the run, its steps and seconds, and every evaluation's mean return."""
        h = run.history
        evaluations = ", ".join(f"{value:.1f}" for value in h.eval_returns) or tr("none")
        return tr(
            "{label}: {steps:,} steps in {seconds:.1f} s; greedy evaluations: {evaluations}"
        ).format(label=run.label, steps=h.steps, seconds=h.train_seconds, evaluations=evaluations)

    def clear(self) -> None:
        """Forget every run (the next one is run 1 again)."""
        self.runs.clear()
        self.watch_button.disabled = True
        self.gif_output.outputs = ()
        self._redraw()

    def draw(self, ax: Axes) -> Axes:
        """Draw every run on ``ax``: the playground's learning curves (see ``draw_runs``)."""
        return draw_runs(self.runs, ax, self.eval_every)

    def figure(self) -> Figure:
        """A new figure of the runs, drawn without pyplot (so it is shown only when asked)."""
        figure = Figure(figsize=(8, 4.8 + 0.22 * len(self.runs)), layout="constrained")
        self.draw(figure.add_subplot())
        return figure

    def watch(self, seed: int | None = None) -> Image:
        """A GIF of the latest run's agent playing one greedy episode (by default the first
        evaluation episode's start)."""
        if not self.runs:
            raise ValueError(tr("There is no agent to watch yet: train a run first."))
        run = self.runs[-1]
        if run.agent is None:
            raise ValueError(
                tr("Run {number} stopped before its agent took a step to watch.").format(
                    number=run.number
                )
            )
        return animate_episode(
            run.agent,
            seed=self.eval_seed if seed is None else as_seed(seed),
            title=tr("run {number}, {steps:,} steps").format(
                number=run.number, steps=run.history.steps
            ),
        )

    # --- what the buttons and sliders do ---------------------------------------------------

    def _on_change(self, change: object = None) -> None:
        hard = self.target_update.value == "hard"
        self.tau.disabled, self.target_update_every.disabled = hard, not hard
        try:
            text = tr("Next run: {settings}").format(
                settings=html.escape(self.settings_from_widgets().describe(), quote=False)
            )
        except ValueError as error:
            text = _error_html(tr("These settings are invalid: {error}").format(error=error))
        self.summary.value = text

    def on_train(self) -> None:
        """The Train button: train with the widgets' settings; a bad setting or a run that
        stops early is reported in words under the buttons, never as a traceback."""
        self.message.value = ""
        try:
            settings = self.settings_from_widgets()
        except ValueError as error:
            self.message.value = _error_html(tr("Not trained: {error}").format(error=error))
            return
        self.progress_output.outputs = ()
        self.train_button.disabled = True
        # Inside the Output widget's block: in a kernel, an exception that leaves it is shown
        # there as a traceback and swallowed, so the expected ones are caught here, in words.
        with self.progress_output:
            try:
                self.train_once(settings)
            except (FloatingPointError, ValueError, KeyboardInterrupt) as error:
                run = self.runs[-1]
                self.message.value = _error_html(
                    tr("Run {number} stopped after {steps:,} steps: {error}").format(
                        number=run.number, steps=run.history.steps, error=error
                    )
                )
            finally:
                self.train_button.disabled = False

    def on_clear(self) -> None:
        """The Clear runs button."""
        self.message.value = ""
        self.clear()

    def on_watch(self) -> None:
        """The Watch button: the latest agent's episode as a GIF, under the curve."""
        if not self.runs:
            self.message.value = _error_html(
                tr("There is no agent to watch yet: press Train first.")
            )
            return
        self.message.value = ""
        try:
            gif = self.watch()
        except ValueError as error:
            self.message.value = _error_html(str(error))
            return
        caption = html.escape(tr("{label}: one greedy episode").format(label=self.runs[-1].label))
        self.gif_output.outputs = (
            _display_data({"text/html": caption}),
            _display_data({"image/gif": base64.b64encode(gif.data).decode("ascii")}),
        )

    def _redraw(self) -> None:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=80)
        png = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.plot_output.outputs = (_display_data({"image/png": png}),)


def _significant(value: float) -> float:
    """Two significant digits: a log slider's 0.0019952... becomes 0.002."""
    return float(f"{value:.2g}")


def _error_html(text: str) -> str:
    return f'<span style="color:#b00020">{html.escape(text)}</span>'


def _display_data(data: dict[str, str]) -> dict[str, Any]:
    return {"output_type": "display_data", "data": data, "metadata": {}}
