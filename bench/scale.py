"""Load benchmark over the main pages and the API: `python bench/scale.py --users 32` (after
`qms demo-data`, on the database DATABASE_URL names, or on QMS_DATA_DIR's SQLite).

Starts gunicorn as production runs it (DEBUG off, collected static files; `--workers`, default 2,
one a core) and has USERS signed-in people use QMS as locust's users do: each picks a page by
weight, reads it, thinks for a random 1 to 5 seconds (`--think`), and asks again, for
`--duration` seconds. The pages are the ones people live in: home, a unit's measure list, a
measure page, the board's integrated report, a ward's huddle board, the inbox; a quarter of the
people are other systems reading the API with keys of their own (measures, a measure's results,
units). Prints, for each page and overall: answers, p50, p95, max and errors, and the server's
CPU per answer. Aims (issue 13): p95 under 250 ms at 32 users on two cores, 0 errors.

Only the loopback address is used. `--url` measures a server that is already running.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Person, cpu_seconds, percentile, start_server, stop  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET_P95_MS = 250.0
# What each kind of person reads, and how often (weights).
READERS = {
    "board": {"home": 2, "report": 3, "inbox": 1, "measure": 1},
    "quality": {"home": 1, "measure list": 3, "measure": 4, "report": 1, "inbox": 1},
    "lead": {"home": 1, "huddle": 3, "measure list": 1, "measure": 2, "inbox": 1},
    "member": {"home": 2, "huddle": 3, "inbox": 1},
}
API_READS = {"api measures": 3, "api results": 3, "api units": 1}


def targets(data_dir: Path) -> dict:
    """For each kind of person, the unit they work in and the busiest measure they see there
    (so every page asked for is one they may read), and a maker of API keys: one read-only key
    on the organisation per system reading the API."""
    os.environ["QMS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from qms.control.models import MeasureResult
    from qms.people import keys
    from qms.people.models import Membership

    where = {}
    for username in [*READERS, "board"]:
        membership = Membership.objects.filter(person__username=username).order_by("pk").first()
        if membership is None:
            sys.exit(f"No {username!r} in the database: run `qms demo-data` first.")
        unit = membership.unit
        busiest, _ = max(
            MeasureResult.objects.filter(measure__unit__path__startswith=unit.path).values_list(
                "measure_id", "points"
            ),
            key=lambda row: len(row[1] or []),
        )
        where[username] = (unit.pk, busiest)
    board = Membership.objects.filter(person__username="board").order_by("pk").first().unit
    return {
        "where": where,
        "new_key": lambda n: keys.api_key_create(by=None, unit=board, name=f"Load test {n}")[1],
    }


def paths(unit: int, measure: int) -> dict[str, str]:
    return {
        "home": "/",
        "measure list": f"/control/units/{unit}/measures/",
        "measure": f"/control/measures/{measure}/",
        "report": f"/control/units/{unit}/report/",
        "huddle": f"/control/units/{unit}/huddle/",
        "inbox": "/inbox/",
        "api measures": f"/api/v1/measures?unit={unit}",
        "api results": f"/api/v1/measures/{measure}/results",
        "api units": "/api/v1/units",
    }


class User(Person):
    """A signed-in person (or, with a key, another system) choosing pages by weight."""

    def __init__(self, base, username, weights, key=None):
        super().__init__(base, username, "", "")
        self.weights, self.key = weights, key
        self.times_by_page: dict[str, list[float]] = {page: [] for page in weights}
        self.errors_by_page: dict[str, list[str]] = {page: [] for page in weights}

    def run(self, urls, until, think, start: threading.Barrier, seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        time.sleep(rng.uniform(0, think[1]))  # people do not all click at the same moment
        pages, weights = zip(*self.weights.items(), strict=True)
        while time.monotonic() < until:
            page = rng.choices(pages, weights)[0]
            self._ask(page, urls[page])
            time.sleep(rng.uniform(*think))

    def _ask(self, page: str, path: str) -> None:
        request = urllib.request.Request(f"{self.base}{path}")
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        began = time.perf_counter()
        try:
            opener = urllib.request.build_opener() if self.key else self.opener
            response = opener.open(request, timeout=30)
            body = response.read()
            if response.status != 200 or "/accounts/login/" in response.geturl():
                self.errors_by_page[page].append(f"{response.status} {response.geturl()}")
                return
            if self.key:
                json.loads(body)
        except (OSError, ValueError) as error:  # refused, reset, timed out, 4xx/5xx, bad JSON
            self.errors_by_page[page].append(f"{path}: {error}")
            return
        self.times_by_page[page].append((time.perf_counter() - began) * 1000)


def report(people: list[User], elapsed: float, cpu: float | None) -> bool:
    times_by_page: dict[str, list[float]] = {}
    errors_by_page: dict[str, list[str]] = {}
    for person in people:
        for page, times in person.times_by_page.items():
            times_by_page.setdefault(page, []).extend(times)
        for page, errors in person.errors_by_page.items():
            errors_by_page.setdefault(page, []).extend(errors)
    every = [t for times in times_by_page.values() for t in times]
    errors = [e for found in errors_by_page.values() for e in found]
    print(f"{len(every)} answers in {elapsed:.0f} s ({len(every) / elapsed:.1f} a second)", end="")
    # A worker gunicorn replaced during the run takes its CPU time with it: no figure then.
    print(
        f"; server CPU {cpu * 1000 / len(every):.1f} ms an answer"
        if cpu and cpu > 0 and every
        else ""
    )
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  {'page':<14}{'answers':>8}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'errors':>8}")
    for page in sorted(times_by_page):
        times = times_by_page[page]
        if times:
            print(
                f"  {page:<14}{len(times):>8}{statistics.median(times):>9.0f}"
                f"{percentile(times, 0.95):>9.0f}{max(times):>9.0f}"
                f"{len(errors_by_page[page]):>8}"
            )
        else:
            print(f"  {page:<14}{0:>8}{'-':>9}{'-':>9}{'-':>9}{len(errors_by_page[page]):>8}")
    p95 = percentile(every, 0.95) if every else float("inf")
    print(
        f"  {'all':<14}{len(every):>8}{statistics.median(every) if every else 0:>9.0f}"
        f"{p95:>9.0f}{max(every, default=0):>9.0f}{len(errors):>8}"
        f"   (aim: p95 under {TARGET_P95_MS:.0f} ms, 0 errors)"
    )
    for error in sorted(set(errors))[:5]:
        print(f"    error: {error}")
    return p95 < TARGET_P95_MS and not errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds (default 120)")
    parser.add_argument(
        "--think", type=float, nargs=2, default=(1.0, 5.0), help="seconds between requests"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads a worker (default 4)")
    parser.add_argument("--port", type=int, default=8015)
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("QMS_DATA_DIR", ROOT / "data"))
    )
    parser.add_argument("--url", help="an already running server (default: start gunicorn)")
    args = parser.parse_args()

    ids = targets(args.data_dir.resolve())
    base = args.url.rstrip("/") if args.url else f"http://127.0.0.1:{args.port}"
    server = static_root = None
    if not args.url:
        static_root = Path(tempfile.mkdtemp(prefix="qms-scale-static-"))
        server = start_server(
            args.data_dir.resolve(), args.port, args.workers, args.threads, static_root
        )
    try:
        people = []
        kinds = list(READERS)
        for n in range(args.users):
            if n % 4 == 3:
                person = User(base, f"system {n}", API_READS, key=ids["new_key"](n))
                person.urls = paths(*ids["where"]["board"])
            else:
                kind = kinds[n % len(kinds)]
                person = User(base, kind, READERS[kind])
                person.urls = paths(*ids["where"][kind])
                person.sign_in()
            people.append(person)
        database = os.environ.get("DATABASE_URL", "sqlite").split(":")[0]
        print(
            f"{args.users} users ({sum(1 for p in people if p.key)} of them API clients) on "
            f"{database}, gunicorn {args.workers} workers x {args.threads} threads, "
            f"{os.cpu_count()} cores; think {args.think[0]:g}-{args.think[1]:g} s, "
            f"{args.duration:.0f} s"
        )
        barrier = threading.Barrier(len(people))
        until = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=p.run, args=(p.urls, until, args.think, barrier, n))
            for n, p in enumerate(people)
        ]
        cpu_before = cpu_seconds(server.pid) if server else None
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        cpu_after = cpu_seconds(server.pid) if server else None
    finally:
        if server is not None:
            stop(server)
        if static_root is not None:
            import shutil

            shutil.rmtree(static_root, ignore_errors=True)
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    sys.exit(0 if report(people, elapsed, cpu) else 1)


if __name__ == "__main__":
    main()
