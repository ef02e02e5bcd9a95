"""Every non-trivial read of the learning system, one module per part."""

from qms.learning.selectors.evidence import *  # noqa: F403
