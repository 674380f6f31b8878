"""Benchmark: a 200 MB lesson video through the app's media route, against the same file served by a bare
WSGI app (werkzeug's send_file and nothing else) under the same gunicorn settings.

Run with `python bench/video_serving.py [--megabytes 200]` (or `make bench-media`). Prints key=value lines:
throughput of whole downloads and of 1 MB Range requests (4 clients at once) for both, their ratios, and the
largest resident memory of a worker of each server during the run. Exits 1 when a Range answer is wrong or
an app worker grows by more than a tenth of the file (the file would be read whole into memory).
Uses a temporary folder only (SQLite database, content copy, instance folder).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
LESSON_VIDEO = "courses/security-basics/media/bench.mp4"
RANGE_BYTES = 1024 * 1024
RANGE_REQUESTS = 200
CLIENTS = 4
BASELINE_APP = '''
import os
from flask import Flask, send_file
app = Flask(__name__)
FILE = os.environ["BENCH_FILE"]

@app.get("/file")
def file():
    return send_file(FILE, mimetype="video/mp4", conditional=True)
'''


class BenchFailed(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="elearn-bench-media-"))
    try:
        return run(workdir, options.megabytes)
    except BenchFailed as failure:
        print(f"bench failed: {failure}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: Path, megabytes: int) -> int:
    content = workdir / "content"
    shutil.copytree(ROOT / "courses", content / "courses")
    shutil.copytree(ROOT / "quizzes", content / "quizzes")
    video = content / LESSON_VIDEO
    with video.open("wb") as out:  # the bytes do not matter to serving; no lesson plays this file
        for _ in range(megabytes):
            out.write(os.urandom(1024 * 1024))
    size = video.stat().st_size
    env = {**os.environ, "ELEARN_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
           "ELEARN_INSTANCE_PATH": str(workdir / "instance"), "ELEARN_SECRET_KEY": "bench-media",
           "ELEARN_CONTENT_ROOT": str(content), "BENCH_FILE": str(video), "PYTHONPATH": str(ROOT)}
    elearn = [sys.executable, "-m", "elearn"]
    for step in (["db", "upgrade"], ["content", "sync"], ["demo"]):
        subprocess.run([*elearn, *step], env=env, check=True, capture_output=True)
    (workdir / "baseline_app.py").write_text(BASELINE_APP)
    app_port, baseline_port = free_port(), free_port()
    servers = [
        subprocess.Popen([*elearn, "serve", "--port", str(app_port), "--workers", "2"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4", "--bind",
                          f"127.0.0.1:{baseline_port}", "baseline_app:app"], env=env, cwd=workdir,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        wait_until_up(app_port, "/sign-in")
        wait_until_up(baseline_port, "/file")
        cookie = sign_in(app_port)
        app_path = f"/learn/assets/security-basics/media/bench.mp4?v={version_of(video)}"
        print(f"file_megabytes={size / 1e6:.0f}")
        figures = {}
        for name, port, path, headers, server in (
                ("baseline", baseline_port, "/file", {}, servers[1]),
                ("app", app_port, app_path, {"Cookie": cookie}, servers[0])):
            memory = MemoryWatch(server.pid)
            memory.start()
            whole = max(download(port, path, headers, size) for _ in range(3))  # the best of three
            ranges = ranged(port, path, headers, size)
            memory.stop()
            figures[name] = (whole, ranges, memory)
            print(f"{name}_whole_mb_per_s={whole:.1f}")
            print(f"{name}_range_mb_per_s={ranges:.1f}")
            print(f"{name}_worker_rss_mb_start={memory.start_mb:.1f}")
            print(f"{name}_worker_rss_mb_peak={memory.peak_mb:.1f}")
        print(f"ratio_whole={figures['app'][0] / figures['baseline'][0]:.2f}")
        print(f"ratio_range={figures['app'][1] / figures['baseline'][1]:.2f}")
        growth = figures["app"][2].peak_mb - figures["app"][2].start_mb
        print(f"app_worker_growth_mb={growth:.1f}")
        if growth > size / 1e6 / 10:
            raise BenchFailed(f"an app worker grew by {growth:.0f} MB serving a {size / 1e6:.0f} MB file")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
    return 0


def version_of(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_mtime_ns:x}{stat.st_size:x}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("HEAD", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise BenchFailed(f"the server on port {port} did not start")


def sign_in(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    connection.request("GET", "/sign-in")
    answer = connection.getresponse()
    page = answer.read().decode()
    session = answer.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    form = urlencode({"csrf_token": token, "body": "P000", "sign_in_name": "100001", "password": "demo-learner-2025"})
    connection.request("POST", "/sign-in", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": session})
    answer = connection.getresponse()
    answer.read()
    if answer.status != 302:
        raise BenchFailed(f"signing in answered {answer.status}")
    return answer.getheader("Set-Cookie").split(";")[0]


def download(port: int, path: str, headers: dict, size: int) -> float:
    connection = http.client.HTTPConnection("127.0.0.1", port)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    answer = connection.getresponse()
    received = 0
    while chunk := answer.read(1 << 20):
        received += len(chunk)
    elapsed = time.perf_counter() - started
    if answer.status != 200 or received != size:
        raise BenchFailed(f"a whole download answered {answer.status} with {received} of {size} bytes")
    return size / 1e6 / elapsed


def ranged(port: int, path: str, headers: dict, size: int) -> float:
    offsets = [random.Random(n).randrange(0, size - RANGE_BYTES) for n in range(RANGE_REQUESTS)]
    errors: list[str] = []

    def client(share: list[int]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port)
        for offset in share:
            connection.request("GET", path, headers={**headers, "Range": f"bytes={offset}-{offset + RANGE_BYTES - 1}"})
            answer = connection.getresponse()
            body = answer.read()
            expected = f"bytes {offset}-{offset + RANGE_BYTES - 1}/{size}"
            if answer.status != 206 or len(body) != RANGE_BYTES or answer.getheader("Content-Range") != expected:
                errors.append(f"{answer.status} {answer.getheader('Content-Range')}")

    threads = [threading.Thread(target=client, args=(offsets[n::CLIENTS],)) for n in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise BenchFailed(f"Range answers were wrong: {errors[:3]}")
    return RANGE_REQUESTS * RANGE_BYTES / 1e6 / elapsed


class MemoryWatch(threading.Thread):
    """The largest resident set of the server's worker processes, sampled every 20 ms."""

    def __init__(self, master_pid: int) -> None:
        super().__init__(daemon=True)
        self.workers = children(master_pid)
        self.start_mb = max(rss_mb(pid) for pid in self.workers)
        self.peak_mb = self.start_mb
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak_mb = max(self.peak_mb, *(rss_mb(pid) for pid in self.workers))
            time.sleep(0.02)

    def stop(self) -> None:
        self.running = False
        self.join()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found or [pid]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
