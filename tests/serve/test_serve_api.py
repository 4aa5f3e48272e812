"""Integration tests of `callhook serve`: the real binary, driven over HTTP.

usage: python3 test_serve_api.py CALLHOOK_BINARY
"""
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request
import xml.etree.ElementTree as ElementTree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_fixture  # noqa: E402
from serve_fixture import QUICK_SCENARIO, SLOW_SCENARIO, Receiver, Server, sse_events  # noqa: E402


class RunsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_create_wait_and_report_in_every_format(self):
        run = self.server.start_run(QUICK_SCENARIO)
        self.assertRegex(run["id"], r"^run-\d+$")
        self.assertEqual(run["urls"]["report"], "/runs/%s/report" % run["id"])
        done = self.server.wait(run["id"])
        self.assertEqual(done["state"], "finished")
        self.assertEqual(done["exit_code"], 0)
        self.assertGreater(done["counters"]["planned"], 0)
        self.assertEqual(done["counters"]["delivered"], done["counters"]["planned"])

        status, report = self.server.json("GET", run["urls"]["report"])
        self.assertEqual(status, 200)
        self.assertEqual(report["totals"]["delivered"], done["counters"]["delivered"])
        self.assertEqual(report["run"]["scenario"], "quick")
        self.assertTrue(all(e["met"] for e in report["expectations"]))

        status, headers, junit = self.server.request("GET", run["urls"]["report"] + "?format=junit")
        self.assertEqual(status, 200)
        self.assertIn("xml", headers["Content-Type"])
        suite = ElementTree.fromstring(junit)
        self.assertGreaterEqual(len(suite.findall(".//testcase")), 3)  # one per call, accounting, expectation

        status, _, text = self.server.request("GET", run["urls"]["report"] + "?format=text")
        self.assertEqual(status, 200)
        self.assertIn(b"accounting:", text)

        status, headers, page = self.server.request("GET", run["urls"]["report"] + "?format=html")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertIn(b'"quick"', page)
        status, error = self.server.json("GET", run["urls"]["report"] + "?format=pdf")
        self.assertEqual(status, 400)

    def test_journal_and_events_of_a_finished_run(self):
        run = self.server.start_run(QUICK_SCENARIO)
        done = self.server.wait(run["id"])
        status, headers, journal = self.server.request("GET", run["urls"]["journal"])
        self.assertEqual(status, 200)
        lines = [json.loads(line) for line in journal.decode().splitlines()]
        self.assertEqual(lines[0]["kind"], "run")
        self.assertEqual(lines[-1]["kind"], "end")
        attempts = [line for line in lines if line["kind"] == "attempt"]
        self.assertEqual(len(attempts), done["counters"]["sent"])

        status, headers, body = self.server.request("GET", run["urls"]["events"])
        self.assertEqual(status, 200)
        self.assertIn("text/event-stream", headers["Content-Type"])
        events = sse_events(body)
        self.assertEqual(sum(1 for name, _ in events if name == "attempt"), done["counters"]["sent"])
        self.assertEqual(sum(1 for name, _ in events if name == "delivery"), done["counters"]["planned"])
        self.assertEqual(events[-1][0], "end")
        self.assertEqual(events[-1][1]["state"], "finished")

    def test_events_stream_while_the_run_runs(self):
        run = self.server.start_run(SLOW_SCENARIO)
        url = self.server.url + run["urls"]["events"]
        with urllib.request.urlopen(url, timeout=60) as stream:
            first = b""
            while not first.endswith(b"\n\n"):
                first += stream.readline()
            # The first attempt arrives while the run still runs.
            self.assertRegex(first, rb"^id: \d+\nevent: attempt\n")
            status, state = self.server.json("GET", run["urls"]["self"])
            self.assertEqual(state["state"], "running")
            status, error = self.server.json("GET", run["urls"]["report"])
            self.assertEqual(status, 409)
            rest = stream.read()
        events = sse_events(first + rest)
        self.assertEqual(events[-1][0], "end")
        self.assertEqual(events[-1][1]["state"], "finished")
        attempts = sum(1 for name, _ in events if name == "attempt")
        self.assertEqual(attempts, events[-1][1]["counters"]["sent"])

    def test_a_long_poll_is_bounded_and_answers_a_running_run(self):
        run = self.server.start_run(SLOW_SCENARIO)
        started = time.monotonic()
        status, state = self.server.json("GET", run["urls"]["self"] + "?wait=1")
        self.assertEqual(status, 200)
        self.assertEqual(state["state"], "running")
        self.assertGreaterEqual(time.monotonic() - started, 0.9)
        status, error = self.server.json("GET", run["urls"]["self"] + "?wait=soon")
        self.assertEqual(status, 400)
        self.server.wait(run["id"])

    def test_runs_against_a_target_of_ones_own(self):
        receiver = Receiver()
        try:
            run = self.server.start_run(QUICK_SCENARIO, target=receiver.url, seed=11)
            done = self.server.wait(run["id"])
            self.assertEqual(done["state"], "finished")
            self.assertEqual(len(receiver.received), done["counters"]["delivered"])
            self.assertGreater(len(receiver.received), 0)
        finally:
            receiver.stop()

    def test_a_bad_scenario_is_400_with_every_problem_and_nothing_starts(self):
        _, before = self.server.json("GET", "/runs")
        status, error = self.server.json("POST", "/runs", {"scenario": {"streams": [{"vendor": "nope"}]}})
        self.assertEqual(status, 400)
        pointers = [p["pointer"] for p in error["problems"]]
        # Pointers into the request body: the scenario is its "scenario" member.
        self.assertIn("/scenario/streams/0/vendor", pointers)
        self.assertIn("/scenario/streams/0/calls", pointers)
        self.assertIn("unknown vendor", error["text"])
        _, after = self.server.json("GET", "/runs")
        self.assertEqual(len(after), len(before))

        status, error = self.server.json("POST", "/runs", {"scenario": QUICK_SCENARIO, "seed": -1, "speeed": 2})
        self.assertEqual(status, 400)
        self.assertEqual(sorted(p["pointer"] for p in error["problems"]), ["/seed", "/speeed"])
        status, error = self.server.request("POST", "/runs", raw=b"{not json")[0], None
        self.assertEqual(status, 400)

    def test_set_is_checked_as_the_set_flag_is_and_add_adds(self):
        _, before = self.server.json("GET", "/runs")
        status, error = self.server.json("POST", "/runs", {"scenario": QUICK_SCENARIO, "set": {"/data/nope": 1}})
        self.assertEqual(status, 400, error)
        self.assertEqual([p["pointer"] for p in error["problems"]], ["/set/~1data~1nope"])
        self.assertIn("no field /data/nope", error["problems"][0]["message"])
        cli = subprocess.run([serve_fixture.CALLHOOK, "run", "-", "--set", "/data/nope=1"], input=json.dumps(QUICK_SCENARIO),
                             capture_output=True, text=True, env=dict(os.environ, CALLHOOK_DRY_RUN="1"))
        self.assertEqual(cli.returncode, 2)
        self.assertIn(error["problems"][0]["message"].split(";")[0], cli.stderr)
        status, error = self.server.json("POST", "/runs", {"scenario": QUICK_SCENARIO, "set": {"/a~2": 1}})
        self.assertEqual(status, 400, error)
        self.assertEqual([p["pointer"] for p in error["problems"]], ["/set/~1a~02"])
        _, after = self.server.json("GET", "/runs")
        self.assertEqual(len(after), len(before))

        receiver = Receiver()
        try:
            run = self.server.start_run(QUICK_SCENARIO, target=receiver.url, add={"/data/nope": "added"})
            self.assertEqual(self.server.wait(run["id"])["state"], "finished")
            self.assertTrue(receiver.received)
            self.assertTrue(all(json.loads(r["body"])["data"]["nope"] == "added" for r in receiver.received))
        finally:
            receiver.stop()

    def test_the_scenario_may_be_file_text_with_comments(self):
        text = "// a comment\n" + json.dumps(QUICK_SCENARIO)
        run = self.server.start_run(text, ordering="strict")
        self.assertEqual(self.server.wait(run["id"])["state"], "finished")
        status, error = self.server.json("POST", "/runs", {"scenario": "{\n  \"streams\": [,]\n}"})
        self.assertEqual(status, 400)
        self.assertIn("line 2", error["problems"][0]["message"])  # where the JSON error is

    def test_delete_cancels_a_running_run_and_removes_an_ended_one(self):
        run = self.server.start_run(dict(SLOW_SCENARIO, name="cancelled"), grace_ms=0)
        status, state = self.server.json("DELETE", run["urls"]["self"])
        self.assertEqual(status, 202)
        self.assertTrue(state["cancel_requested"])
        ended = self.server.wait(run["id"])
        self.assertEqual(ended["state"], "interrupted")
        status, report = self.server.json("GET", run["urls"]["report"])
        self.assertIs(report["interrupted"], True)
        totals = report["totals"]
        self.assertEqual(totals["planned"],
                         totals["delivered"] + totals["failed"] + totals["dropped"] + totals["cancelled"])

    def test_delete_of_an_ended_run_forgets_it_only_with_purge(self):
        run = self.server.start_run(QUICK_SCENARIO)
        self.server.wait(run["id"])
        # A retried cancel must not destroy the results: without ?purge=1 it is 409.
        status, error = self.server.json("DELETE", run["urls"]["self"])
        self.assertEqual(status, 409)
        self.assertIn("purge=1", error["error"])
        self.assertEqual(self.server.json("GET", run["urls"]["report"])[0], 200)
        status, _, body = self.server.request("DELETE", run["urls"]["self"] + "?purge=1")
        self.assertEqual(status, 204)
        self.assertEqual(self.server.json("GET", run["urls"]["self"])[0], 404)
        self.assertEqual(self.server.json("GET", "/runs/run-999999")[0], 404)
        self.assertEqual(self.server.json("DELETE", "/runs/run-999999")[0], 404)

    def test_trigger_sends_one_event_and_returns_both_sides(self):
        receiver = Receiver(status=202)
        try:
            status, answer = self.server.json("POST", "/trigger", {
                "vendor": "voiceflow", "event": "runtime.call.end", "target": receiver.url,
                "add": {"/data/foo": "bar"}, "delivery": {"signing": {"secret": "whsec_c2VjcmV0"}}})
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["response"]["status"], 202)
            self.assertIsNone(answer["error"])
            self.assertEqual(len(receiver.received), 1)
            got = receiver.received[0]
            self.assertEqual(got["body"], answer["request"]["body"])
            self.assertEqual(json.loads(got["body"])["data"]["foo"], "bar")
            sent = {name.lower(): value for name, value in answer["request"]["headers"]}
            self.assertTrue(any("signature" in name for name in sent), sent)
            message_id = sent.get("webhook-id") or sent.get("svix-id")
            self.assertTrue(message_id, sent)  # the official verifiers refuse an empty id
            self.assertEqual(answer["verdict"], "delivered")
            self.assertTrue(answer["accepted"])
        finally:
            receiver.stop()
        status, error = self.server.json("POST", "/trigger", {"vendor": "voiceflow", "event": "nope",
                                                              "target": "http://127.0.0.1:9/"})
        self.assertEqual(status, 400)
        self.assertIn("no event", error["error"])
        status, error = self.server.json("POST", "/trigger", {"vendor": "voiceflow"})
        self.assertEqual(status, 400)
        self.assertEqual(sorted(p["pointer"] for p in error["problems"]), ["/event", "/target"])

    def test_trigger_serves_the_recording_its_body_names_until_the_answer(self):
        fetched = []

        def fetch(entry):  # a receiver that downloads the recording on arrival
            url = json.loads(entry["body"])["data"]["recording_url"]
            with urllib.request.urlopen(url, timeout=5) as answer:
                fetched.append((url, answer.status, answer.headers.get("Content-Type"), len(answer.read())))

        receiver = Receiver(on_request=fetch)
        try:
            status, answer = self.server.json("POST", "/trigger", {
                "vendor": "voicekit", "event": "call_finalized", "target": receiver.url})
            self.assertEqual(status, 200, answer)
            self.assertTrue(answer["accepted"], answer)
        finally:
            receiver.stop()
        self.assertEqual(len(fetched), 1)
        url, code, content_type, size = fetched[0]
        self.assertNotIn("127.0.0.1:8080", url)
        self.assertEqual(code, 200)
        self.assertTrue(content_type.startswith("audio/"), content_type)
        self.assertEqual(size, int(url.rsplit("-", 1)[1].split(".")[0]))  # the size the name says

    def test_a_bad_trigger_pointer_or_field_is_400_at_its_member(self):
        base = {"vendor": "voiceflow", "event": "runtime.call.start", "target": "http://127.0.0.1:9/hooks"}
        status, error = self.server.json("POST", "/trigger", dict(base, set={"/a~2": 1}))
        self.assertEqual(status, 400, error)
        self.assertEqual([p["pointer"] for p in error["problems"]], ["/set/~1a~02"])
        status, error = self.server.json("POST", "/trigger", dict(base, set={"/data/nope": 1}))
        self.assertEqual(status, 400, error)
        self.assertEqual([p["pointer"] for p in error["problems"]], ["/set/~1data~1nope"])

    def test_trigger_over_the_cli_and_the_api_gives_the_same_verdict(self):
        # {"ok":true} is no VoiceBot handshake answer: the vendor would reject it.
        receiver = Receiver()
        try:
            status, answer = self.server.json("POST", "/trigger", {
                "vendor": "voicebot", "event": "session_start", "target": receiver.url})
            self.assertEqual(status, 200, answer)
            cli = subprocess.run([serve_fixture.CALLHOOK, "trigger", "voicebot", "session_start", "--target",
                                  receiver.url], capture_output=True, text=True)
        finally:
            receiver.stop()
        self.assertEqual(answer["response"]["status"], 200)
        self.assertEqual(answer["verdict"], "delivered")
        self.assertFalse(answer["accepted"])
        self.assertTrue(answer["findings"])
        self.assertEqual(cli.returncode, 1, cli.stdout + cli.stderr)
        self.assertIn("not accepted", cli.stdout)
        for finding in answer["findings"]:
            self.assertIn("finding: " + finding, cli.stdout)

    def test_trigger_reports_an_unreachable_receiver(self):
        status, answer = self.server.json("POST", "/trigger", {
            "vendor": "voiceflow", "event": "runtime.call.start", "target": "http://127.0.0.1:9/hooks"})
        self.assertEqual(status, 200)
        self.assertIsNone(answer["response"])
        self.assertTrue(answer["error"].startswith("connect"), answer["error"])

    def test_vendors_samples_and_health(self):
        status, vendors = self.server.json("GET", "/vendors")
        self.assertEqual(status, 200)
        names = [v["name"] for v in vendors]
        self.assertIn("voiceflow", names)
        status, sample = self.server.json("GET", "/vendors/voiceflow/events/runtime.call.start/sample?seed=2")
        self.assertEqual(status, 200)
        self.assertEqual(sample["event"], "runtime.call.start")
        cli = subprocess.run([serve_fixture.CALLHOOK, "sample", "voiceflow", "runtime.call.start", "--seed", "2"],
                             capture_output=True, text=True, check=True)
        self.assertEqual(sample["body"], cli.stdout.rstrip("\n"))
        self.assertEqual(self.server.json("GET", "/vendors/nope/events/x/sample")[0], 404)
        self.assertEqual(self.server.json("GET", "/vendors/voiceflow/events/nope/sample")[0], 404)
        self.assertEqual(self.server.json("GET", "/vendors/voiceflow/events/runtime.call.start/sample?seed=x")[0], 400)
        status, health = self.server.json("GET", "/healthz")
        self.assertEqual(status, 200)
        self.assertTrue(health["ok"])
        status, error = self.server.json("GET", "/nowhere")
        self.assertEqual(status, 404)
        self.assertIn("error", error)


