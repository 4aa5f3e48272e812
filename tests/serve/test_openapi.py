"""docs/openapi.yaml against the real `callhook serve`: every route, method
and status code the document lists is provoked, and the server must answer
with that status and a content type the document names for it. A probe
without a documented answer, or a documented answer without a probe, fails.

usage: /usr/bin/python3 test_openapi.py CALLHOOK_BINARY   (needs python3-yaml)
"""
import os
import sys
import unittest

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_fixture  # noqa: E402
from serve_fixture import QUICK_SCENARIO, SLOW_SCENARIO, Receiver, Server  # noqa: E402

DOCUMENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "openapi.yaml")
TOKEN = "openapi-test-token"


class Probes:
    """Requests that provoke each documented answer: (path, method, status) -> call."""

    def __init__(self, server, limited, receiver):
        self.server, self.limited, self.receiver = server, limited, receiver
        self.done = server.start_run(QUICK_SCENARIO)
        server.wait(self.done["id"])
        self.gone = server.start_run(QUICK_SCENARIO)
        server.wait(self.gone["id"])
        # An explore whose every trial fails (the receiver answers 500): one failure to fetch.
        self.failing = Receiver(status=500)
        self.explore_body = {"budget": 1, "scenario": {
            "name": "explore", "streams": [{"vendor": "voiceflow", "target": self.failing.url, "calls": {"count": 1},
                                            "delivery": {"retry": {"max_attempts": 1}}}]}}
        _, explore = server.json("POST", "/explores", self.explore_body)
        self.explore = "/explores/" + explore["id"]
        server.json("GET", self.explore + "?wait=60")

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
            ("/runs/{id}/report", "get", "501"): lambda: s.request("GET", "/runs/%s/report?format=html" % done),
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
        server = Server("--token", TOKEN)
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
            for key, probe in probes.items():
                with self.subTest(route=key):
                    status, headers, _ = probe()
                    self.assertEqual(str(status), key[2])
                    types = answers[key]
                    got = (headers.get("Content-Type") or "").split(";")[0]
                    if types:
                        self.assertIn(got, types)
        finally:
            if made:
                made.failing.stop()
            receiver.stop()
            limited.stop()
            server.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        serve_fixture.CALLHOOK = sys.argv.pop(1)
    unittest.main(verbosity=2)
