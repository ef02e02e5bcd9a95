"""Load benchmark: `python bench/load.py` (after `qms demo-data`).

Starts the production server (gunicorn, DEBUG off, collected static files) on the demo database,
signs in 32 people through the log-in form, and has them ask at the same time for the two
heaviest pages people read: the board's integrated quality report (as `board`) and the measure
page with the most points (as `quality`, who can see it). Each person asks again as soon as the
answer arrives (a closed loop, no pause to read: the worst case for the server; --pause gives
them time to read). Prints the median (p50), the 95th percentile (p95) and the errors of each
page, and the server's CPU time per answer (what a busy shared machine does not distort).
Target (issue 7): p95 under 250 ms, no errors.

Only the loopback address is used; the run is bounded by --requests per person and --timeout.
`--url` measures a server that is already running instead of starting one.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "quality-demo-2026"
TARGET_P95_MS = 250.0


def demo_targets(data_dir: Path) -> tuple[int, int, int]:
    """The board's unit id, and the busiest measure (most stored points) with its point count,
    read from the demo database the server will use."""
    os.environ["QMS_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from qms.control.models import MeasureResult
    from qms.people.models import Unit

    board = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    if board is None:
        sys.exit("No organisation: run `qms demo-data` first.")
    busiest, points = max(
        MeasureResult.objects.values_list("measure_id", "points"),
        key=lambda row: len(row[1] or []),
        default=(None, []),
    )
    if busiest is None:
        sys.exit("No results: run `qms demo-data` first.")
    return board.pk, busiest, len(points)


def start_server(
    data_dir: Path, port: int, workers: int, threads: int, static_root: Path
) -> subprocess.Popen:
    """gunicorn as production runs it, on loopback, plain HTTP (no TLS on a bench)."""
    env = {
        **os.environ,
        "QMS_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "qms.config.settings",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }
    bin_dir = Path(sys.executable).parent
    qms = bin_dir / "qms"
    subprocess.run(
        [str(qms), "collectstatic", "--no-input", "--verbosity", "0"], env=env, check=True
    )
    command = [
        str(bin_dir / "gunicorn"),
        "qms.config.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--threads", str(threads),
        "--log-level", "warning",
        "--backlog", "256",
    ]  # fmt: skip
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            sys.exit(f"Port {port} is in use: stop that server or pass --port.")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10)
            return server
        except OSError:  # refused while booting, or a first answer slower than the timeout
            if server.poll() is not None:
                sys.exit("gunicorn stopped while starting")
            time.sleep(0.2)
    stop(server)
    sys.exit("gunicorn did not answer within 60 s")


def cpu_seconds(parent: int) -> float | None:
    """CPU time used so far by the server's workers (Linux /proc), so a run on a busy shared
    machine still says what each answer cost; None where /proc is missing."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, found = 0, False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:  # ppid; utime and stime follow at 11 and 12
            total += int(fields[11]) + int(fields[12])
            found = True
    return total / ticks if found else None


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


class Person:
    """One signed-in browser: its own cookies, one page it keeps reading."""

    def __init__(self, base: str, username: str, page: str, path: str):
        self.base, self.username, self.page, self.path = base, username, page, path
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.times: list[float] = []
        self.errors: list[str] = []

    def sign_in(self) -> None:
        form = self.opener.open(f"{self.base}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode(
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        request = urllib.request.Request(
            f"{self.base}/accounts/login/", data=body, headers={"Referer": f"{self.base}/"}
        )
        response = self.opener.open(request, timeout=30)
        if "/accounts/login/" in response.geturl():
            raise RuntimeError(f"{self.username} could not sign in")

    def read(
        self, requests: int, timeout: float, start: threading.Barrier, pause: float = 0.0
    ) -> None:
        start.wait()
        for k in range(requests):
            if pause and k:
                time.sleep(pause)  # reading the page before the next
            began = time.perf_counter()
            try:
                response = self.opener.open(f"{self.base}{self.path}", timeout=timeout)
                response.read()
                if response.status != 200 or "/accounts/login/" in response.geturl():
                    self.errors.append(f"{response.status} {response.geturl()}")
            except OSError as error:  # URLError, refused, reset, timed out
                self.errors.append(str(error))
                continue
            self.times.append((time.perf_counter() - began) * 1000)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--requests", type=int, default=40, help="per person (default 40)")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers (default 2: one a core)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per worker (default 1)")
    parser.add_argument(
        "--pause", type=float, default=0.0, help="seconds each person reads before asking again"
    )
    parser.add_argument("--port", type=int, default=8014)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("QMS_DATA_DIR", ROOT / "data")),
        help="the demo's QMS_DATA_DIR (default ./data)",
    )
    parser.add_argument("--url", help="an already running server (default: start gunicorn)")
    args = parser.parse_args()

    board_id, measure_id, points = demo_targets(args.data_dir.resolve())
    pages = {
        "report": ("board", f"/control/units/{board_id}/report/"),
        "measure": ("quality", f"/control/measures/{measure_id}/"),
    }
    server = static_root = None
    base = args.url.rstrip("/") if args.url else f"http://127.0.0.1:{args.port}"
    if not args.url:
        static_root = Path(tempfile.mkdtemp(prefix="qms-load-static-"))
        server = start_server(
            args.data_dir.resolve(), args.port, args.workers, args.threads, static_root
        )
    try:
        # Half read the report, half the measure page.
        names = [("report", "measure")[k % 2] for k in range(args.users)]
        people = [Person(base, pages[name][0], name, pages[name][1]) for name in names]
        for person in people:
            person.sign_in()
        print(
            f"{len(people)} people signed in; server: "
            + (args.url or f"gunicorn, {args.workers} workers x {args.threads} threads")
            + f", {os.cpu_count()} cores; {args.requests} requests each, "
            + (f"{args.pause:g} s between them" if args.pause else "no pause")
        )
        barrier = threading.Barrier(len(people))
        threads = [
            threading.Thread(target=p.read, args=(args.requests, args.timeout, barrier, args.pause))
            for p in people
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
            shutil.rmtree(static_root, ignore_errors=True)

    total = sum(len(p.times) for p in people)
    print(f"{total} answers in {elapsed:.1f} s ({total / elapsed:.0f} per second)", end="")
    if cpu_before is not None and cpu_after is not None and total:
        print(f"; server CPU {(cpu_after - cpu_before) * 1000 / total:.1f} ms per answer")
    else:
        print()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    if load is not None:
        print(f"load average {load:.1f} on {os.cpu_count()} cores (other work slows the server)")
    failed = False
    for name, (username, path) in pages.items():
        group = [p for p in people if p.page == name]
        times = [t for p in group for t in p.times]
        errors = [e for p in group for e in p.errors]
        label = f"{name} ({path}, as {username}" + (
            f", {points} points)" if name == "measure" else ")"
        )
        if not times:
            print(f"  {label}: no answers, {len(errors)} errors")
            failed = True
            continue
        p95 = percentile(times, 0.95)
        failed |= p95 > TARGET_P95_MS or bool(errors)
        print(
            f"  {label}\n    p50 {statistics.median(times):6.0f} ms   p95 {p95:6.0f} ms   "
            f"max {max(times):6.0f} ms   errors {len(errors)}   "
            f"(target p95 <= {TARGET_P95_MS:.0f} ms, 0 errors)"
        )
        for error in sorted(set(errors))[:5]:
            print(f"    error: {error}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
