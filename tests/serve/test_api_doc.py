"""Every shell example of docs/api.md, run as written against the real
binary (`callhook` first on PATH), with what each request answers checked
against what the document says it answers.

usage: /usr/bin/python3 test_api_doc.py CALLHOOK_BINARY
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
DOCUMENT = os.path.join(HERE, "..", "..", "docs", "api.md")
BINARY = "callhook"


def shell_blocks():
    with open(DOCUMENT, encoding="utf-8") as f:
        return re.findall(r"```sh\n(.*?)```", f.read(), re.S)


def run_block(block):
    """The block's output after the server's listening line; servers it
    leaves in the background are stopped."""
    environment = dict(os.environ, PATH=os.path.dirname(os.path.abspath(BINARY)) + os.pathsep + os.environ["PATH"])
    environment.pop("CALLHOOK_TOKEN", None)
    script = "set -m\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n" + block
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(["bash", "-c", script], cwd=folder, env=environment, capture_output=True, text=True,
                              timeout=120)
    first, _, rest = done.stdout.partition("\n")
    if not first.startswith("callhook serve: listening on "):
        raise AssertionError("the server did not start: " + done.stdout[:500] + done.stderr)
    return rest, done.stderr


class ApiDocTest(unittest.TestCase):
    def test_the_document_has_the_examples_this_test_knows(self):
        self.assertEqual(len(shell_blocks()), 2, "a new example in docs/api.md needs its checks here")

    def test_a_session_with_curl(self):
        block = next(b for b in shell_blocks() if "/runs/run-1/events" in b)
        out, err = run_block(block)
        decoder = json.JSONDecoder()
        created, at = decoder.raw_decode(out)
        self.assertEqual((created["id"], created["scenario"]), ("run-1", "two-calls"), err)
        waited, _ = decoder.raw_decode(out[at:].lstrip())
        self.assertEqual(waited["state"], "finished")
        self.assertEqual(waited["exit_code"], 0)
        self.assertEqual(waited["counters"]["delivered"], waited["counters"]["planned"])
        self.assertIn("two-calls", out)                     # the text report names the scenario
        self.assertRegex(out, r"(?m)^event: attempt$")      # the events
        self.assertRegex(out, r"(?m)^event: end$")
        self.assertRegex(out, r"(?m)^id: \d+$")
        tail_lines = [line for line in out.splitlines() if "call_started" in line and "200" in line]
        self.assertTrue(tail_lines, "callhook tail printed no attempt: " + out[-2000:] + err)

    def test_over_https(self):
        block = next(b for b in shell_blocks() if "--tls-cert" in b)
        out, err = run_block(block)
        self.assertEqual(json.JSONDecoder().raw_decode(out)[0]["ok"], True, err)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        BINARY = sys.argv.pop(1)
    unittest.main(verbosity=2)
