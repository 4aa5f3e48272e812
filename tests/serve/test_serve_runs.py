"""What a run started through `callhook serve` may hold, ask for and reach,
against the real server: finished runs hold no threads or listening sockets,
per-run limits, --allow-target and link-local/metadata addresses, the CLI's
checks on every input, and reports that are the run's own.

usage: /usr/bin/python3 test_serve_runs.py CALLHOOK_BINARY
"""
import json
import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_fixture  # noqa: E402
from serve_fixture import QUICK_SCENARIO, SLOW_SCENARIO, Receiver, Server  # noqa: E402

METADATA = "http://169.254.169.254/latest/meta-data/"


def threads_of(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads: line")


def listening_sockets_of(pid):
    """The process's TCP sockets in LISTEN state (IPv4 and IPv6)."""
    inodes = set()
    fd_dir = "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            link = os.readlink(os.path.join(fd_dir, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:["):-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == "0A" and fields[9] in inodes:
                    count += 1
    return count


def pointers(error):
    return sorted(p["pointer"] for p in error["problems"])


class ReleaseTest(unittest.TestCase):
    def test_finished_runs_hold_no_threads_or_listening_sockets(self):
        server = Server("--keep", "200")
        try:
            pid = server.process.pid
            first = server.start_run(QUICK_SCENARIO)
            self.assertEqual(server.wait(first["id"])["state"], "finished")
            # A run's thread ends just after the run says it has ended: measure once they settled.
            time.sleep(1)
            after_one = (threads_of(pid), listening_sockets_of(pid))
            for _ in range(99):
                run = server.start_run(QUICK_SCENARIO)
                self.assertEqual(server.wait(run["id"])["state"], "finished")
            deadline = time.monotonic() + 5
            while True:
                after_hundred = (threads_of(pid), listening_sockets_of(pid))
                if after_hundred == after_one or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            _, runs = server.json("GET", "/runs")
            self.assertEqual(len(runs), 100)  # all kept, with their reports
            self.assertEqual(server.json("GET", "/runs/%s/report" % first["id"])[0], 200)
            self.assertEqual(after_hundred, after_one, "(threads, listening sockets) after 100 runs and after 1")
            self.assertEqual(after_one[1], 1, "only the API's own socket listens")
        finally:
            server.stop()


    def test_a_journal_that_cannot_be_written_is_503_with_the_reason(self):
        server = serve_fixture.unwritable_server()
        try:
            status, error = server.json("POST", "/runs", {"scenario": QUICK_SCENARIO})
            self.assertEqual(status, 503)
            # Found before the run is made (the directory cannot be made again).
            self.assertIn("is missing and cannot be made: Not a directory", error["error"])
            self.assertEqual(server.json("GET", "/runs")[1], [], "nothing started")
            self.assertIsNone(server.process.poll(), "the server goes on")
            self.assertEqual(server.json("GET", "/vendors")[0], 200)
        finally:
            server.stop()
            shutil.rmtree(server.tmp, ignore_errors=True)


class LimitsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--max-run-duration", "30", "--max-run-deliveries", "100000",
                            "--max-run-concurrency", "100", "--max-run-connections", "16")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def post(self, body):
        return self.server.json("POST", "/runs", body)

    def test_a_run_too_large_is_400_at_the_member_that_sets_its_size(self):
        _, before = self.server.json("GET", "/runs")
        huge = dict(QUICK_SCENARIO, streams=[{"vendor": "voiceflow", "calls": {"count": 10 ** 12}}])
        status, error = self.post({"scenario": huge})
        self.assertEqual(status, 400)
        self.assertEqual(pointers(error), ["/scenario/streams/0/calls/count"])
        self.assertIn("--max-run-deliveries", error["problems"][0]["message"])
        busy = dict(QUICK_SCENARIO, concurrency=101)
        self.assertEqual(pointers(self.post({"scenario": busy})[1]), ["/scenario/concurrency"])
        status, error = self.post({"scenario": QUICK_SCENARIO, "concurrency": 101, "connections": 17, "threads": 65,
                                   "max_duration_s": 31})
        self.assertEqual(status, 400)
        self.assertEqual(pointers(error), ["/concurrency", "/connections", "/max_duration_s", "/threads"])
        _, after = self.server.json("GET", "/runs")
        self.assertEqual(len(after), len(before), "nothing started")

    def test_max_duration_s_stops_the_run_and_says_so(self):
        run = self.server.start_run(SLOW_SCENARIO, max_duration_s=0.5)
        done = self.server.wait(run["id"])
        self.assertEqual(done["state"], "interrupted")
        self.assertIs(done["max_duration_reached"], True)
        self.assertEqual(done["exit_code"], 4)
        self.assertLess(done["elapsed_s"], 5)
        _, report = self.server.json("GET", "/runs/%s/report" % run["id"])
        self.assertTrue(report["interrupted"])
        self.assertIs(report["max_duration_reached"], True)
        self.assertEqual(report["exit_code"], 4)

    def test_speed_outside_its_range_is_400(self):
        for speed in (1e21, 1e-12, 0, -1, "fast"):
            with self.subTest(speed=speed):
                status, error = self.post({"scenario": QUICK_SCENARIO, "speed": speed})
                self.assertEqual(status, 400)
                self.assertEqual(pointers(error), ["/speed"])
                self.assertIn("0.001 to 1000000", error["problems"][0]["message"])
        in_scenario = dict(QUICK_SCENARIO, speed=1e21)
        status, error = self.post({"scenario": in_scenario})
        self.assertEqual((status, pointers(error)), (400, ["/scenario/speed"]))

    def test_set_goes_through_the_flags_checks(self):
        status, error = self.post({"scenario": QUICK_SCENARIO, "set": {"/nonexistent": 1}})
        self.assertEqual(status, 400)
        self.assertEqual(pointers(error), ["/set/~1nonexistent"])
        status, error = self.post({"scenario": QUICK_SCENARIO, "set": {"/a~2": 1}})
        self.assertEqual((status, pointers(error)), (400, ["/set/~1a~02"]))
        trigger = {"vendor": "voiceflow", "event": "runtime.call.start", "target": "http://127.0.0.1:9/x"}
        status, error = self.server.json("POST", "/trigger", dict(trigger, set={"/a~2": 1}))
        self.assertEqual((status, pointers(error)), (400, ["/set/~1a~02"]))

    def test_query_numbers_are_checked(self):
        run = self.server.start_run(QUICK_SCENARIO)
        for wait in ("+1", " 1", "1e999", "nan", "inf", "0x10", "-1", ""):
            with self.subTest(wait=wait):
                status, _ = self.server.json("GET", "/runs/%s?wait=%s" % (run["id"], wait.replace(" ", "%20")))
                self.assertEqual(status, 400)
        self.assertEqual(self.server.json("GET", "/runs/%s?wait=0.01" % run["id"])[0], 200)
        sample = "/vendors/voicekit/events/call_started/sample?seed="
        for seed in ("+3", "-3", "3.0", "18446744073709551616", ""):
            with self.subTest(seed=seed):
                self.assertEqual(self.server.json("GET", sample + seed)[0], 400)
        self.assertEqual(self.server.json("GET", sample + "18446744073709551615")[0], 200)


