"""A receiver's test suite that drives `callhook serve` over HTTP.

Standard library only (urllib); runs under pytest, or plain unittest:
    python3 -m pytest examples/pytest      or      python3 -m unittest discover examples/pytest
Environment: CALLHOOK_URL (default http://127.0.0.1:8700), CALLHOOK_TOKEN
(when the server has one), RECEIVER_URL (the webhook URL under test; when
unset, the suite starts a small receiver of its own on a loopback port, so a
`callhook serve` on this machine is all it needs).
"""
import http.server
import json
import os
import threading
import unittest
import urllib.request

CALLHOOK_URL = os.environ.get("CALLHOOK_URL", "http://127.0.0.1:8700")
TOKEN = os.environ.get("CALLHOOK_TOKEN", "")
RECEIVER_URL = os.environ.get("RECEIVER_URL", "")


class Receiver(http.server.BaseHTTPRequestHandler):
    """Accepts every webhook: 200 with an empty JSON object (also a valid
    VoiceKit callStartedHook answer: no overrides)."""

    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Receiver.received += 1
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        pass


def setUpModule():
    global RECEIVER_URL, _server
    if RECEIVER_URL:
        return
    _server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=_server.serve_forever, daemon=True).start()
    RECEIVER_URL = "http://127.0.0.1:%d/webhooks" % _server.server_address[1]


def tearDownModule():
    if globals().get("_server"):
        _server.shutdown()

SCENARIO = {
    "name": "voicekit-calls",
    "seed": 42,
    "speed": "max",
    "streams": [{"vendor": "voicekit", "calls": {"count": 5}}],
    "expect": {"failed": 0},
}


def api(method, path, body=None):
    headers = {"Content-Type": "application/json"}
    if TOKEN:
        headers["Authorization"] = "Bearer " + TOKEN
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(CALLHOOK_URL + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=90) as answer:
        return json.loads(answer.read())


class WebhookTest(unittest.TestCase):
    def test_every_webhook_of_five_calls_is_accepted(self):
        run = api("POST", "/runs", {"scenario": SCENARIO, "target": RECEIVER_URL})
        while run["state"] == "running":
            run = api("GET", run["urls"]["self"] + "?wait=30")
        self.assertEqual(run["state"], "finished")
        report = api("GET", run["urls"]["report"])
        self.assertGreater(report["totals"]["planned"], 0)
        self.assertEqual(report["totals"]["delivered"], report["totals"]["planned"])
        self.assertEqual(run["exit_code"], 0)

    def test_one_call_started_event(self):
        sent = api("POST", "/trigger", {"vendor": "voicekit", "event": "call_started", "target": RECEIVER_URL})
        self.assertIsNone(sent["error"])
        self.assertEqual(sent["response"]["status"], 200)


if __name__ == "__main__":
    unittest.main()
