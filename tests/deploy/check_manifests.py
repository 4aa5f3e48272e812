#!/usr/bin/env python3
"""Checks deploy/kubernetes: the manifests parse, the Job is Indexed with
parallelism = completions = --shards, the volumes the args name are mounted,
the ConfigMap's scenario validates, the pods' exact command lines, run
here with the job index set, add up to the whole run, and the merge pod's
command line joins them into the whole run's report.

usage: check_manifests.py CALLHOOK_BINARY SOURCE_DIR"""
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading

import yaml

binary, source = sys.argv[1], sys.argv[2]
deploy = os.path.join(source, "deploy", "kubernetes")


def load(name):
    with open(os.path.join(deploy, name)) as f:
        return yaml.safe_load(f)


def check(condition, message):
    if not condition:
        print("FAIL: " + message)
        sys.exit(1)


config_map, job, pvc = load("configmap.yaml"), load("job.yaml"), load("results-pvc.yaml")
merge_pod = load("merge-pod.yaml")
check(config_map["kind"] == "ConfigMap" and job["kind"] == "Job" and pvc["kind"] == "PersistentVolumeClaim",
      "kinds are ConfigMap, Job, PersistentVolumeClaim")
spec = job["spec"]
check(spec["completionMode"] == "Indexed", "the Job is Indexed")
check(spec["parallelism"] == spec["completions"], "parallelism == completions")
container = spec["template"]["spec"]["containers"][0]
args = container["args"]
shards = int(args[args.index("--shards") + 1])
check(shards == spec["completions"], "--shards equals completions")

mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
volumes = {v["name"]: v for v in spec["template"]["spec"]["volumes"]}
check(volumes["scenario"]["configMap"]["name"] == config_map["metadata"]["name"], "scenario volume is the ConfigMap")
check(volumes["results"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"], "results volume is the PVC")
scenario_arg = args[1]
check(scenario_arg == mounts["scenario"] + "/scenario.json", "the scenario path is in the ConfigMap mount")
for flag in ("--report", "--journal"):
    check(args[args.index(flag) + 1].startswith(mounts["results"] + "/"), flag + " writes into the results mount")
env_names = [e["name"] for e in container["env"]]
check("JOB_COMPLETION_INDEX" in env_names, "JOB_COMPLETION_INDEX is in the container's env, so $(...) expands")

with tempfile.TemporaryDirectory() as tmp:
    scenario_dir, results_dir = os.path.join(tmp, "scenario"), os.path.join(tmp, "results")
    os.makedirs(scenario_dir)
    os.makedirs(results_dir)
    scenario_text = config_map["data"]["scenario.json"]
    with open(os.path.join(scenario_dir, "scenario.json"), "w") as f:
        f.write(scenario_text)
    validated = subprocess.run([binary, "validate", os.path.join(scenario_dir, "scenario.json")],
                               capture_output=True, text=True)
    check(validated.returncode == 0, "the ConfigMap's scenario validates: " + validated.stdout + validated.stderr)

    # The same command lines, on a smaller population so the check stays quick.
    small = json.loads(scenario_text)
    small["streams"][0]["calls"]["count"] = 40
    with open(os.path.join(scenario_dir, "scenario.json"), "w") as f:
        json.dump(small, f)

    def remount(path):
        """A path in a mount, moved to where that volume is here."""
        for name, here in (("scenario", scenario_dir), ("results", results_dir)):
            if path.startswith(mounts[name] + "/"):
                return here + path[len(mounts[name]):]
        return path

    received = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    target = "http://127.0.0.1:%d/webhooks" % server.server_address[1]
    planned = 0
    for index in range(shards):
        env = dict(os.environ, JOB_COMPLETION_INDEX=str(index), TARGET=target)
        line = [remount(a.replace("$(JOB_COMPLETION_INDEX)", str(index)).replace("$(TARGET)", target))
                for a in args]
        run = subprocess.run([binary] + line, env=env, capture_output=True, text=True, timeout=120)
        check(run.returncode == 0, "shard %d ran: %s%s" % (index, run.stdout, run.stderr))
        with open(os.path.join(results_dir, "report-%d.json" % index)) as f:
            report = json.load(f)
        check(report["run"]["shard"] == {"index": index, "count": shards}, "shard %d is named in its report" % index)
        planned += report["totals"]["planned"]
    server.shutdown()
    check(planned == len(received) and planned > 0, "the shards delivered every planned webhook once")

    # The merge pod reads every shard's report and journal from the same volume.
    merge_spec = merge_pod["spec"]
    merge_container = merge_spec["containers"][0]
    merge_mounts = {m["name"]: m["mountPath"] for m in merge_container["volumeMounts"]}
    merge_volumes = {v["name"]: v for v in merge_spec["volumes"]}
    check(merge_volumes["results"]["persistentVolumeClaim"]["claimName"] == pvc["metadata"]["name"],
          "the merge pod mounts the results PVC")
    check(merge_mounts["results"] == mounts["results"], "the merge pod mounts the results where the Job wrote them")
    merge_args = merge_container["args"]
    check(merge_args[0] == "merge", "the merge pod runs callhook merge")
    inputs = [a for a in merge_args if a.startswith(mounts["results"] + "/") and "-" in os.path.basename(a)]
    check(len([a for a in inputs if a.endswith(".json")]) == shards, "the merge pod lists one report per shard")
    check(len([a for a in inputs if a.endswith(".jsonl")]) == shards, "the merge pod lists one journal per shard")
    merged = subprocess.run([binary] + [remount(a) for a in merge_args], capture_output=True, text=True, timeout=120)
    check(merged.returncode == 0, "the merge pod's command ran: " + merged.stdout + merged.stderr)
    with open(os.path.join(results_dir, "report.json")) as f:
        whole = json.load(f)
    check(whole["totals"]["planned"] == planned and "shard" not in whole["run"],
          "the merged report is the whole run's")
    check(os.path.getsize(os.path.join(results_dir, "report.html")) > 0, "the merged HTML report is written")

print("manifests ok: %d shards, %d webhooks" % (shards, planned))
