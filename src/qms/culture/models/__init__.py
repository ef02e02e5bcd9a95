"""The records of leadership, culture and relationships, one module per part of the area. Every
model is imported here so Django finds it."""

from qms.culture.models.coaching import *  # noqa: F403
from qms.culture.models.concerns import *  # noqa: F403
from qms.culture.models.leadership import *  # noqa: F403
from qms.culture.models.recognition import *  # noqa: F403
from qms.culture.models.reporting import *  # noqa: F403
from qms.culture.models.surveys import *  # noqa: F403
from qms.culture.models.walkrounds import *  # noqa: F403
