"""gunicorn's settings for QMS: `gunicorn -c gunicorn.conf.py qms.config.wsgi` (the Docker image's
command). Every app server is stateless: sessions, results, files and the cache live in the
database, the object store (or a shared MEDIA_ROOT) and Redis, so any number of them can run on
any machines behind a load balancer."""

import multiprocessing
import os

# Where to listen: the container listens on every interface of its own network.
bind = os.environ.get("QMS_BIND", "127.0.0.1:8000")


def _cores() -> int:
    """The cores this process may use (a container's CPU set, not the whole host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return multiprocessing.cpu_count()


# Processes: WEB_CONCURRENCY, or when it is empty or 0 gunicorn's rule of thumb for a
# synchronous app, two per core and one more.
workers = int(os.environ.get("WEB_CONCURRENCY") or 0) or 2 * _cores() + 1
# A report PDF is made by the worker (or in a thread); no request should take this long.
timeout = 60
graceful_timeout = 30
# Bound the memory a long-lived process may grow to: each restarts after about a thousand
# requests, at a different moment from its siblings.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
errorlog = "-"