class TokenTest(unittest.TestCase):
    def test_a_token_is_required_when_set_and_a_bad_one_changes_nothing(self):
        server = Server("--token", "s3cret")
        try:
            self.assertEqual(server.json("GET", "/runs")[0], 401)
            status, headers, _ = server.request("GET", "/runs", token="wrong")
            self.assertEqual(status, 401)
            self.assertEqual(headers["WWW-Authenticate"], "Bearer")
            status, error = server.json("POST", "/runs", {"scenario": QUICK_SCENARIO}, token="s3cre")
            self.assertEqual(status, 401)
            self.assertIn("token", error["error"])
            status, runs = server.json("GET", "/runs", token="s3cret")
            self.assertEqual((status, runs), (200, []))
            self.assertEqual(server.json("GET", "/healthz")[0], 200)  # health checks carry no token
            status, run = server.json("POST", "/runs", {"scenario": QUICK_SCENARIO}, token="s3cret")
            self.assertEqual(status, 201)
        finally:
            server.stop()

    def test_the_token_may_come_from_the_environment(self):
        server = Server(env={"CALLHOOK_TOKEN": "from-env"})
        try:
            self.assertEqual(server.json("GET", "/vendors")[0], 401)
            self.assertEqual(server.json("GET", "/vendors", token="from-env")[0], 200)
            check = subprocess.run([serve_fixture.CALLHOOK, "serve", "--check", server.url + "/runs"],
                                   env=dict(os.environ, CALLHOOK_TOKEN="from-env"), capture_output=True)
            self.assertEqual(check.returncode, 0, check.stderr)
        finally:
            server.stop()

    def test_listening_beyond_loopback_needs_a_token(self):
        env = dict(os.environ)
        env.pop("CALLHOOK_TOKEN", None)
        refused = subprocess.run([serve_fixture.CALLHOOK, "serve", "--listen", "0.0.0.0:0"], capture_output=True,
                                 text=True, timeout=30, env=env)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("token", refused.stderr)

    def test_check_exits_nonzero_when_nothing_answers(self):
        check = subprocess.run([serve_fixture.CALLHOOK, "serve", "--check", "http://127.0.0.1:9/healthz"],
                               capture_output=True, timeout=30)
        self.assertNotEqual(check.returncode, 0)


