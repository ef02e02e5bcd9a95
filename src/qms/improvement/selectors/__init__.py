"""Every non-trivial read of quality improvement, shaped for a page or the API. One module
per part; other areas import from here."""

from qms.improvement.selectors.cycles import *  # noqa: F403
from qms.improvement.selectors.diagram import *  # noqa: F403
from qms.improvement.selectors.methods import *  # noqa: F403
from qms.improvement.selectors.projects import *  # noqa: F403
from qms.improvement.selectors.spread import *  # noqa: F403
