"""Following a site's links breadth-first, as a person clicking through it would.

Used by the link crawl (Django's test client: every link leads somewhere that answers 200) and
the accessibility crawl (headless Chromium and axe-core on every kind of page).
"""

import random
import re
from collections import deque
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from qms.demo import measures, organisation

# Not pages: downloads (exports, templates and attached files are tested where they are made),
# the vega bundle, and Django's own admin beyond its index (its pages are Django's, not ours).
SKIP = re.compile(
    r"format=(csv|xlsx|pdf)|template\.(csv|xlsx)$|vega-embed\.js|^/admin/.+|/api/|^/comments/file/"
)


def build_demo(seed: int = 2026) -> dict:
    """The demo organisation and its measures, as `qms demo-data` makes them."""
    rng = random.Random(seed)
    organisation.build(rng)
    return measures.build(rng)


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def same_site_links(html: str, page_path: str) -> list[str]:
    """The local paths (with query) that the page's links lead to, without fragments."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:")):
            continue
        url = urldefrag(urljoin("http://site" + page_path, href))[0]
        parts = urlsplit(url)
        if parts.netloc != "site":
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def kind_of_page(path: str) -> str:
    """Pages that differ only in an id are one kind of page: /control/measures/N/."""
    return re.sub(r"\d+", "N", path)


def template_of_page(path: str) -> str:
    """Coarser: the query string (a filter, a page number) does not change the template."""
    return kind_of_page(path.split("?", 1)[0])


def crawl(
    visit: Callable[[str], tuple[int, str]],
    *,
    start: str = "/",
    max_pages: int = 80,
    per_kind: int = 2,
    kind: Callable[[str], str] = kind_of_page,
) -> dict[str, int]:
    """Breadth-first from `start`: `visit(path)` answers (status, html). At most `per_kind`
    pages of each kind and `max_pages` in all. Returns the status of every page visited."""
    seen: dict[str, int] = {}
    kinds: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < max_pages:
        path = queue.popleft()
        if path in seen or SKIP.search(path):
            continue
        key = kind(path)
        if kinds.get(key, 0) >= per_kind:
            continue
        kinds[key] = kinds.get(key, 0) + 1
        status, html = visit(path)
        seen[path] = status
        if status == 200:
            queue.extend(link for link in same_site_links(html, path) if link not in seen)
    return seen
