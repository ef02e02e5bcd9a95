"""Every non-trivial read of quality planning, shaped for a page or the API. One module per
part; other areas import from here."""

from qms.planning.selectors.aims import *  # noqa: F403
from qms.planning.selectors.audits import *  # noqa: F403
from qms.planning.selectors.design import *  # noqa: F403
from qms.planning.selectors.factors import *  # noqa: F403
from qms.planning.selectors.gaps import *  # noqa: F403
from qms.planning.selectors.home import *  # noqa: F403
from qms.planning.selectors.needs import *  # noqa: F403
from qms.planning.selectors.priorities import *  # noqa: F403
from qms.planning.selectors.resources import *  # noqa: F403
from qms.planning.selectors.similar import *  # noqa: F403
