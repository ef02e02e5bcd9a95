"""Every write of the learning system, one module per part, each service authorising `by`."""

from qms.learning.services.evidence import *  # noqa: F403
