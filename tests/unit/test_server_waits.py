"""The tests' wait for a server they started: a port picked free may be taken by another test's server before ours
binds it, and then answers in its place. Only our server's own log says the port is ours."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading

import pytest
from support import WERKZEUG_LISTENING, wait_for_server


class _Answers200(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def someone_elses_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answers200)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def ours():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield process
    process.kill()
    process.wait()


def test_an_answer_on_the_port_is_not_enough_until_our_log_says_we_hold_it(someone_elses_server, ours, tmp_path):
    log = tmp_path / "server.log"
    log.write_text("[INFO] Starting gunicorn 23.0.0\n")
    with pytest.raises(RuntimeError, match="did not start"):
        wait_for_server(someone_elses_server, ours, log, path="/", seconds=1)
    log.write_text(f"[INFO] Listening at: http://127.0.0.1:1,{someone_elses_server} (4242)\n")
    wait_for_server(someone_elses_server, ours, log, path="/", seconds=5)


def test_another_port_in_our_log_is_not_ours(someone_elses_server, ours, tmp_path):
    log = tmp_path / "server.log"
    log.write_text(f"[INFO] Listening at: {someone_elses_server}0 (4242)\n")  # a port one digit longer
    with pytest.raises(RuntimeError, match="did not start"):
        wait_for_server(someone_elses_server, ours, log, path="/", seconds=1)
    log.write_text(f" * Running on {someone_elses_server}\n")
    wait_for_server(someone_elses_server, ours, log, path="/", listening=WERKZEUG_LISTENING, seconds=5)


def test_a_server_that_stopped_is_reported_with_its_log(someone_elses_server, tmp_path):
    log = tmp_path / "server.log"
    log.write_text("[ERROR] Connection in use: ('127.0.0.1', 5000)\n")
    stopped = subprocess.Popen([sys.executable, "-c", "pass"])
    stopped.wait()
    with pytest.raises(RuntimeError, match=r"stopped: \[ERROR\] Connection in use"):
        wait_for_server(someone_elses_server, stopped, log, path="/", seconds=5)
