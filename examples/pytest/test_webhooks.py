"""A receiver's test suite that drives `callhook serve` over HTTP.

Standard library only (urllib); runs under pytest, or plain unittest:
    python3 -m pytest examples/pytest      or      python3 -m unittest discover examples/pytest
Environment: CALLHOOK_URL (default http://127.0.0.1:8700), CALLHOOK_TOKEN
(when the server has one), RECEIVER_URL (the webhook URL under test).
"""
import json
import os
import unittest
import urllib.request

CALLHOOK_URL = os.environ.get("CALLHOOK_URL", "http://127.0.0.1:8700")
TOKEN = os.environ.get("CALLHOOK_TOKEN", "")
RECEIVER_URL = os.environ.get("RECEIVER_URL", "http://127.0.0.1:8080/webhooks")

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
