"""What a test suite asks of `callhook serve` besides starting runs: its own
runs among parallel workers (labels, id prefixes, filters and pages), a run
waited for in one request, checks after the run (verify, deliveries), the
server's capacity (/info, 429 with Retry-After), its contract
(/openapi.yaml), its metrics (parsed by the Prometheus client library's own
parser) and a reset.

usage: /usr/bin/python3 test_serve_companion.py CALLHOOK_BINARY
"""
import json
import os
import sys
import unittest

import yaml
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_fixture  # noqa: E402
from serve_fixture import QUICK_SCENARIO, SLOW_SCENARIO, Receiver, Server  # noqa: E402

DOCUMENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "openapi.yaml")


class CompanionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        cls.receiver = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.receiver.stop()

    def test_labels_prefixes_filters_and_pages(self):
        mine = [self.server.start_run(QUICK_SCENARIO, label="worker-7", id_prefix="w7")["id"] for _ in range(3)]
        other = self.server.start_run(QUICK_SCENARIO, label="worker-8")["id"]
        for run_id in mine + [other]:
            self.server.wait(run_id)
        self.assertEqual([m.split("-")[0] for m in mine], ["w7"] * 3)
        status, listed = self.server.json("GET", "/runs?label=worker-7")
        self.assertEqual(status, 200)
        self.assertEqual([r["id"] for r in listed], mine)
        self.assertEqual({r["label"] for r in listed}, {"worker-7"})
        # Pages of two, followed through the Link header.
        status, headers, body = self.server.request("GET", "/runs?label=worker-7&limit=2")
        self.assertEqual([r["id"] for r in json.loads(body)], mine[:2])
        link = headers["Link"]
        self.assertRegex(link, r'^<(/runs\?[^>]+)>; rel="next"$')
        status, headers, body = self.server.request("GET", link[1:link.index(">")])
        self.assertEqual([r["id"] for r in json.loads(body)], mine[2:])
        self.assertIsNone(headers["Link"])
        status, finished = self.server.json("GET", "/runs?state=finished&label=worker-8")
        self.assertEqual([r["id"] for r in finished], [other])
        for bad in ("/runs?state=done", "/runs?limit=0", "/runs?limit=x", "/runs?after=nope-1"):
            self.assertEqual(self.server.request("GET", bad)[0], 400, bad)
        for body in ({"id_prefix": "../etc"}, {"id_prefix": "-x"}, {"label": ""}, {"label": "x" * 65}):
            status, answer = self.server.json("POST", "/runs", {"scenario": QUICK_SCENARIO, **body})
            self.assertEqual(status, 400, body)
            self.assertEqual(answer["problems"][0]["pointer"], "/" + next(iter(body)))

    def test_post_with_wait_answers_with_the_finished_run(self):
        status, run = self.server.json("POST", "/runs?wait=30", {"scenario": QUICK_SCENARIO})
        self.assertEqual(status, 201)
        self.assertEqual(run["state"], "finished")
        self.assertEqual(run["exit_code"], 0)
        # A short wait on a slow run gives it back still running.
        status, run = self.server.json("POST", "/runs?wait=0.2", {"scenario": SLOW_SCENARIO})
        self.assertEqual((status, run["state"]), (201, "running"))
        self.server.request("DELETE", "/runs/" + run["id"])
        self.assertEqual(self.server.request("POST", "/runs?wait=-1", {"scenario": QUICK_SCENARIO})[0], 400)

    def test_verify_judges_the_finished_run_by_the_expect_rules(self):
        failing = Receiver(status=500)
        try:
            scenario = {"name": "failing", "speed": "max", "expect": {"failed": 100},
                        "streams": [{"vendor": "voicekit", "target": failing.url, "calls": {"count": 2},
                                     "delivery": {"retry": {"max_attempts": 1}}}]}
            run = self.server.start_run(scenario)
            self.server.wait(run["id"])
        finally:
            failing.stop()
        status, verdict = self.server.json("POST", "/runs/%s/verify" % run["id"], {"expect": {"failed": 0}})
        self.assertEqual(status, 200)
        self.assertFalse(verdict["met"])
        failed = [e for e in verdict["expectations"] if e["name"] == "failed"][0]
        self.assertGreater(failed["actual"], 0)
        status, verdict = self.server.json("POST", "/runs/%s/verify" % run["id"],
                                           {"expect": {"failed": 1000, "delivered": 0}})
        self.assertTrue(verdict["met"], verdict)
        status, problems = self.server.json("POST", "/runs/%s/verify" % run["id"], {"expect": {"faild": 0}})
        self.assertEqual(status, 400)
        self.assertEqual(problems["problems"][0]["pointer"], "/expect/faild")
        self.assertIn("did you mean", problems["problems"][0]["message"])
        slow = self.server.start_run(SLOW_SCENARIO)
        self.assertEqual(self.server.request("POST", "/runs/%s/verify" % slow["id"], {"expect": {}})[0], 409)
        self.server.request("DELETE", "/runs/" + slow["id"])

    def test_deliveries_list_what_was_sent_and_the_answers(self):
        run = self.server.start_run(QUICK_SCENARIO, target=self.receiver.url)
        self.server.wait(run["id"])
        status, listed = self.server.json("GET", "/runs/%s/deliveries" % run["id"])
        self.assertEqual(status, 200)
        report = self.server.json("GET", "/runs/%s/report" % run["id"])[1]
        self.assertEqual(listed["count"], report["totals"]["planned"])
        self.assertEqual(len(listed["deliveries"]), listed["count"])
        self.assertEqual({d["outcome"] for d in listed["deliveries"]}, {"delivered"})
        self.assertEqual({a["status"] for d in listed["deliveries"] for a in d["attempts"]}, {200})
        first = listed["deliveries"][0]
        status, one_call = self.server.json("GET", "/runs/%s/deliveries?call=%s" % (run["id"], first["call"]))
        self.assertEqual({d["call"] for d in one_call["deliveries"]}, {first["call"]})
        self.assertLess(one_call["count"], listed["count"])
        status, by_event = self.server.json("GET", "/runs/%s/deliveries?event=%s&limit=1" % (run["id"], first["event"]))
        self.assertEqual(len(by_event["deliveries"]), 1)
        self.assertEqual(by_event["count"], sum(1 for d in listed["deliveries"] if d["event"] == first["event"]))
        self.assertEqual(self.server.json("GET", "/runs/%s/deliveries?outcome=failed" % run["id"])[1]["count"], 0)
        self.assertEqual(self.server.request("GET", "/runs/%s/deliveries?limit=0" % run["id"])[0], 400)

    def test_info_and_the_served_openapi_document(self):
        status, info = self.server.json("GET", "/info")
        self.assertEqual(status, 200)
        self.assertEqual(info["limits"]["max_runs"], 8)
        self.assertIn("exotel", info["vendors"])
        self.assertLessEqual(info["runs"]["free_slots"], 8)
        status, headers, body = self.server.request("GET", "/openapi.yaml")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("application/yaml"))
        with open(DOCUMENT, "rb") as f:
            self.assertEqual(body, f.read())
        self.assertIn("/runs/{id}/verify", yaml.safe_load(body)["paths"])

    def test_metrics_parse_as_prometheus_text(self):
        run = self.server.start_run(QUICK_SCENARIO)
        self.server.wait(run["id"])
        status, headers, body = self.server.request("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        families = {f.name: f for f in text_string_to_metric_families(body.decode())}
        runs = {s.labels["state"]: s.value for s in families["callhook_runs"].samples}
        status, listed = self.server.json("GET", "/runs")
        self.assertEqual(sum(runs.values()), len(listed))
        self.assertGreaterEqual(runs["finished"], 1)
        delivered = [s.value for s in families["callhook_run_deliveries"].samples if s.labels["outcome"] == "delivered"]
        self.assertEqual(delivered, [sum(r["counters"]["delivered"] for r in listed)])
        self.assertIn("callhook_connections", families)


class MetricsByVendorTest(unittest.TestCase):
    def test_deliveries_by_vendor_and_the_latency_histogram_are_the_runs_own(self):
        server = Server()
        ok, failing = Receiver(), Receiver(status=500)
        try:
            voiceflow = {"name": "vf", "seed": 4, "speed": "max",
                         "streams": [{"vendor": "voiceflow", "target": ok.url, "calls": {"count": 2}}]}
            voicekit = {"name": "vk", "seed": 5, "speed": "max",
                        "streams": [{"vendor": "voicekit", "target": failing.url, "calls": {"count": 1},
                                     "delivery": {"retry": {"max_attempts": 2, "backoff_ms": [10]}}}]}
            reports = {}
            for vendor, scenario in (("voiceflow", voiceflow), ("voicekit", voicekit)):
                run = server.start_run(scenario)
                server.wait(run["id"])
                reports[vendor] = server.json("GET", "/runs/%s/report" % run["id"])[1]["totals"]
            status, _, body = server.request("GET", "/metrics")
            self.assertEqual(status, 200)
            families = {f.name: f for f in text_string_to_metric_families(body.decode())}
            deliveries = {(s.labels["vendor"], s.labels["outcome"]): s.value
                          for s in families["callhook_deliveries"].samples}
            for vendor, totals in reports.items():
                for outcome in ("delivered", "failed", "dropped", "cancelled", "rejected_as_expected"):
                    self.assertEqual(deliveries[(vendor, outcome)], totals[outcome], (vendor, outcome))
            self.assertEqual(deliveries[("voiceflow", "delivered")], len(ok.received))
            self.assertGreater(deliveries[("voicekit", "failed")], 0)
            attempts = {s.labels["vendor"]: s.value for s in families["callhook_attempts"].samples}
            self.assertEqual(attempts, {v: t["sent"] for v, t in reports.items()})
            self.assertEqual(sum(attempts.values()), len(ok.received) + len(failing.received))
            histogram = families["callhook_attempt_latency_seconds"].samples
            buckets = [s for s in histogram if s.name.endswith("_bucket")]
            count = next(s.value for s in histogram if s.name.endswith("_count"))
            total = next(s.value for s in histogram if s.name.endswith("_sum"))
            self.assertEqual(count, sum(attempts.values()))
            self.assertEqual(buckets[-1].labels["le"], "+Inf")
            self.assertEqual(buckets[-1].value, count)
            self.assertEqual([b.value for b in buckets], sorted(b.value for b in buckets))  # cumulative
            self.assertGreater(total, 0)
            # Forgotten runs leave the sums.
            server.json("POST", "/reset", {})
            families = {f.name: f for f in text_string_to_metric_families(server.request("GET", "/metrics")[2].decode())}
            self.assertEqual(families["callhook_deliveries"].samples, [])
            self.assertEqual(next(s.value for s in families["callhook_attempt_latency_seconds"].samples
                                  if s.name.endswith("_count")), 0)
        finally:
            ok.stop()
            failing.stop()
            server.stop()


class CapacityTest(unittest.TestCase):
    def test_429_says_when_to_retry_and_reset_forgets_everything(self):
        server = Server("--max-runs", "1")
        try:
            slow = server.start_run(SLOW_SCENARIO)
            status, headers, _ = server.request("POST", "/runs", {"scenario": QUICK_SCENARIO})
            self.assertEqual(status, 429)
            self.assertEqual(headers["Retry-After"], "1")
            self.assertEqual(server.json("GET", "/info")[1]["runs"]["free_slots"], 0)
            status, reset = server.json("POST", "/reset", {})
            self.assertEqual(status, 200)
            self.assertEqual(reset["runs_forgotten"], 1)
            self.assertEqual(server.json("GET", "/runs")[1], [])
            self.assertEqual(server.request("GET", "/runs/" + slow["id"])[0], 404)
            self.assertEqual(server.start_run(QUICK_SCENARIO)["state"] in ("running", "finished"), True)
        finally:
            server.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        serve_fixture.CALLHOOK = sys.argv.pop(1)
    unittest.main(verbosity=2)
