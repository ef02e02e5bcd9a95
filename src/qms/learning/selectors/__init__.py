"""Every non-trivial read of the learning system, one module per part."""

# For the leader's view (qms.culture): good practice to recognise.
from qms.learning.selectors.bright_spots import bright_spots_accepted_since  # noqa: F401
from qms.learning.selectors.evidence import *  # noqa: F403

# For other areas (Partners logs involvement in networks, by the network's own rules).
from qms.learning.selectors.networks import may_read as network_readable  # noqa: E402, F401
from qms.learning.selectors.networks import standing as network_standing  # noqa: E402, F401
