"""Every write of quality planning, as `<noun>_<verb>(*, by, ...)`: atomic, authorised,
recorded in history. One module per part; other areas import from here."""

from qms.planning.services.aims import *  # noqa: F403
from qms.planning.services.audits import *  # noqa: F403
from qms.planning.services.design import *  # noqa: F403
from qms.planning.services.factors import *  # noqa: F403
from qms.planning.services.gaps import *  # noqa: F403
from qms.planning.services.needs import *  # noqa: F403
from qms.planning.services.priorities import *  # noqa: F403
from qms.planning.services.resources import *  # noqa: F403
