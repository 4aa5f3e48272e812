"""`callhook serve` does over HTTP what `callhook run` does with flags: every
flag of `callhook run --help` has its place in docs/openapi.yaml (a
RunRequest property's x-cli-flag, or x-cli-flags-by-route), and the new
fields change what the run does, as the flags do.

usage: /usr/bin/python3 test_serve_parity.py CALLHOOK_BINARY   (needs python3-yaml)
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_fixture  # noqa: E402
from serve_fixture import QUICK_SCENARIO, Receiver, Server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DOCUMENT = os.path.join(HERE, "..", "..", "docs", "openapi.yaml")
SCENARIOS = os.path.join(HERE, "..", "..", "scenarios")


def run_flags():
    """Every --flag `callhook run --help` names."""
    done = subprocess.run([serve_fixture.CALLHOOK, "run", "--help"], capture_output=True, text=True, check=True)
    return sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", done.stdout + done.stderr)))


def documented_flags(document):
    """{flag: where the API has it}, from the request schema and x-cli-flags-by-route."""
    where = {}
    for name, prop in document["components"]["schemas"]["RunRequest"]["properties"].items():
        flags = prop.get("x-cli-flag", [])
        for flag in [flags] if isinstance(flags, str) else flags:
            where[flag] = "/" + name
    for flag, answer in document.get("x-cli-flags-by-route", {}).items():
        where.setdefault(flag, answer["route"])
    return where


class FlagMappingTest(unittest.TestCase):
    def test_every_run_flag_has_its_field_or_route(self):
        with open(DOCUMENT) as f:
            document = yaml.safe_load(f)
        flags = run_flags()
        self.assertIn("--count", flags)  # the help was read
        self.assertGreater(len(flags), 20)
        where = documented_flags(document)
        self.assertEqual([flag for flag in flags if flag not in where], [],
                         "run flags without a POST /runs field (x-cli-flag) or a route (x-cli-flags-by-route)")
        # The mapping names real things: fields of the schema, routes of the document.
        paths = document["paths"]
        for flag, place in where.items():
            if place.startswith("/"):
                continue
            method, route = place.split(" ", 1)
            self.assertIn(method.lower(), paths[route.split("?")[0]], flag)

    def test_docs_api_md_has_the_table(self):
        with open(os.path.join(HERE, "..", "..", "docs", "api.md"), encoding="utf-8") as f:
            text = f.read()
        for flag in run_flags():
            self.assertTrue("`%s" % flag in text, "docs/api.md's flag table lacks " + flag)


class ServerTest(unittest.TestCase):
    """One server (with the shipped scenarios) and one receiver for the class's tests."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--scenarios", SCENARIOS)
        cls.receiver = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.receiver.stop()
        cls.server.stop()


