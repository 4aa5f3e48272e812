"""A real `callhook serve` and a small webhook receiver, for the API tests.

Standard library only: the tests run with Debian's /usr/bin/python3.
"""
import http.server
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import urllib.error
import urllib.request

CALLHOOK = os.environ.get("CALLHOOK_BINARY", "callhook")

# Calls spread over a few wall seconds: long enough to watch a run while it runs.
SLOW_SCENARIO = {
    "name": "slow",
    "seed": 3,
    "speed": 1,
    "streams": [{"vendor": "voiceflow", "calls": {"count": 6, "arrival": {"rate_per_s": 1}, "duration_s": 2}}],
}

# Finishes at once against the built-in sink.
QUICK_SCENARIO = {
    "name": "quick",
    "seed": 7,
    "speed": "max",
    "streams": [{"vendor": "voiceflow", "calls": {"count": 3}}],
    "expect": {"failed": 0},
}


class Server:
    """`callhook serve` on a free loopback port (or as `args` say)."""

    def __init__(self, *args, env=None):
        listen = [] if any(a.startswith("--listen") for a in args) else ["--listen", "127.0.0.1:0"]
        full_env = dict(os.environ)
        full_env.pop("CALLHOOK_TOKEN", None)
        full_env.update(env or {})
        self.process = subprocess.Popen([CALLHOOK, "serve", *listen, *args], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=full_env)
        line = self.process.stdout.readline()
        if "listening on " not in line:
            self.process.wait(timeout=10)
            raise RuntimeError("callhook serve did not start: " + line + self.process.stderr.read())
        self.url = line.split("listening on ")[1].split()[0]
        self.token = None

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=60)
        self.process.stdout.close()
        self.process.stderr.close()

    def request(self, method, path, body=None, token=None, raw=None, headers=None, timeout=90):
        """(status, headers, body bytes); errors are answers too."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        all_headers = {"Content-Type": "application/json"} if data is not None else {}
        token = token if token is not None else self.token
        if token:
            all_headers["Authorization"] = "Bearer " + token
        all_headers.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as answer:
                return answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def json(self, method, path, body=None, **kwargs):
        status, _, data = self.request(method, path, body, **kwargs)
        return status, (json.loads(data) if data else None)

    def start_run(self, scenario, **options):
        status, run = self.json("POST", "/runs", {"scenario": scenario, **options})
        if status != 201:
            raise AssertionError("POST /runs answered %d: %s" % (status, run))
        return run

    def wait(self, run_id, limit_s=60):
        """Long-polls until the run ends (or limit_s passes)."""
        waited = 0
        while True:
            status, run = self.json("GET", "/runs/%s?wait=10" % run_id)
            if status != 200 or run["state"] != "running" or waited >= limit_s:
                return run
            waited += 10


def unwritable_server(*args):
    """A server whose journal directory has become a plain file: it cannot write a run's journal."""
    tmp = tempfile.mkdtemp(prefix="callhook-test-")
    server = Server(*args, env={"TMPDIR": tmp})
    for name in os.listdir(tmp):
        shutil.rmtree(os.path.join(tmp, name))
        open(os.path.join(tmp, name), "w").close()
    server.tmp = tmp
    return server


class Receiver:
    """A webhook receiver that answers 200 (or `status`, with `answer`) and keeps what it got."""

    def __init__(self, status=200, answer=b'{"ok":true}', on_request=None):
        """on_request(entry), when given, runs before the answer goes."""
        received = self.received = []
        answer_status = status
        answer_body = answer

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                received.append({"method": "POST", "path": self.path, "headers": dict(self.headers),
                                 "body": self.rfile.read(length).decode("utf-8", "replace")})
                if on_request:
                    on_request(received[-1])
                body = answer_body
                self.send_response(answer_status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/webhooks" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def sse_events(data):
    """[(event, data)] of a Server-Sent Events body."""
    events = []
    for block in data.decode().split("\n\n"):
        name, payload = None, None
        for line in block.split("\n"):
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                payload = line[len("data: "):]
        if name:
            events.append((name, json.loads(payload)))
    return events
