"""docs/openapi.yaml against the real `callhook serve`: every route, method
and status code the document lists is provoked, and the server must answer
with that status and a content type the document names for it. A probe
without a documented answer, or a documented answer without a probe, fails.
Then the document is validated as OpenAPI (npm @apidevtools/swagger-parser)
and every JSON answer against its schema (ajv), by validate_openapi.js; the
two packages are installed once into openapi-node/ beside the binary (or
$CALLHOOK_NPM_DIR). Without npm that part is skipped, saying so.

usage: /usr/bin/python3 test_openapi.py CALLHOOK_BINARY   (needs python3-yaml; node and npm)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_fixture  # noqa: E402
from serve_fixture import QUICK_SCENARIO, SLOW_SCENARIO, Receiver, Server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DOCUMENT = os.path.join(HERE, "..", "..", "docs", "openapi.yaml")
SCENARIOS = os.path.join(HERE, "..", "..", "scenarios")
TOKEN = "openapi-test-token"
# The validators, pinned: the test checks the document, not their changes.
NPM_PACKAGES = ["@apidevtools/swagger-parser@10.1.1", "ajv@8.20.0"]


def npm_dir():
    """A folder with the validators installed, or None (and why) without npm."""
    if not shutil.which("npm") or not shutil.which("node"):
        return None, "npm or node not found: install nodejs and npm (scripts/install-deps.sh does)"
    folder = os.environ.get("CALLHOOK_NPM_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(serve_fixture.CALLHOOK)), "openapi-node")
    stamp = os.path.join(folder, "installed.txt")
    wanted = " ".join(NPM_PACKAGES)
    installed = None
    if os.path.exists(stamp):
        with open(stamp) as f:
            installed = f.read()
    if installed != wanted:
        os.makedirs(folder, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", folder, "--no-audit", "--no-fund", "--loglevel=error",
                        *NPM_PACKAGES], check=True, stdout=subprocess.DEVNULL, timeout=600)
        with open(stamp, "w") as f:
            f.write(wanted)
    return folder, None


class Probes:
    """Requests that provoke each documented answer: (path, method, status) -> call."""

    def __init__(self, server, limited, receiver):
        self.server, self.limited, self.receiver = server, limited, receiver
        self.unwritable = serve_fixture.unwritable_server("--token", TOKEN)
        self.unwritable.token = TOKEN
        self.done = server.start_run(QUICK_SCENARIO)
        server.wait(self.done["id"])
        self.gone = server.start_run(QUICK_SCENARIO)
        server.wait(self.gone["id"])
        # A run to replay on the server that takes one run at a time.
        self.limited_done = limited.start_run(QUICK_SCENARIO)["id"]
        limited.wait(self.limited_done)
        # An explore whose every trial fails (the receiver answers 500): one failure to fetch.
        self.failing = Receiver(status=500)
        self.explore_body = {"budget": 1, "scenario": {
            "name": "explore", "streams": [{"vendor": "voiceflow", "target": self.failing.url, "calls": {"count": 1},
                                            "delivery": {"retry": {"max_attempts": 1}}}]}}
        _, explore = server.json("POST", "/explores", self.explore_body)
        self.explore = "/explores/" + explore["id"]
        server.json("GET", self.explore + "?wait=60")

    def extra_answers(self):
        """Answers of shapes the table's probes do not show, for the schema check."""
        s, out = self.server, []

        def record(path, method, answer):
            status, headers, body = answer
            out.append({"path": path, "method": method, "status": status,
                        "content_type": (headers.get("Content-Type") or "").split(";")[0],
                        "body": body.decode("utf-8", "replace")})

        # Targets the policy refuses (403 with problems, beside the Origin refusals' plain error).
        def refused(path, body):
            answer = s.request("POST", path, body)
            if answer[0] != 403:
                raise AssertionError("%s with a metadata target: %s %r" % (path, answer[0], answer[2][:300]))
            record(path, "post", answer)

        refused("/trigger", {"vendor": "voiceflow", "event": "runtime.call.start",
                             "target": "http://169.254.169.254/latest/"})
        refused("/runs", {"scenario": QUICK_SCENARIO, "target": "http://[fd00:ec2::254]/"})
        refused("/explores", dict(self.explore_body, target="http://169.254.169.254/"))
        # A run stopped by its max_duration_s (max_duration_reached), and one over the limits.
        slow = s.start_run(SLOW_SCENARIO, max_duration_s=0.5)["id"]
        s.wait(slow)
        record("/runs/{id}", "get", s.request("GET", "/runs/" + slow))
        huge = {"scenario": dict(QUICK_SCENARIO, streams=[{"vendor": "voiceflow", "calls": {"count": 10 ** 12}}])}
        record("/runs", "post", s.request("POST", "/runs", huge))
        # The HTML report (the table's 200 is the JUnit one).
        html = s.request("GET", "/runs/%s/report?format=html" % self.done["id"])
        if html[0] != 200 or not html[1].get("Content-Type", "").startswith("text/html"):
            raise AssertionError("the HTML report: %s %s" % (html[0], html[1].get("Content-Type")))
        record("/runs/{id}/report", "get", html)
        # A run flag's field with a bad value, and a run of a library scenario by name.
        record("/runs", "post", s.request("POST", "/runs", {"scenario": QUICK_SCENARIO, "shard": "2/2"}))
        record("/runs", "post", s.request("POST", "/runs", {"scenario": "voiceflow-basic", "count": 1,
                                                            "speed": "max", "shard": "0/2", "start_at": "+0"}))
        # Two shards merged, and two runs that are not shards of one run.
        shards = [s.start_run(QUICK_SCENARIO, shard="%d/2" % i)["id"] for i in (0, 1)]
        for shard in shards:
            s.wait(shard)
        record("/reports/merge", "post", s.request("POST", "/reports/merge", {"runs": shards}))
        merged = s.request("POST", "/reports/merge", {"runs": [self.done["id"], shards[0]]})
        if merged[0] != 400:
            raise AssertionError("merging a whole run with a shard: %s %r" % (merged[0], merged[2][:300]))
        record("/reports/merge", "post", merged)
        # A trigger whose answer is cut.
        long_answer = Receiver(answer=b"x" * (200 * 1024))
        try:
            record("/trigger", "post", s.request("POST", "/trigger", {
                "vendor": "voiceflow", "event": "runtime.call.start", "target": long_answer.url}))
        finally:
            long_answer.stop()
        return out

    def table(self):
        s, done = self.server, self.done["id"]
        big = {"scenario": dict(QUICK_SCENARIO, name="x" * 5000)}
        trigger = {"vendor": "voiceflow", "event": "runtime.call.start", "target": self.receiver.url}
        no_token = {"token": "wrong"}

        def running():
            # A run of its own per probe: another probe cancels its run, and a cancelled run has a report.
            return s.start_run(SLOW_SCENARIO)["id"]

        def hold_and_ask():
            # --max-runs 1: a slow run holds the only slot.
            self.limited.start_run(SLOW_SCENARIO)
            return self.limited.request("POST", "/runs", {"scenario": QUICK_SCENARIO})

        def hold_and_replay():
            # The only slot held by a slow run (this one, or hold_and_ask's if it still runs).
            self.limited.request("POST", "/runs", {"scenario": SLOW_SCENARIO})
            return self.limited.request("POST", "/runs/%s/replay" % self.limited_done, {})

        return {
            ("/healthz", "get", "200"): lambda: s.request("GET", "/healthz", **no_token),
            ("/vendors", "get", "200"): lambda: s.request("GET", "/vendors"),
            ("/vendors", "get", "401"): lambda: s.request("GET", "/vendors", **no_token),
            ("/vendors/{vendor}/events/{event}/sample", "get", "200"):
                lambda: s.request("GET", "/vendors/voicekit/events/call_started/sample?seed=4"),
            ("/vendors/{vendor}/events/{event}/sample", "get", "400"):
                lambda: s.request("GET", "/vendors/voicekit/events/call_started/sample?seed=-4"),
            ("/vendors/{vendor}/events/{event}/sample", "get", "401"):
                lambda: s.request("GET", "/vendors/voicekit/events/call_started/sample", **no_token),
            ("/vendors/{vendor}/events/{event}/sample", "get", "404"):
                lambda: s.request("GET", "/vendors/voicekit/events/nope/sample"),
            ("/trigger", "post", "200"): lambda: s.request("POST", "/trigger", trigger),
            ("/trigger", "post", "400"): lambda: s.request("POST", "/trigger", {"vendor": "voicekit"}),
            ("/trigger", "post", "401"): lambda: s.request("POST", "/trigger", trigger, **no_token),
            ("/trigger", "post", "403"):
                lambda: s.request("POST", "/trigger", trigger, headers={"Origin": "http://elsewhere.example"}),
            ("/trigger", "post", "415"):
                lambda: s.request("POST", "/trigger", trigger, headers={"Content-Type": "text/plain"}),
            ("/trigger", "post", "413"): lambda: self.limited.request("POST", "/trigger", big),
            ("/scenarios", "get", "200"): lambda: s.request("GET", "/scenarios"),
            ("/scenarios", "get", "401"): lambda: s.request("GET", "/scenarios", **no_token),
            ("/runs", "get", "200"): lambda: s.request("GET", "/runs"),
            ("/runs", "get", "401"): lambda: s.request("GET", "/runs", **no_token),
            ("/runs", "post", "201"): lambda: s.request("POST", "/runs", {"scenario": QUICK_SCENARIO}),
            ("/runs", "post", "400"): lambda: s.request("POST", "/runs", {"scenario": {"streams": []}}),
            ("/runs", "post", "401"): lambda: s.request("POST", "/runs", {"scenario": QUICK_SCENARIO}, **no_token),
            ("/runs", "post", "403"):
                lambda: s.request("POST", "/runs", {"scenario": QUICK_SCENARIO}, headers={"Origin": "http://elsewhere.example"}),
            ("/runs", "post", "415"):
                lambda: s.request("POST", "/runs", {"scenario": QUICK_SCENARIO}, headers={"Content-Type": "text/plain"}),
            ("/runs", "post", "413"): lambda: self.limited.request("POST", "/runs", big),
            ("/runs", "post", "429"): hold_and_ask,
            ("/runs", "post", "503"): lambda: self.unwritable.request("POST", "/runs", {"scenario": QUICK_SCENARIO}),
            ("/runs/{id}/replay", "post", "201"):
                lambda: s.request("POST", "/runs/%s/replay" % done, {"target": self.receiver.url, "speed": "max"}),
            ("/runs/{id}/replay", "post", "400"): lambda: s.request("POST", "/runs/%s/replay" % done, {"only": 5}),
            ("/runs/{id}/replay", "post", "401"): lambda: s.request("POST", "/runs/%s/replay" % done, {}, **no_token),
            ("/runs/{id}/replay", "post", "403"):
                lambda: s.request("POST", "/runs/%s/replay" % done, {"target": "http://169.254.169.254/"}),
            ("/runs/{id}/replay", "post", "404"): lambda: s.request("POST", "/runs/run-0/replay", {}),
            ("/runs/{id}/replay", "post", "409"): lambda: s.request("POST", "/runs/%s/replay" % running(), {}),
            ("/runs/{id}/replay", "post", "415"):
                lambda: s.request("POST", "/runs/%s/replay" % done, {}, headers={"Content-Type": "text/plain"}),
            ("/runs/{id}/replay", "post", "429"): hold_and_replay,
            ("/reports/merge", "post", "200"): lambda: s.request("POST", "/reports/merge", {"runs": [done]}),
            ("/reports/merge", "post", "400"): lambda: s.request("POST", "/reports/merge", {"runs": []}),
            ("/reports/merge", "post", "401"): lambda: s.request("POST", "/reports/merge", {"runs": [done]}, **no_token),
            ("/reports/merge", "post", "404"): lambda: s.request("POST", "/reports/merge", {"runs": [done, "run-0"]}),
            ("/reports/merge", "post", "409"): lambda: s.request("POST", "/reports/merge", {"runs": [running()]}),
            ("/reports/merge", "post", "415"):
                lambda: s.request("POST", "/reports/merge", {"runs": [done]}, headers={"Content-Type": "text/plain"}),
            ("/runs/{id}", "get", "200"): lambda: s.request("GET", "/runs/%s?wait=0.1" % done),
            ("/runs/{id}", "get", "400"): lambda: s.request("GET", "/runs/%s?wait=-1" % done),
            ("/runs/{id}", "get", "401"): lambda: s.request("GET", "/runs/" + done, **no_token),
            ("/runs/{id}", "get", "404"): lambda: s.request("GET", "/runs/run-0"),
            ("/runs/{id}", "delete", "202"): lambda: s.request("DELETE", "/runs/" + running()),
            ("/runs/{id}", "delete", "204"): lambda: s.request("DELETE", "/runs/%s?purge=1" % self.gone["id"]),
            ("/runs/{id}", "delete", "409"): lambda: s.request("DELETE", "/runs/" + done),
            ("/runs/{id}", "delete", "401"): lambda: s.request("DELETE", "/runs/" + done, **no_token),
            ("/runs/{id}", "delete", "404"): lambda: s.request("DELETE", "/runs/run-0"),
            ("/runs/{id}/report", "get", "200"): lambda: s.request("GET", "/runs/%s/report?format=junit" % done),
            ("/runs/{id}/report", "get", "400"): lambda: s.request("GET", "/runs/%s/report?format=csv" % done),
            ("/runs/{id}/report", "get", "401"): lambda: s.request("GET", "/runs/%s/report" % done, **no_token),
            ("/runs/{id}/report", "get", "404"): lambda: s.request("GET", "/runs/run-0/report"),
            ("/runs/{id}/report", "get", "409"): lambda: s.request("GET", "/runs/%s/report" % running()),
            ("/runs/{id}/journal", "get", "200"): lambda: s.request("GET", "/runs/%s/journal" % done),
            ("/runs/{id}/journal", "get", "401"): lambda: s.request("GET", "/runs/%s/journal" % done, **no_token),
            ("/runs/{id}/journal", "get", "404"): lambda: s.request("GET", "/runs/run-0/journal"),
            ("/runs/{id}/events", "get", "200"): lambda: s.request("GET", "/runs/%s/events" % done),
            ("/runs/{id}/events", "get", "401"): lambda: s.request("GET", "/runs/%s/events" % done, **no_token),
            ("/runs/{id}/events", "get", "404"): lambda: s.request("GET", "/runs/run-0/events"),
            ("/explores", "get", "200"): lambda: s.request("GET", "/explores"),
            ("/explores", "get", "401"): lambda: s.request("GET", "/explores", **no_token),
            ("/explores", "post", "201"): lambda: s.request("POST", "/explores", self.explore_body),
            ("/explores", "post", "400"): lambda: s.request("POST", "/explores", {"scenario": {"streams": []}}),
            ("/explores", "post", "401"): lambda: s.request("POST", "/explores", self.explore_body, **no_token),
            ("/explores", "post", "403"):
                lambda: s.request("POST", "/explores", self.explore_body, headers={"Origin": "http://elsewhere.example"}),
            ("/explores", "post", "415"):
                lambda: s.request("POST", "/explores", self.explore_body, headers={"Content-Type": "text/plain"}),
            ("/explores", "post", "413"): lambda: self.limited.request("POST", "/explores", big),
            ("/explores/{id}", "get", "200"): lambda: s.request("GET", self.explore + "?wait=0.1"),
            ("/explores/{id}", "get", "400"): lambda: s.request("GET", self.explore + "?wait=-1"),
            ("/explores/{id}", "get", "401"): lambda: s.request("GET", self.explore, **no_token),
            ("/explores/{id}", "get", "404"): lambda: s.request("GET", "/explores/explore-0"),
            ("/explores/{id}", "delete", "202"): lambda: s.request("DELETE", self.explore),
            ("/explores/{id}", "delete", "401"): lambda: s.request("DELETE", self.explore, **no_token),
            ("/explores/{id}", "delete", "404"): lambda: s.request("DELETE", "/explores/explore-0"),
            ("/explores/{id}/failures/{n}", "get", "200"): lambda: s.request("GET", self.explore + "/failures/1"),
            ("/explores/{id}/failures/{n}", "get", "401"):
                lambda: s.request("GET", self.explore + "/failures/1", **no_token),
            ("/explores/{id}/failures/{n}", "get", "404"): lambda: s.request("GET", self.explore + "/failures/7"),
            ("/explores/{id}/failures/{n}/journal", "get", "200"):
                lambda: s.request("GET", self.explore + "/failures/1/journal"),
            ("/explores/{id}/failures/{n}/journal", "get", "401"):
                lambda: s.request("GET", self.explore + "/failures/1/journal", **no_token),
            ("/explores/{id}/failures/{n}/journal", "get", "404"):
                lambda: s.request("GET", self.explore + "/failures/7/journal"),
            ("/runs", "get", "400"): lambda: s.request("GET", "/runs?state=done"),
            ("/runs/{id}/verify", "post", "200"):
                lambda: s.request("POST", "/runs/%s/verify" % done, {"expect": {"failed": 0}}),
            ("/runs/{id}/verify", "post", "400"):
                lambda: s.request("POST", "/runs/%s/verify" % done, {"expect": {"faild": 0}}),
            ("/runs/{id}/verify", "post", "401"):
                lambda: s.request("POST", "/runs/%s/verify" % done, {"expect": {}}, **no_token),
            ("/runs/{id}/verify", "post", "404"): lambda: s.request("POST", "/runs/run-0/verify", {"expect": {}}),
            ("/runs/{id}/verify", "post", "409"):
                lambda: s.request("POST", "/runs/%s/verify" % running(), {"expect": {}}),
            ("/runs/{id}/verify", "post", "415"):
                lambda: s.request("POST", "/runs/%s/verify" % done, {"expect": {}}, headers={"Content-Type": "text/plain"}),
            ("/runs/{id}/deliveries", "get", "200"): lambda: s.request("GET", "/runs/%s/deliveries?limit=2" % done),
            ("/runs/{id}/deliveries", "get", "400"): lambda: s.request("GET", "/runs/%s/deliveries?limit=0" % done),
            ("/runs/{id}/deliveries", "get", "401"):
                lambda: s.request("GET", "/runs/%s/deliveries" % done, **no_token),
            ("/runs/{id}/deliveries", "get", "404"): lambda: s.request("GET", "/runs/run-0/deliveries"),
            ("/info", "get", "200"): lambda: s.request("GET", "/info"),
            ("/info", "get", "401"): lambda: s.request("GET", "/info", **no_token),
            ("/openapi.yaml", "get", "200"): lambda: s.request("GET", "/openapi.yaml"),
            ("/openapi.yaml", "get", "401"): lambda: s.request("GET", "/openapi.yaml", **no_token),
            ("/metrics", "get", "200"): lambda: s.request("GET", "/metrics"),
            ("/metrics", "get", "401"): lambda: s.request("GET", "/metrics", **no_token),
            # Last: a reset forgets runs other probes use, so it empties the limited server only.
            ("/reset", "post", "401"): lambda: self.limited.request("POST", "/reset", {}, **no_token),
            ("/reset", "post", "415"):
                lambda: self.limited.request("POST", "/reset", {}, headers={"Content-Type": "text/plain"}),
            ("/reset", "post", "200"): lambda: self.limited.request("POST", "/reset", {}),
        }


