"""A receiver's test suite that drives `callhook serve` with its Python
client (clients/python: `pip install clients/python`, or found here beside
the repository). Standard library only; runs under pytest, or plain unittest:
    python3 -m pytest examples/pytest      or      python3 -m unittest discover examples/pytest
Environment: CALLHOOK_URL (default http://127.0.0.1:8700), CALLHOOK_TOKEN
(when the server has one), RECEIVER_URL (the webhook URL under test; when
unset, the suite starts a small receiver of its own on a loopback port, so a
`callhook serve` on this machine is all it needs).
"""
import http.server
import os
import sys
import threading
import unittest

try:
    from callhook_client import Callhook
except ImportError:  # not installed: the client in this repository
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "clients", "python"))
    from callhook_client import Callhook

CALLHOOK_URL = os.environ.get("CALLHOOK_URL", "http://127.0.0.1:8700")
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


class WebhookTest(unittest.TestCase):
    api = Callhook(CALLHOOK_URL)  # the token comes from CALLHOOK_TOKEN

    def test_every_webhook_of_five_calls_is_accepted(self):
        run = self.api.run(SCENARIO, RECEIVER_URL)  # waits for the end
        self.assertEqual(run["state"], "finished")
        report = self.api.report(run["id"])
        self.assertGreater(report["totals"]["planned"], 0)
        self.assertEqual(report["totals"]["delivered"], report["totals"]["planned"])
        self.assertEqual(run["exit_code"], 0)

    def test_one_call_started_event(self):
        sent = self.api.trigger("voicekit", "call_started", RECEIVER_URL)
        self.assertIsNone(sent["error"])
        self.assertEqual(sent["response"]["status"], 200)


if __name__ == "__main__":
    unittest.main()
