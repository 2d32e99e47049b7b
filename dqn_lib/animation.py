"""Watch an episode: frames recorded headless and played back as an animated GIF.

Taught in notebooks/01_cartpole.py. A GIF plays in JupyterLab and on GitHub straight from the
saved notebook, with no JavaScript and no ffmpeg, at a few hundred KB for a 500-step episode.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from IPython.display import Image
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from dqn_lib.agents import Agent
from dqn_lib.env import MAX_EPISODE_STEPS, POSITION_LIMIT, make_env
from dqn_lib.evaluation import Policy, as_policy
from dqn_lib.files import write_atomically
from dqn_lib.i18n import tr
from dqn_lib.seeding import as_seed
from dqn_lib.starts import StartBox, check_start_box, set_start


@dataclass
class Episode:
    """One recorded episode: ``frames[t]`` shows the state ``observations[t]``.

    Not taught in a lesson: what ``record_episode`` returns (notebooks/05_reward.py).
    """

    frames: list[np.ndarray] = field(default_factory=list)
    observations: list[np.ndarray] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    terminated: bool = False
    truncated: bool = False

    @property
    def length(self) -> int:
        """Steps taken, which is also CartPole's return."""
        return len(self.actions)


def record_episode(
    agent: Agent | Policy,
    seed: int = 0,
    max_steps: int = MAX_EPISODE_STEPS,
    start_box: StartBox | None = None,
) -> Episode:
    """Play one greedy episode (or one of a policy function) and keep every frame.

    Used in notebooks/05_reward.py.

    Taught in notebooks/01_cartpole.py. With ``start_box``, the episode starts from a state drawn
    from that box after the seeded reset, as ``evaluate(..., start_box=...)`` does for the same
    seed.
    """
    policy = as_policy(agent)
    if start_box is not None:
        start_box = check_start_box(start_box)
    env = make_env(render=True)
    observation, _ = env.reset(seed=as_seed(seed))
    if start_box is not None:
        observation = set_start(env, start_box)
    episode = Episode(frames=[env.render()], observations=[observation])
    for _ in range(max_steps):
        action = int(policy(observation))
        observation, _, terminated, truncated, _ = env.step(action)
        episode.actions.append(action)
        episode.observations.append(observation)
        episode.frames.append(env.render())
        if terminated or truncated:
            episode.terminated, episode.truncated = bool(terminated), bool(truncated)
            break
    env.close()
    return episode


def _ending(episode: Episode) -> str:
    """How the episode ended, for the last frame's caption, in the chosen language."""
    if episode.truncated:
        return tr("time limit reached")
    if episode.terminated:
        x = episode.observations[-1][0]
        return tr("cart left the track") if abs(x) > POSITION_LIMIT else tr("pole fell")
    return tr("stopped")


def _caption_font(text: str) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """PIL's own font for ASCII captions; for any other text (Japanese) the IPAexGothic font of
    matplotlib-fontja, which PIL's own font lacks (it draws empty boxes)."""
    if text.isascii():
        return ImageFont.load_default(size=18)
    import matplotlib_fontja

    font = Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"
    return ImageFont.truetype(str(font), size=18)


def _caption(frame: np.ndarray, text: str) -> PILImage.Image:
    image = PILImage.fromarray(frame)
    text = text.strip()
    ImageDraw.Draw(image).text((10, 8), text, fill=(0, 0, 0), font=_caption_font(text))
    return image


def episode_gif(episode: Episode, every: int = 2, fps: int = 25, title: str = "") -> bytes:
    """The episode as GIF bytes: every ``every``-th frame, each captioned with its step, and the
    last frame held for a second so the ending can be seen.

    Not taught in a lesson: the GIF behind ``animate_episode`` (notebooks/01_cartpole.py).
    """
    if every < 1:
        raise ValueError(f"every must be a positive int, got {every!r}.")
    if not episode.frames:
        raise ValueError("The episode has no frames: record it with record_episode first.")
    ending = _ending(episode)
    last = len(episode.frames) - 1
    indices = sorted(set(range(0, last + 1, every)) | {last})
    images = [
        _caption(
            episode.frames[t],
            f"{title}  {tr('step {step}').format(step=t)}{f'  ({ending})' if t == last else ''}",
        )
        for t in indices
    ]
    # One palette for every frame, taken from the first: CartPole has a handful of colours, and
    # quantizing each frame on its own is ten times slower for no visible gain.
    palette = images[0].quantize(colors=32, dither=PILImage.Dither.NONE)
    images = [image.quantize(palette=palette, dither=PILImage.Dither.NONE) for image in images]
    durations = [round(1000 * every / fps)] * len(images)
    durations[-1] = 1000
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        optimize=True,
    )
    return buffer.getvalue()


def animate_episode(
    agent: Agent | Policy,
    seed: int = 0,
    every: int = 2,
    fps: int = 25,
    title: str = "",
    path: str | os.PathLike[str] | None = None,
    max_steps: int = MAX_EPISODE_STEPS,
    start_box: StartBox | None = None,
) -> Image:
    """Record a greedy episode and return it as an animated GIF that the notebook shows inline.

    Taught in notebooks/01_cartpole.py. ``every=2`` keeps every second frame (half the size,
    still smooth); ``path`` also saves the GIF there, written atomically; ``start_box`` starts
    the episode from a perturbed state (see ``record_episode``).
    """
    episode = record_episode(agent, seed=seed, max_steps=max_steps, start_box=start_box)
    data = episode_gif(episode, every=every, fps=fps, title=title)
    if path is not None:
        write_atomically(Path(path), data)
    return Image(data=data, format="gif")