def resolve(document, node):
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = target
    return node


def documented(document):
    """{(path, method, status): [content types]}"""
    out = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                out[(path, method, status)] = sorted(resolve(document, response).get("content", {}).keys())
    return out


class OpenApiTest(unittest.TestCase):
    def test_every_documented_route_and_status_is_what_the_server_answers(self):
        with open(DOCUMENT) as f:
            document = yaml.safe_load(f)
        self.assertTrue(document["openapi"].startswith("3."))
        answers = documented(document)
        server = Server("--token", TOKEN, "--scenarios", SCENARIOS)
        server.token = TOKEN
        limited = Server("--token", TOKEN, "--max-body", "4096", "--max-runs", "1")
        limited.token = TOKEN
        receiver = Receiver()
        made = None
        try:
            made = Probes(server, limited, receiver)
            probes = made.table()
            self.assertEqual(sorted(set(answers) - set(probes)), [], "documented but never provoked")
            self.assertEqual(sorted(set(probes) - set(answers)), [], "provoked but not documented")
            recorded = []
            for key, probe in probes.items():
                with self.subTest(route=key):
                    status, headers, body = probe()
                    self.assertEqual(str(status), key[2])
                    types = answers[key]
                    got = (headers.get("Content-Type") or "").split(";")[0]
                    if types:
                        self.assertIn(got, types)
                    recorded.append({"path": key[0], "method": key[1], "status": status, "content_type": got,
                                     "body": body.decode("utf-8", "replace")})
            recorded += made.extra_answers()
            self.check_schemas(recorded)
        finally:
            if made:
                made.failing.stop()
                made.unwritable.stop()
                shutil.rmtree(made.unwritable.tmp, ignore_errors=True)
            receiver.stop()
            limited.stop()
            server.stop()

    def check_schemas(self, recorded):
        folder, why = npm_dir()
        if not folder:
            print("\nSKIPPED: the OpenAPI document and the answers' schemas are not validated: " + why,
                  file=sys.stderr)
            return
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(recorded, f)
        try:
            done = subprocess.run(["node", os.path.join(HERE, "validate_openapi.js"), DOCUMENT, f.name],
                                  capture_output=True, text=True, timeout=120,
                                  env=dict(os.environ, NODE_PATH=os.path.join(folder, "node_modules")))
        finally:
            os.unlink(f.name)
        print(done.stdout, file=sys.stderr)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        serve_fixture.CALLHOOK = sys.argv.pop(1)
    unittest.main(verbosity=2)
