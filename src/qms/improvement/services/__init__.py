"""Every write of quality improvement, as `<noun>_<verb>(*, by, ...)`: atomic, authorised,
recorded in history. One module per part; other areas import from here."""

from qms.improvement.services.cycles import *  # noqa: F403
from qms.improvement.services.diagram import *  # noqa: F403
from qms.improvement.services.methods import *  # noqa: F403
from qms.improvement.services.projects import *  # noqa: F403
from qms.improvement.services.spread import *  # noqa: F403