class LimitsTest(unittest.TestCase):
    def test_body_size_runs_in_flight_and_kept_runs(self):
        server = Server("--max-body", "4096", "--max-runs", "1", "--keep", "2")
        try:
            big = {"scenario": dict(QUICK_SCENARIO, name="x" * 5000)}
            status, error = server.json("POST", "/runs", big)
            self.assertEqual(status, 413)
            self.assertIn("--max-body", error["error"])

            slow = server.start_run(SLOW_SCENARIO)
            status, error = server.json("POST", "/runs", {"scenario": QUICK_SCENARIO})
            self.assertEqual(status, 429)
            self.assertIn("--max-runs", error["error"])
            server.wait(slow["id"])

            ids = []
            for _ in range(3):
                run = server.start_run(QUICK_SCENARIO)
                server.wait(run["id"])
                ids.append(run["id"])
            _, runs = server.json("GET", "/runs")
            self.assertEqual([r["id"] for r in runs], ids[1:])  # the oldest ones went first
            self.assertEqual(server.json("GET", "/runs/" + slow["id"])[0], 404)
        finally:
            server.stop()


class ExploresTest(unittest.TestCase):
    """POST /explores: `callhook explore` over HTTP, against the example receiver with its bugs."""

    ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

    @classmethod
    def setUpClass(cls):
        cls.server = Server()
        receiver = os.path.join(cls.ROOT, "examples/receivers/voiceflow_receiver.py")
        cls.receiver = subprocess.Popen([sys.executable, receiver, "--listen", "127.0.0.1:0", "--bugs"],
                                        stdout=subprocess.PIPE, text=True)
        cls.receiver_url = cls.receiver.stdout.readline().split("listening on ")[1].split()[0]
        with open(os.path.join(cls.ROOT, "examples/receivers/voiceflow-receiver.json")) as f:
            cls.scenario = f.read().replace("http://127.0.0.1:3000", cls.receiver_url)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.receiver.terminate()
        cls.receiver.wait()
        cls.receiver.stdout.close()

    def test_explore_finds_both_bugs_and_serves_the_files(self):
        status, job = self.server.json("POST", "/explores", {"scenario": self.scenario, "seed": 21})
        self.assertEqual(status, 201, job)
        self.assertRegex(job["id"], r"^explore-\d+$")
        for _ in range(60):
            status, job = self.server.json("GET", job["urls"]["self"] + "?wait=5")
            if job["state"] != "running":
                break
        self.assertEqual(job["state"], "finished", job)
        self.assertEqual(job["exit_code"], 1)
        result = job["result"]
        self.assertEqual(result["variants_tried"], result["variants"])
        steps = sorted((tuple(f["steps"]), f["found_by"]) for f in result["failures"])
        # The start twice (back to back, and again after its lost acknowledgement) and the ghost call.
        self.assertEqual(steps, [(("runtime.call.end", "runtime.call.start"), "after_call"),
                                 (("runtime.call.start", "runtime.call.start", "runtime.call.end"), "duplicate"),
                                 (("runtime.call.start", "runtime.call.start", "runtime.call.end"), "lost_ack")])
        self.assertEqual(job["progress"]["failures"], 3)
        failure = job["urls"]["failures"][0]
        status, scenario = self.server.json("GET", failure["scenario"])
        self.assertEqual(status, 200)
        self.assertEqual(scenario["streams"][0]["calls"]["count"], 0)
        self.assertEqual([s["event"] for s in scenario["script"]][-1], "runtime.call.end")
        status, _, journal = self.server.request("GET", failure["journal"])
        self.assertEqual(status, 200)
        kinds = [json.loads(line)["kind"] for line in journal.decode().splitlines()]
        self.assertEqual((kinds[0], kinds[-1]), ("run", "end"))
        self.assertEqual(self.server.json("GET", job["urls"]["self"] + "/failures/9")[0], 404)
        _, jobs = self.server.json("GET", "/explores")
        self.assertIn(job["id"], [j["id"] for j in jobs])

    def test_bad_requests(self):
        status, error = self.server.json("POST", "/explores", {"scenario": {"streams": [{"vendor": "voiceflw"}]}})
        self.assertEqual(status, 400)
        self.assertIn("/streams/0/vendor", error["text"])
        status, error = self.server.json("POST", "/explores", {"scenario": self.scenario, "budget": 0})
        self.assertEqual(status, 400)
        self.assertEqual(error["problems"][0]["pointer"], "/budget")
        self.assertEqual(self.server.json("GET", "/explores/explore-999")[0], 404)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        serve_fixture.CALLHOOK = sys.argv.pop(1)
    unittest.main(verbosity=2)