class RunFieldsTest(ServerTest):

    def run_to_end(self, body):
        status, run = self.server.json("POST", "/runs?wait=30", body)
        self.assertEqual(status, 201, run)
        run = self.server.wait(run["id"])
        self.assertEqual(run["state"], "finished", run)
        _, report = self.server.json("GET", "/runs/%s/report" % run["id"])
        return run, report

    def refused(self, body, pointer, status=400):
        code, answer = self.server.json("POST", "/runs", body)
        self.assertEqual(code, status, answer)
        self.assertEqual([p["pointer"] for p in answer["problems"]], [pointer], answer)
        return answer["problems"][0]["message"]

    def cli_error(self, *flags, scenario=QUICK_SCENARIO):
        """What `callhook run` says to the same flags (CALLHOOK_DRY_RUN: nothing sent): exit 2."""
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(scenario, f)
        try:
            done = subprocess.run([serve_fixture.CALLHOOK, "run", f.name, *flags], capture_output=True, text=True,
                                  env=dict(os.environ, CALLHOOK_DRY_RUN="1"))
        finally:
            os.unlink(f.name)
        self.assertEqual(done.returncode, 2, done.stderr)
        return done.stderr

    def test_count_reshapes_the_calls(self):
        _, report = self.run_to_end({"scenario": QUICK_SCENARIO, "count": 5})
        self.assertEqual(report["run"]["calls"], 5)
        _, report = self.run_to_end({"scenario": "voiceflow-basic", "count": 2, "speed": "max"})
        self.assertEqual(report["run"]["calls"], 2)

    def test_shard_plays_its_slice(self):
        runs = [self.run_to_end({"scenario": QUICK_SCENARIO, "count": 5, "shard": "%d/2" % i})[1] for i in (0, 1)]
        self.assertEqual([r["run"]["calls"] for r in runs], [3, 2])
        # The shards together are the whole run, delivery for delivery.
        _, whole = self.run_to_end({"scenario": QUICK_SCENARIO, "count": 5})
        self.assertEqual(sum(r["totals"]["delivered"] for r in runs), whole["totals"]["delivered"])

    def test_rate_and_duration_shape_the_calls_as_the_flags_do(self):
        scenario = dict(QUICK_SCENARIO, speed=1,
                        streams=[{"vendor": "voiceflow", "calls": {"count": 3, "duration_s": 0.2}}])
        started = time.monotonic()
        _, report = self.run_to_end({"scenario": scenario, "rate": 10, "duration": 0.5})
        # 10 calls a second for half a second: about 5 calls, started over that half second.
        self.assertTrue(3 <= report["run"]["calls"] <= 7, report["run"])
        self.assertGreater(time.monotonic() - started, 0.3)

    def test_start_at_waits(self):
        started = time.monotonic()
        run, report = self.run_to_end({"scenario": QUICK_SCENARIO, "start_at": "+1.5"})
        self.assertGreaterEqual(time.monotonic() - started, 1.4)
        self.assertEqual(report["run"]["calls"], 3)
        # A cancel ends the wait at once.
        status, waiting = self.server.json("POST", "/runs", {"scenario": QUICK_SCENARIO, "start_at": "+60"})
        self.assertEqual(status, 201)
        self.server.json("DELETE", "/runs/" + waiting["id"])
        ended = self.server.wait(waiting["id"], limit_s=10)
        self.assertEqual(ended["state"], "interrupted")

    def test_recordings_url_goes_into_the_payloads(self):
        scenario = {"name": "rec", "seed": 2, "speed": "max",
                    "streams": [{"vendor": "fonedynamics", "target": self.receiver.url, "calls": {"count": 2}}]}
        before = len(self.receiver.received)
        self.run_to_end({"scenario": scenario, "recordings_url": "http://recordings.example/r/"})
        bodies = " ".join(urllib.parse.unquote(r["body"]) for r in self.receiver.received[before:])
        self.assertIn("http://recordings.example/r/", bodies)
        # And recordings_listen puts the run's recording server there.
        before = len(self.receiver.received)
        self.run_to_end({"scenario": scenario, "recordings_listen": "127.0.0.1:0"})
        bodies = " ".join(urllib.parse.unquote(r["body"]) for r in self.receiver.received[before:])
        self.assertRegex(bodies, r"http://127\.0\.0\.1:\d+/")

    def test_bad_values_are_400_at_their_pointer_with_the_flags_message(self):
        message = self.refused({"scenario": QUICK_SCENARIO, "shard": "2/2"}, "/shard")
        self.assertIn(message, self.cli_error("--shard", "2/2"))
        message = self.refused({"scenario": QUICK_SCENARIO, "shard": "half"}, "/shard")
        self.assertIn(message, self.cli_error("--shard", "half"))
        message = self.refused({"scenario": QUICK_SCENARIO, "start_at": "tomorrow"}, "/start_at")
        self.assertIn(message, self.cli_error("--start-at", "tomorrow"))
        self.refused({"scenario": QUICK_SCENARIO, "count": 0}, "/count")
        self.refused({"scenario": QUICK_SCENARIO, "rate": -1}, "/rate")
        self.refused({"scenario": QUICK_SCENARIO, "duration": "long"}, "/duration")
        self.refused({"scenario": QUICK_SCENARIO, "recordings_url": "ftp://x"}, "/recordings_url")
        self.refused({"scenario": QUICK_SCENARIO, "recordings_listen": "127.0.0.1:99999"}, "/recordings_listen")
        self.refused({"scenario": QUICK_SCENARIO, "recordings_listen": "192.0.2.1:0"}, "/recordings_listen")
        self.refused({"scenario": QUICK_SCENARIO, "start_at": "+86000"}, "/start_at")
        # Over the server's limits because of the field: the field's pointer.
        self.refused({"scenario": QUICK_SCENARIO, "count": 10 ** 12}, "/count")
        self.refused({"scenario": QUICK_SCENARIO, "rate": 1000, "duration": 10 ** 8}, "/duration")
        # A rate that never ends, and a shape for several streams: the CLI's messages.
        two = dict(QUICK_SCENARIO, streams=QUICK_SCENARIO["streams"] * 2)
        message = self.refused({"scenario": two, "count": 2}, "/count")
        self.assertIn(message.replace("; scenario has", "; FILE has"),
                      re.sub(r"; \S+ has", "; FILE has", self.cli_error("--count", "2", scenario=two)))
        # A ramp ends on its own; a constant rate in its place would not.
        ramp = {"vendor": "voiceflow", "calls": {"arrival": {"stages": [{"duration_s": 5, "target_rate": 2}]}}}
        endless = dict(QUICK_SCENARIO, streams=[ramp])
        message = self.refused({"scenario": endless, "rate": 3}, "/rate")
        self.assertIn(message, self.cli_error("--rate", "3", scenario=endless))

    def test_a_scenario_by_name(self):
        status, listed = self.server.json("GET", "/scenarios")
        self.assertEqual(status, 200)
        names = [s["name"] for s in listed]
        shipped = sorted(f[:-5] for f in os.listdir(SCENARIOS) if f.endswith(".json"))
        self.assertEqual(names, shipped)
        self.assertTrue(all(s["description"] for s in listed), listed)
        run, report = self.run_to_end({"scenario": "voicebot-basic", "count": 1, "speed": "max"})
        self.assertEqual(run["scenario"], "voicebot-basic")
        self.assertEqual(report["run"]["calls"], 1)
        message = self.refused({"scenario": "voicebot-basc"}, "/scenario")
        self.assertIn("did you mean voicebot-basic", message)
        for bad in ["../scenarios/demo", "Demo", "demo.json", "/etc/passwd", ""]:
            code, answer = self.server.json("POST", "/runs", {"scenario": bad})
            self.assertEqual(code, 400, bad)
            self.assertEqual(answer["problems"][0]["pointer"][:9], "/scenario", answer)

    def test_no_library_without_one(self):
        empty = tempfile.mkdtemp()
        server = Server("--scenarios", empty)
        try:
            self.assertEqual(server.json("GET", "/scenarios"), (200, []))
            code, answer = server.json("POST", "/runs", {"scenario": "demo"})
            self.assertEqual((code, answer["problems"][0]["pointer"]), (400, "/scenario"))
        finally:
            server.stop()
            os.rmdir(empty)

    def test_the_html_report_is_the_one_run_html_writes(self):
        run, report = self.run_to_end({"scenario": QUICK_SCENARIO})
        status, headers, page = self.server.request("GET", "/runs/%s/report?format=html" % run["id"])
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        page = page.decode()
        self.assertTrue(page.startswith("<!DOCTYPE html>"))
        self.assertNotIn("<script src=", page)  # self-contained
        # The same page `callhook report JOURNAL --html` makes of the run's journal, but for what
        # the server's own report says of itself (no files named).
        _, _, journal = self.server.request("GET", "/runs/%s/journal" % run["id"])
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "run.jsonl")
            with open(path, "wb") as f:
                f.write(journal)
            subprocess.run([serve_fixture.CALLHOOK, "report", path, "--html", os.path.join(folder, "r.html"), "-q"],
                           check=True)
            with open(os.path.join(folder, "r.html")) as f:
                local = f.read()
        self.assertEqual(len(re.findall(r'"call"|"c":', page)), len(re.findall(r'"call"|"c":', local)))
        self.assertIn('"quick"', page)
        self.assertEqual(page.split("<script")[0][:200], local.split("<script")[0][:200])


