#!/usr/bin/env python3
"""A receiver that checks Exotel call callbacks against Exotel's documents.

tests/data/exotel/callbacks.json transcribes the documented requests (each
names its source page): the Passthru applet's GET and the StatusCallback's
form POST, their parameters in the documents' order and each value's format.
Every request is checked for its method, content type, parameter names,
order, required parameters and value formats; a RecordingUrl is fetched
while the request is open (callhook is still running then) and must answer
200 with audio. Standard library only.

Usage: exotel_receiver.py SPEC PORT_FILE LOG_FILE
Writes the port it listens on to PORT_FILE and one JSON line per request to
LOG_FILE; answers 200 to a request that passes and 400 (with the problems)
to one that does not. On SIGTERM it prints a summary and exits 0 when at
least one request came and all passed, 1 otherwise.
"""
import http.server
import json
import re
import signal
import sys
import threading
import urllib.parse
import urllib.request


def check(spec, method, path, headers, body):
    """The problems of one request, and the event it is."""
    event = "passthru" if method == "GET" else "status_callback"
    want = spec[event]
    problems = []
    if method != want["method"]:
        problems.append(f"method {method}, the document says {want['method']}")
    if method == "GET":
        query = urllib.parse.urlsplit(path).query
        if body:
            problems.append("a GET with a body")
    else:
        query = body.decode("utf-8", "replace")
        content_type = headers.get("Content-Type", "")
        if not content_type.startswith(want["content_type"]):
            problems.append(f"Content-Type {content_type!r}, the document's is {want['content_type']}")
    params = urllib.parse.parse_qsl(query, keep_blank_values=True)
    names = [p["name"] for p in want["parameters"]]
    by_name = {p["name"]: p for p in want["parameters"]}
    seen = {}
    last = -1
    for name, value in params:
        if name in seen:
            problems.append(f"{name} twice")
        seen[name] = value
        if name not in by_name:
            problems.append(f"{name}: not in {want['source']}")
            continue
        index = names.index(name)
        if index < last:
            problems.append(f"{name} out of the document's order")
        last = max(last, index)
        if not re.fullmatch(by_name[name]["format"], value):
            problems.append(f"{name}={value!r} does not match {by_name[name]['format']}")
    for p in want["parameters"]:
        if p["required"] and p["name"] not in seen:
            problems.append(f"{p['name']} missing")
    if event == "status_callback" and "EventType" in seen:
        for p in want["parameters"]:
            if p.get("terminal") and p["name"] != "CustomField" and p["name"] not in seen:
                problems.append(f"{p['name']} missing with EventType")
    recording = seen.get("RecordingUrl", "")
    if recording:
        try:
            with urllib.request.urlopen(recording, timeout=10) as answer:
                data = answer.read()
                kind = answer.headers.get("Content-Type", "")
                if answer.status != 200 or not kind.startswith("audio/") or not data:
                    problems.append(f"RecordingUrl answered {answer.status} {kind} with {len(data)} bytes")
        except Exception as error:  # any failure to fetch is the finding
            problems.append(f"RecordingUrl {recording}: {error}")
    return event, seen.get("CallSid", ""), problems


def main():
    spec_path, port_file, log_path = sys.argv[1:4]
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    log = open(log_path, "a", encoding="utf-8")
    lock = threading.Lock()
    results = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def handle_request(self):
            length = int(self.headers.get("Content-Length", "0") or "0")
            body = self.rfile.read(length) if length else b""
            event, sid, problems = check(spec, self.command, self.path, self.headers, body)
            with lock:
                results.append(not problems)
                log.write(json.dumps({"event": event, "call": sid, "problems": problems}) + "\n")
                log.flush()
            answer = json.dumps({"problems": problems}).encode()
            self.send_response(400 if problems else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = handle_request
        do_POST = handle_request

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(port_file + ".tmp", "w", encoding="utf-8") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(port_file + ".tmp", port_file)

    def stop(*_):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()
    passed = sum(results)
    print(f"exotel receiver: {passed} of {len(results)} requests match the documents")
    sys.exit(0 if results and passed == len(results) else 1)


if __name__ == "__main__":
    main()