class TargetsTest(unittest.TestCase):
    def test_link_local_and_metadata_addresses_are_refused_unless_allowed(self):
        server = Server()
        try:
            _, before = server.json("GET", "/runs")
            for target in (METADATA, "http://[fd00:ec2::254]/", "http://metadata.google.internal/x",
                           "http://169.254.1.2:8080/hooks"):
                with self.subTest(target=target):
                    status, error = server.json("POST", "/runs", {"scenario": QUICK_SCENARIO, "target": target})
                    self.assertEqual((status, pointers(error)), (403, ["/target"]))
                    self.assertIn("link-local or cloud metadata", error["problems"][0]["message"])
            in_scenario = dict(QUICK_SCENARIO, streams=[{"vendor": "voiceflow", "target": METADATA,
                                                         "calls": {"count": 1}}])
            status, error = server.json("POST", "/runs", {"scenario": in_scenario})
            self.assertEqual((status, pointers(error)), (403, ["/scenario/streams/0/target"]))
            probed = dict(QUICK_SCENARIO, streams=[{"vendor": "voiceflow", "calls": {"count": 1},
                                                    "probe": {"url": METADATA + "{call.id}"}}])
            status, error = server.json("POST", "/runs", {"scenario": probed})
            self.assertEqual((status, pointers(error)), (403, ["/scenario/streams/0/probe/url"]))
            status, error = server.json("POST", "/trigger", {"vendor": "voiceflow", "event": "runtime.call.start",
                                                              "target": METADATA})
            self.assertEqual((status, pointers(error)), (403, ["/target"]))
            _, after = server.json("GET", "/runs")
            self.assertEqual(len(after), len(before), "nothing started")
        finally:
            server.stop()

    def test_allow_target_limits_runs_and_triggers_to_what_it_names(self):
        allowed, other = Receiver(), Receiver()
        port = allowed.url.split(":")[2].split("/")[0]
        server = Server("--allow-target", "127.0.0.1:" + port, "--allow-target", "fe80::/10")
        try:
            run = server.start_run(QUICK_SCENARIO, target=allowed.url)
            self.assertEqual(server.wait(run["id"])["state"], "finished")
            self.assertGreater(len(allowed.received), 0)
            status, error = server.json("POST", "/runs", {"scenario": QUICK_SCENARIO, "target": other.url})
            self.assertEqual((status, pointers(error)), (403, ["/target"]))
            self.assertIn("--allow-target", error["problems"][0]["message"])
            trigger = {"vendor": "voiceflow", "event": "runtime.call.start"}
            self.assertEqual(server.json("POST", "/trigger", dict(trigger, target=other.url))[0], 403)
            self.assertEqual(server.json("POST", "/trigger", dict(trigger, target=allowed.url))[0], 200)
            # A link-local network a rule names may be reached (a link-local address without a zone: the
            # connection fails at once and leaves nothing; the trigger reports the transport error).
            status, answer = server.json("POST", "/trigger", dict(trigger, target="http://[fe80::1]:9/", timeout_ms=300))
            self.assertEqual(status, 200)
            self.assertIsNotNone(answer["error"])
            self.assertEqual(server.json("POST", "/trigger", dict(trigger, target=METADATA))[0], 403)
            self.assertEqual(len(other.received), 0)
        finally:
            server.stop()
            allowed.stop()
            other.stop()

    def test_a_bad_allow_target_is_a_usage_error(self):
        done = subprocess.run([serve_fixture.CALLHOOK, "serve", "--allow-target", "10.0.0.0/33"],
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(done.returncode, 2)
        self.assertIn("--allow-target", done.stderr)

    def test_a_long_answer_is_echoed_cut(self):
        long_answer = Receiver(answer=b'{"a":"' + "é".encode() * 50000 + b'"}')
        server = Server()
        try:
            status, answer = server.json("POST", "/trigger", {"vendor": "voiceflow", "event": "runtime.call.start",
                                                              "target": long_answer.url})
            self.assertEqual(status, 200)
            response = answer["response"]
            self.assertIs(response["body_truncated"], True)
            self.assertLessEqual(len(response["body"].encode()), 16 * 1024)
            self.assertGreater(len(response["body"].encode()), 16 * 1024 - 4)
            self.assertTrue(response["body"].startswith('{"a":"éé'))
            self.assertNotIn("\ufffd", response["body"], "cut between characters")
        finally:
            server.stop()
            long_answer.stop()


class ReportsTest(unittest.TestCase):
    def test_a_runs_reports_name_no_server_path_or_server_memory(self):
        server = Server()
        try:
            run = server.start_run(QUICK_SCENARIO)
            server.wait(run["id"])
            _, _, text = server.request("GET", "/runs/%s/report?format=text" % run["id"])
            text = text.decode()
            self.assertIn("scenario quick", text)
            self.assertNotIn("/tmp", text)
            self.assertNotIn(".jsonl", text)
            self.assertNotIn("peak memory", text)
            _, report = server.json("GET", "/runs/%s/report" % run["id"])
            self.assertIsNone(report["run"].get("peak_rss_mb"), json.dumps(report["run"]))
            self.assertFalse(any("jsonl" in o for o in report["run"].get("outputs", [])))
        finally:
            server.stop()

    def test_without_expectations_a_failed_delivery_fails_the_run(self):
        refusing = Receiver(status=500)
        server = Server()
        try:
            scenario = {"name": "refused", "speed": "max", "streams": [
                {"vendor": "voiceflow", "calls": {"count": 1}, "delivery": {"retry": {"max_attempts": 1}}}]}
            run = server.start_run(scenario, target=refusing.url)
            done = server.wait(run["id"])
            self.assertEqual((done["state"], done["exit_code"]), ("finished", 1))
            _, report = server.json("GET", "/runs/%s/report" % run["id"])
            self.assertEqual([(e["name"], e["met"]) for e in report["expectations"]], [("failed", False)])
            said = dict(scenario, expect={"failed": 10})
            run = server.start_run(said, target=refusing.url)
            self.assertEqual(server.wait(run["id"])["exit_code"], 0)
        finally:
            server.stop()
            refusing.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        serve_fixture.CALLHOOK = sys.argv.pop(1)
    unittest.main(verbosity=2)
