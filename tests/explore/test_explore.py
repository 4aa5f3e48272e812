#!/usr/bin/env python3
"""callhook explore against examples/receivers/voiceflow_receiver.py.

Usage: test_explore.py CALLHOOK_BINARY SOURCE_DIR

With --bugs the receiver has two bugs; explore must find each, shrink it to
at most 3 sends, and write a scenario that `callhook run` fails on (exit 1,
naming the probe) against a fresh receiver. Without --bugs it must find
nothing. One seed gives one explore.json. A call of 6 deliveries is explored
in full within 60 s (the time is printed).
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

CALLHOOK, SOURCE = sys.argv[1], sys.argv[2]
RECEIVER = os.path.join(SOURCE, "examples/receivers/voiceflow_receiver.py")
SCENARIO_NAME = "examples/receivers/voiceflow-receiver.json"
SCENARIO = os.path.join(SOURCE, SCENARIO_NAME)
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    def __init__(self, port, bugs):
        args = [sys.executable, RECEIVER, "--listen", f"127.0.0.1:{port}"] + (["--bugs"] if bugs else [])
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert "listening on" in line, line

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def scenario_for(work, port, extra_calls=None):
    text = open(SCENARIO).read().replace("127.0.0.1:3000", f"127.0.0.1:{port}")
    if extra_calls:
        text = text.replace('"duration_s": 30 }', '"duration_s": 30, ' + extra_calls + " }")
    path = os.path.join(work, "scenario.json")
    open(path, "w").write(text)
    return path


def explore(scenario, port, out, *flags):
    started = time.monotonic()
    done = subprocess.run([CALLHOOK, "explore", scenario, "--target", f"http://127.0.0.1:{port}/hooks",
                           "--out", out, *flags], capture_output=True, text=True, timeout=600)
    return done, time.monotonic() - started


def main():
    work = tempfile.mkdtemp(prefix="callhook-explore-")
    try:
        port = free_port()
        scenario = scenario_for(work, port)

        # The two bugs: each found, small, and reproduced by `callhook run`.
        receiver = Receiver(port, bugs=True)
        out1 = os.path.join(work, "one")
        done, _ = explore(scenario, port, out1)
        receiver.stop()
        print(done.stdout)
        check(done.returncode == 1, f"explore of the buggy receiver exits 1, got {done.returncode}: {done.stderr}")
        report = json.load(open(os.path.join(out1, "explore.json")))
        by_steps = {tuple(f["steps"]): f for f in report["failures"]}
        ghost = by_steps.get(("runtime.call.end", "runtime.call.start"))
        twice = by_steps.get(("runtime.call.start", "runtime.call.start", "runtime.call.end"))
        check(ghost is not None and "/active" in ghost["reason"], f"the ghost call is found: {report['failures']}")
        check(twice is not None and "/starts_processed" in twice["reason"],
              f"the start processed twice is found: {report['failures']}")
        check(report["trials"] >= report["variants_tried"] > 0, "trials are counted")
        for f in report["failures"]:
            check(len(f["steps"]) <= 3, f"a minimal failure has at most 3 sends: {f['steps']}")
            check(not f["flaky"], f"not flaky: {f}")
            check(os.path.getsize(f["journal"]) > 0, f"the journal is beside it: {f['journal']}")
            check(f["steps"] and f["steps"][0] in done.stdout, "the summary names the steps")
            fresh = Receiver(port, bugs=True)
            run = subprocess.run([CALLHOOK, "run", f["scenario"], "--target", f"http://127.0.0.1:{port}/hooks"],
                                 capture_output=True, text=True, timeout=120)
            fresh.stop()
            pointer = "/active" if "/active" in f["reason"] else "/starts_processed"
            check(run.returncode == 1, f"callhook run {f['scenario']} exits 1, got {run.returncode}: {run.stderr}")
            check("probe" in run.stdout and pointer in run.stdout, f"the run names the probe {pointer}: {run.stdout}")

        # The files the README shows (examples/receivers/found) are what explore writes.
        def as_shipped(text):
            return (text.replace(out1, "examples/receivers/found").replace(scenario, SCENARIO_NAME)
                    .replace(f"127.0.0.1:{port}", "127.0.0.1:3000"))
        shipped = os.path.join(SOURCE, "examples/receivers/found")
        check(as_shipped(open(os.path.join(out1, "explore.json")).read()) ==
              open(os.path.join(shipped, "explore.json")).read(), "examples/receivers/found/explore.json is current")
        for f in report["failures"]:
            name = os.path.basename(f["scenario"])
            check(as_shipped(open(f["scenario"]).read()) == open(os.path.join(shipped, "failures", name)).read(),
                  f"examples/receivers/found/failures/{name} is current")

        # One seed, one explore.json and the same minimal scenarios.
        receiver = Receiver(port, bugs=True)
        out2 = os.path.join(work, "two")
        done2, _ = explore(scenario, port, out2, "--seed", "7")
        receiver.stop()
        check(done2.returncode == 1, "the second explore exits 1 too")
        again = open(os.path.join(out2, "explore.json")).read().replace(out2, out1)
        check(again == open(os.path.join(out1, "explore.json")).read(), "one seed gives one explore.json")
        for f in report["failures"]:
            first = open(f["scenario"]).read()
            second = open(f["scenario"].replace(out1, out2)).read().replace(out2, out1)
            check(first == second, f"one seed gives one scenario: {f['scenario']}")

        # The correct receiver: nothing to find.
        receiver = Receiver(port, bugs=False)
        done, _ = explore(scenario, port, os.path.join(work, "clean"))
        receiver.stop()
        check(done.returncode == 0, f"explore of the correct receiver exits 0, got {done.returncode}: {done.stdout}")
        check(json.load(open(os.path.join(work, "clean", "explore.json")))["failures"] == [], "no failure")

        # Six deliveries (a caller who calls back: two call legs), every order.
        six = scenario_for(work, port, '"return_p": 1')
        receiver = Receiver(port, bugs=False)
        done, seconds = explore(six, port, os.path.join(work, "six"))
        receiver.stop()
        report = json.load(open(os.path.join(work, "six", "explore.json")))
        check(len(report["deliveries"]) == 6, f"a call of 6 deliveries: {report['deliveries']}")
        check(report["variants_tried"] == report["variants"] and not report["stopped_early"], "every variant tried")
        print(f"6 deliveries: {report['variants']} variants, {report['trials']} trials in {seconds:.1f} s "
              f"({report['trials'] / seconds:.0f} trials/s)")
        check(seconds < 60, f"the 6-delivery call is explored within 60 s, took {seconds:.1f} s")

        # Bad input: exit 2, the file and the pointer named.
        bad = os.path.join(work, "bad.json")
        open(bad, "w").write('{"streams": [{"vendor": "voiceflow", "calls": {"count": "x"}}]}')
        done, _ = explore(bad, port, os.path.join(work, "bad"))
        check(done.returncode == 2 and "bad.json" in done.stderr and "/streams/0/calls/count" in done.stderr,
              f"bad input exits 2 naming the file and pointer: {done.returncode} {done.stderr}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"{len(failures)} checks failed")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
