"""An old name of the exercise checks, kept so that a student's notebook written before the checks
became the package ``dqn_lib.checks`` still runs: every check is there now (import it from
``dqn_lib.checks``). Not taught in a lesson."""

from dqn_lib.checks import *  # noqa: F403
from dqn_lib.checks import __all__  # noqa: F401
