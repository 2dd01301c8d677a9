"""Measure the read path with wrk and print one JSON object.

One uvicorn worker on PostgreSQL serves a thread of 50 posts: the HTML page
(anonymous and signed in) and GET /api/v1/threads/{id} (anonymous and with a Bearer
token). In the same run a minimal Starlette app under the same uvicorn settings
serves a static page of the same size: the baseline every figure is divided by.

The database: CIRCLES_BENCH_DATABASE_URL (used as is), or a fresh database created
on the server CIRCLES_TEST_POSTGRES_URL names and dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from _database import bench_database  # noqa: E402

from forum.web import CSRF_COOKIE, SESSION_COOKIE  # noqa: E402
from tests.live import LiveServer, circles_server, free_port  # noqa: E402
from tests.live import running as running_server  # noqa: E402

WRK = os.environ.get("WRK", "/usr/bin/wrk")
POSTS = 50
# Same uvicorn settings for the app and the baseline: one worker, no access log.
UVICORN = [sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", "{port}"]
UVICORN += ["--workers", "1", "--log-level", "warning", "--no-access-log"]
TARGETS = {
    "thread_page_anonymous": 0.5,
    "thread_page_signed_in": 0.10,
    "api_thread_anonymous": 0.10,
    "api_thread_bearer": 0.10,
}
BODIES = [
    "I've been finding the evenings **really hard** since the funeral. The house is so quiet "
    "and I keep expecting to hear the door. Does it get easier, or do you just get used to it?",
    "It does change, slowly. For me the first year was the hardest: birthdays, the anniversary, "
    "even ordinary Tuesdays. Some things that helped:\n\n- a short walk at the same time every "
    "day\n- writing one line in a notebook each night\n- letting friends *actually* help",
    "Thank you for sharing this. You're not alone in expecting to hear the door; I still do that "
    "two years on. Be gentle with yourself. There's a [guide on grief](https://example.org/grief) "
    "that our circle found useful.",
]


@dataclass
class Seeded:
    thread_id: int
    session_token: str
    api_token: str


def _member(http: httpx.Client, username: str, display_name: str, password: str) -> str:
    """Registers through the API; returns a Bearer token."""
    account = {"username": username, "password": password, "display_name": display_name}
    http.post("/api/v1/auth/register", json=account).raise_for_status()
    answer = http.post("/api/v1/auth/token", json={"username": username, "password": password})
    token: str = answer.raise_for_status().json()["token"]
    return token


def _cookie(response: httpx.Response, name: str) -> str:
    # Read from the header: in production cookies are Secure, which a client keeps
    # to itself over plain http.
    for header in response.headers.get_list("set-cookie"):
        if (morsel := SimpleCookie(header).get(name)) is not None:
            return morsel.value
    raise AssertionError(f"{response.request.url.path} set no {name} cookie")


def _log_in(http: httpx.Client, username: str, password: str) -> str:
    """Logs in through the HTML form, as a browser does; returns the session cookie."""
    form = http.get("/login").raise_for_status()
    match = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert match, "no CSRF token on the login page"
    fields = {"csrf_token": match[1], "username": username, "password": password, "next": "/"}
    cookie = f"{CSRF_COOKIE}={_cookie(form, CSRF_COOKIE)}"
    answer = http.post("/login", data=fields, headers={"Cookie": cookie})
    assert answer.status_code == 303, f"logging in answered {answer.status_code}"
    return _cookie(answer, SESSION_COOKIE)


def seed(base_url: str) -> Seeded:
    """Two members, a public circle and a thread of POSTS posts, through the JSON API."""
    tag, password = uuid.uuid4().hex[:6], secrets.token_urlsafe(16)
    with httpx.Client(base_url=base_url, timeout=30) as http:
        owner = {"Authorization": f"Bearer {_member(http, f'owner-{tag}', 'Morgan', password)}"}
        member = {"Authorization": f"Bearer {_member(http, f'member-{tag}', 'Sam', password)}"}
        slug = f"bench-{tag}"
        circle = {"slug": slug, "name": "Grief and loss", "description": "", "visibility": "public"}
        created = http.post("/api/v1/circles", json=circle, headers=owner).raise_for_status()
        version = created.json()["rules"]["version"]
        joined = http.post(
            f"/api/v1/circles/{slug}/join", json={"accept_rules_version": version}, headers=member
        )
        joined.raise_for_status()
        thread = {"title": "Evenings since the funeral", "body": BODIES[0]}
        started = http.post(f"/api/v1/circles/{slug}/threads", json=thread, headers=member)
        thread_id: int = started.raise_for_status().json()["id"]
        for i in range(1, POSTS):
            author = owner if i % 2 else member
            reply = {"body": BODIES[i % len(BODIES)]}
            posted = http.post(f"/api/v1/threads/{thread_id}/posts", json=reply, headers=author)
            posted.raise_for_status()
        session = _log_in(http, f"owner-{tag}", password)
    return Seeded(thread_id, session, owner["Authorization"].removeprefix("Bearer "))


def fetch(url: str, headers: dict[str, str]) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
        assert response.status == 200, f"{url}: status {response.status}"
        body: bytes = response.read()
        return body


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return round(float(match[1]) * UNITS[match[2]], 3)


Figures = dict[str, float]


def parse_wrk(output: str) -> Figures:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"(\d+) requests in", output)
    if not (rps and p50 and p99 and total):
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests_per_s": round(float(rps[1]), 1),
        "p50_ms": _ms(p50[1]),
        "p99_ms": _ms(p99[1]),
        "requests": int(total[1]),
        "non_2xx": int(bad[1]) if bad else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def wrk(url: str, headers: dict[str, str], args: argparse.Namespace, seconds: int) -> str:
    command = [WRK, f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return result.stdout


def measure(url: str, headers: dict[str, str], args: argparse.Namespace) -> Figures:
    wrk(url, headers, args, args.warmup)
    return parse_wrk(wrk(url, headers, args, args.duration))


@contextmanager
def baseline_server(page: bytes) -> Iterator[LiveServer]:
    with tempfile.NamedTemporaryFile(suffix=".html") as file:
        file.write(page)
        file.flush()
        env = {**os.environ, "BASELINE_PAGE": file.name}
        port = free_port()
        argv = [arg.format(port=port) for arg in UVICORN]
        argv += ["--app-dir", str(ROOT / "bench"), "baseline_app:app"]
        with running_server(argv, env, port) as server:
            yield server


def targets(seeded: Seeded, app: str) -> dict[str, tuple[str, dict[str, str]]]:
    cookie = f"{SESSION_COOKIE}={seeded.session_token}; {CSRF_COOKIE}={secrets.token_urlsafe(16)}"
    page, api = f"{app}/threads/{seeded.thread_id}", f"{app}/api/v1/threads/{seeded.thread_id}"
    return {
        "thread_page_anonymous": (page, {}),
        "thread_page_signed_in": (page, {"Cookie": cookie}),
        "api_thread_anonymous": (api, {}),
        "api_thread_bearer": (api, {"Authorization": f"Bearer {seeded.api_token}"}),
    }


def check_answers(seeded: Seeded, urls: dict[str, tuple[str, dict[str, str]]]) -> bytes:
    """Each URL answers as intended (signed in really is signed in); the anonymous page."""
    anonymous = fetch(*urls["thread_page_anonymous"])
    assert len(re.findall(rb'id="post-\d+"', anonymous)) == POSTS, "the page lacks posts"
    assert b'href="/account"' not in anonymous
    signed_in = fetch(*urls["thread_page_signed_in"])
    assert b'href="/account"' in signed_in, "the session cookie did not sign in"
    api = json.loads(fetch(*urls["api_thread_bearer"]))
    assert len(api["posts"]) == POSTS
    return anonymous


def run(args: argparse.Namespace) -> dict[str, object]:
    """Seeds a thread, checks every URL answers as intended, then measures."""
    with ExitStack() as stack:
        url = stack.enter_context(bench_database("read_path"))
        command = [*UVICORN, "--factory", "forum.app:create_app"]
        # A read benchmark: the write rate limit would only slow the seeding down.
        app = stack.enter_context(
            circles_server(url, command, CIRCLES_ENV="production", CIRCLES_POST_RATE_BURST="1000")
        )
        seeded = seed(app.base_url)
        urls = targets(seeded, app.base_url)
        page = check_answers(seeded, urls)
        baseline = stack.enter_context(baseline_server(page)).base_url + "/"
        results, baselines = compare(baseline, urls, args)
    return report(results, baselines, len(page), args)


def compare(
    baseline: str, urls: dict[str, tuple[str, dict[str, str]]], args: argparse.Namespace
) -> tuple[dict[str, Figures], list[Figures]]:
    """Each URL right after a baseline run, so each ratio compares like with like.

    Other work on a shared machine moves both figures of a pair together; the ratio
    is what the targets are about.
    """
    results: dict[str, Figures] = {}
    baselines: list[Figures] = []
    for name, (target, headers) in urls.items():
        baselines.append(measure(baseline, {}, args))
        results[name] = measure(target, headers, args)
        ratio = results[name]["requests_per_s"] / baselines[-1]["requests_per_s"]
        results[name]["ratio_to_baseline"] = round(ratio, 3)
    return results, baselines


def report(
    results: dict[str, Figures], baselines: list[Figures], page_bytes: int, args: argparse.Namespace
) -> dict[str, object]:
    median = sorted(baselines, key=lambda figures: figures["requests_per_s"])[len(baselines) // 2]
    return {
        "benchmark": "read_path",
        "settings": {
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.duration}s",
            "server": "uvicorn, 1 worker, log level warning, no access log",
            "ratios": "each against the baseline run just before it",
            "database": "postgresql",
            "posts_in_thread": POSTS,
            "page_bytes": page_bytes,
        },
        "results": {"baseline_static_page": {**median, "ratio_to_baseline": 1.0}, **results},
        "baseline_runs_requests_per_s": [figures["requests_per_s"] for figures in baselines],
        "targets": TARGETS,
        "targets_met": {
            name: results[name]["ratio_to_baseline"] >= ratio
            and results[name]["non_2xx"] == 0
            and results[name]["socket_errors"] == 0
            for name, ratio in TARGETS.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3-second runs (-d3s)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    parser.add_argument("--threads", type=int, default=1, help="wrk -t (default 1)")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per URL")
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 3
    print(json.dumps(run(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
