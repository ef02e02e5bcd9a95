"""The records of co-design and co-production, one module per part of the area. Every model is
imported here so Django finds it."""

from qms.codesign.models.claims import *  # noqa: F403
from qms.codesign.models.involvement import *  # noqa: F403
from qms.codesign.models.partners import *  # noqa: F403
from qms.codesign.models.yousaid import *  # noqa: F403