class ReportMergeReplayTest(ServerTest):
    """callhook report, merge and replay over the API."""

    def ended(self, body):
        status, run = self.server.json("POST", "/runs?wait=30", body)
        self.assertEqual(status, 201, run)
        return self.server.wait(run["id"])

    def test_every_format_of_callhook_report(self):
        run = self.ended({"scenario": QUICK_SCENARIO})
        types = {}
        for fmt in ("json", "text", "junit", "html"):
            status, headers, body = self.server.request("GET", "/runs/%s/report?format=%s" % (run["id"], fmt))
            self.assertEqual(status, 200, fmt)
            types[fmt] = headers["Content-Type"].split(";")[0]
        self.assertEqual(types, {"json": "application/json", "text": "text/plain", "junit": "application/xml",
                                 "html": "text/html"})

    def test_merge_joins_shards_as_callhook_merge_does(self):
        scenario = dict(QUICK_SCENARIO, streams=[{"vendor": "voicekit", "calls": {"count": 5}}])
        shards = [self.ended({"scenario": scenario, "shard": "%d/3" % i})["id"] for i in range(3)]
        whole = self.server.json("GET", "/runs/%s/report" % self.ended({"scenario": scenario})["id"])[1]
        status, merged = self.server.json("POST", "/reports/merge", {"runs": shards})
        self.assertEqual(status, 200, merged)
        self.assertEqual(merged["run"]["calls"], 5)
        self.assertEqual(merged["totals"]["delivered"], whole["totals"]["delivered"])
        self.assertEqual(merged["exit_code"], 0)
        # The same as `callhook merge` gives for the shards' report files.
        with tempfile.TemporaryDirectory() as folder:
            paths = []
            for shard in shards:
                paths.append(os.path.join(folder, shard + ".json"))
                with open(paths[-1], "wb") as f:
                    f.write(self.server.request("GET", "/runs/%s/report" % shard)[2])
            out = os.path.join(folder, "whole.json")
            subprocess.run([serve_fixture.CALLHOOK, "merge", *paths, "--json", out, "-q"], check=True)
            with open(out) as f:
                local = json.load(f)
        self.assertEqual(merged["totals"], local["totals"])
        self.assertEqual(merged["events"], local["events"])
        status, _, text = self.server.request("POST", "/reports/merge?format=text", {"runs": shards})
        self.assertIn("calls 5", text.decode())
        status, _, page = self.server.request("POST", "/reports/merge?format=html", {"runs": shards})
        self.assertTrue(page.startswith(b"<!DOCTYPE html>"))
        # Not every shard: callhook merge's message; an unknown run: its pointer.
        status, answer = self.server.json("POST", "/reports/merge", {"runs": shards[:2]})
        self.assertEqual(status, 400)
        self.assertIn("shard 2/3 is missing", answer["error"])
        status, answer = self.server.json("POST", "/reports/merge", {"runs": [shards[0], "run-999"]})
        self.assertEqual((status, answer["problems"][0]["pointer"]), (404, "/runs/1"))
        status, answer = self.server.json("POST", "/reports/merge", {"runs": [shards[0], shards[0]]})
        self.assertEqual((status, answer["problems"][0]["pointer"]), (400, "/runs/1"))

    def test_replay_sends_the_recorded_requests_again_as_a_new_run(self):
        scenario = {"name": "to-replay", "seed": 9, "speed": "max",
                    "streams": [{"vendor": "voicekit", "target": self.receiver.url, "calls": {"count": 2}}]}
        before = len(self.receiver.received)
        original = self.ended({"scenario": scenario})
        recorded = self.receiver.received[before:]
        self.assertEqual(len(recorded), original["counters"]["sent"])
        # To the recorded receiver by default, every request once, the same bodies in each call's order.
        status, replayed = self.server.json("POST", "/runs/%s/replay?wait=30" % original["id"], {})
        self.assertEqual(status, 201, replayed)
        replayed = self.server.wait(replayed["id"])
        self.assertEqual((replayed["state"], replayed["scenario"]), ("finished", "replay of " + original["id"]))
        again = self.receiver.received[before + len(recorded):]
        self.assertEqual(sorted(r["body"] for r in again), sorted(r["body"] for r in recorded))
        self.assertEqual({r["path"] for r in again}, {"/webhooks"})
        _, report = self.server.json("GET", "/runs/%s/report" % replayed["id"])
        self.assertEqual(report["totals"]["sent"], len(recorded))
        # --only: one call's requests; to another origin, keeping the recorded path.
        other = Receiver()
        try:
            status, deliveries = self.server.json("GET", "/runs/%s/deliveries" % original["id"])
            call = deliveries["deliveries"][0]["call"]
            status, only = self.server.json("POST", "/runs/%s/replay?wait=30" % original["id"],
                                            {"only": call, "target": other.url.replace("/webhooks", "/elsewhere"),
                                             "speed": "max"})
            self.assertEqual(status, 201, only)
            self.server.wait(only["id"])
            mine = [d for d in deliveries["deliveries"] if d["call"] == call]
            self.assertEqual(len(other.received), sum(len(d["attempts"]) for d in mine))
            self.assertEqual({r["path"] for r in other.received}, {"/webhooks"})
        finally:
            other.stop()
        status, answer = self.server.json("POST", "/runs/%s/replay" % original["id"], {"only": "nobody"})
        self.assertEqual((status, answer["problems"][0]["pointer"]), (400, "/only"))
        status, answer = self.server.json("POST", "/runs/%s/replay" % original["id"], {"speed": 0})
        self.assertEqual((status, answer["problems"][0]["pointer"]), (400, "/speed"))
        self.assertEqual(self.server.json("POST", "/runs/run-999/replay", {})[0], 404)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        serve_fixture.CALLHOOK = sys.argv.pop(1)
    unittest.main(verbosity=2)
