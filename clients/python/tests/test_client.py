"""The Python client against a real `callhook serve` (CALLHOOK_BIN names the binary)."""
import http.server
import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from callhook_client import Callhook, CallhookError, LocalServe  # noqa: E402

BINARY = os.environ.get("CALLHOOK_BIN", "callhook")
TWO_CALLS = {"name": "two-calls", "seed": 5, "speed": "max", "streams": [{"vendor": "voicekit", "calls": {"count": 2}}]}
SLOW = {"name": "slow", "speed": 1, "streams": [{"vendor": "voiceflow", "calls": {"count": 50, "duration_s": 30}}]}


class Receiver:
    """A loopback webhook receiver that keeps every body it gets and answers 200."""

    def __init__(self):
        bodies = self.bodies = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hooks" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.serve = LocalServe(BINARY).start()
        cls.api = cls.serve.client()
        cls.receiver = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.receiver.stop()
        cls.serve.stop()

    def test_a_run_waited_for_ends_with_its_report(self):
        run = self.api.run(TWO_CALLS, self.receiver.url)
        self.assertEqual(run["state"], "finished")
        self.assertEqual(run["exit_code"], 0)
        report = self.api.report(run["id"])
        self.assertGreater(report["totals"]["planned"], 0)
        self.assertEqual(report["totals"]["delivered"], report["totals"]["planned"])
        self.assertEqual(len(self.receiver.bodies) >= report["totals"]["delivered"], True)
        self.assertIn("<testsuite", self.api.report(run["id"], format="junit"))
        self.assertIn(run["id"], [kept["id"] for kept in self.api.runs()])

    def test_events_stream_every_attempt_then_the_end(self):
        run = self.api.run(TWO_CALLS)
        events = list(self.api.events(run["id"]))
        kinds = [kind for kind, _ in events]
        self.assertEqual(kinds[-1], "end")
        self.assertEqual(events[-1][1]["id"], run["id"])
        attempts = [data for kind, data in events if kind == "attempt"]
        self.assertEqual(len(attempts), run["counters"]["sent"])
        journal_attempts = [r for r in self.api.journal(run["id"]) if r.get("kind") == "attempt"]
        self.assertEqual(len(journal_attempts), len(attempts))

    def test_a_refused_scenario_raises_with_its_problems(self):
        with self.assertRaises(CallhookError) as refused:
            self.api.start({"streams": [{"vendor": "nope"}]})
        self.assertEqual(refused.exception.status, 400)
        self.assertEqual(refused.exception.problems[0]["pointer"], "/scenario/streams/0/vendor")

    def test_a_cancelled_run_ends_interrupted(self):
        started = self.api.run(SLOW, wait=False)
        self.assertEqual(started["state"], "running")
        with self.assertRaises(TimeoutError):
            self.api.wait(started["id"], timeout_s=0.2)
        self.api.cancel(started["id"])
        self.assertEqual(self.api.wait(started["id"], timeout_s=30)["state"], "interrupted")

    def test_trigger_sends_one_webhook_and_sample_builds_one(self):
        before = len(self.receiver.bodies)
        sent = self.api.trigger("voicekit", "call_started", self.receiver.url, seed=3)
        self.assertEqual(sent["verdict"], "delivered")
        self.assertEqual(len(self.receiver.bodies), before + 1)
        self.assertEqual(json.loads(self.receiver.bodies[-1]), json.loads(sent["request"]["body"]))
        sample = self.api.sample("voicekit", "call_started", seed=3)
        self.assertEqual(json.loads(sample["body"]), json.loads(sent["request"]["body"]))
        self.assertIn("voicekit", [vendor["name"] for vendor in self.api.vendors()])


    def test_labels_verify_and_deliveries(self):
        run = self.api.run(TWO_CALLS, self.receiver.url, label="suite-py", id_prefix="py")
        self.assertTrue(run["id"].startswith("py-"))
        self.assertEqual([r["id"] for r in self.api.runs(label="suite-py", state="finished")], [run["id"]])
        self.assertTrue(self.api.verify(run["id"], {"failed": 0})["met"])
        verdict = self.api.verify(run["id"], {"delivered": 1000})
        self.assertFalse(verdict["met"])
        self.assertEqual(verdict["expectations"][0]["name"], "delivered")
        sent = self.api.deliveries(run["id"], event="call_started")
        self.assertEqual(sent["count"], 2)
        self.assertEqual({d["attempts"][-1]["status"] for d in sent["deliveries"]}, {200})
        self.assertEqual(self.api.info()["limits"]["max_runs"], 8)

    def test_html_report_replay_and_merge(self):
        run = self.api.run(TWO_CALLS, self.receiver.url)
        page = self.api.report(run["id"], format="html")
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        before = len(self.receiver.bodies)
        replayed = self.api.replay(run["id"], speed="max")
        self.assertEqual((replayed["state"], replayed["scenario"]), ("finished", "replay of " + run["id"]))
        self.assertEqual(len(self.receiver.bodies) - before, run["counters"]["sent"])
        shards = [self.api.run(TWO_CALLS, self.receiver.url, shard="%d/2" % i)["id"] for i in (0, 1)]
        merged = self.api.merge(shards)
        self.assertEqual(merged["run"]["calls"], 2)
        self.assertEqual(merged["totals"]["delivered"], run["counters"]["delivered"])
        self.assertIn("calls 2", self.api.merge(shards, format="text"))
        with self.assertRaises(CallhookError) as refused:
            self.api.merge(shards[:1])
        self.assertEqual(refused.exception.status, 400)


class TokenTest(unittest.TestCase):
    def test_a_server_with_a_token_refuses_a_client_without_it(self):
        with LocalServe(BINARY, token="s3cret") as serve:
            self.assertTrue(serve.client().healthy())
            self.assertEqual(len(serve.client().runs()), 0)
            with self.assertRaises(CallhookError) as refused:
                Callhook(serve.url, token="wrong").runs()
            self.assertEqual(refused.exception.status, 401)

    def test_reset_forgets_every_run(self):
        with LocalServe(BINARY) as serve:
            api = serve.client()
            api.run(TWO_CALLS)
            self.assertEqual(api.reset()["runs_forgotten"], 1)
            self.assertEqual(api.runs(), [])


if __name__ == "__main__":
    unittest.main()
