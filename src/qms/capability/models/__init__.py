"""The records of staff capability and time, one module per part of the area. Every model is
imported here so Django finds it."""

from qms.capability.models.framework import *  # noqa: F403
from qms.capability.models.gaps import *  # noqa: F403
from qms.capability.models.records import *  # noqa: F403
from qms.capability.models.time import *  # noqa: F403
