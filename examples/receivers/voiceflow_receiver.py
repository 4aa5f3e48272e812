#!/usr/bin/env python3
"""A small Voiceflow call-webhook receiver to try `callhook explore` on.

POST /hooks takes Voiceflow's runtime.* events and keeps, per call (the
platform's call id: callSid, callControlID or callUUID), whether the call is
active and how many starts it processed. GET /calls/{id} answers
{"active": false, "starts_processed": 1, "ended": true} for a probe, and
POST /reset forgets everything.

Run without flags it is correct: a delivery seen before (same svix-id) is
acknowledged and skipped, and an end that comes before its start leaves the
call ended. With --bugs it has two bugs that real receivers had: it processes
a repeated delivery again (a duplicate start counts twice), and a start that
comes after its call's end marks the call active again (a ghost call).

Usage: voiceflow_receiver.py [--listen HOST:PORT] [--bugs]
Python standard library only.
"""
import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CALL_ID_KEYS = ("callSid", "callControlID", "callUUID")


class State:
    def __init__(self, bugs):
        self.bugs = bugs
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.seen = set()  # delivery ids already processed
        self.calls = {}  # call id -> {"active", "starts_processed", "ended"}

    def call(self, call_id):
        return self.calls.setdefault(call_id, {"active": False, "starts_processed": 0, "ended": False})

    def handle(self, delivery_id, event):
        """Applies one webhook; returns False when it was skipped as a repeat."""
        with self.lock:
            if delivery_id and not self.bugs:
                if delivery_id in self.seen:
                    return False
                self.seen.add(delivery_id)
            data = event.get("data") or {}
            metadata = data.get("metadata") or {}
            call_id = next((metadata[k] for k in CALL_ID_KEYS if k in metadata), None)
            if call_id is None:
                return True  # a session event, or a web call without a platform id
            call = self.call(call_id)
            kind = event.get("type")
            if kind == "runtime.call.start":
                call["starts_processed"] += 1
                # The correct receiver keeps a call that already ended ended.
                call["active"] = self.bugs or not call["ended"]
            elif kind == "runtime.call.end":
                call["ended"] = True
                call["active"] = False
            return True

    def snapshot(self, call_id):
        with self.lock:
            call = self.calls.get(call_id)
            return dict(call) if call is not None else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: callhook reuses connections
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms wait between them
    state = None

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.startswith("/calls/"):
            call = self.state.snapshot(self.path[len("/calls/"):])
            if call is None:
                self.answer(404, {"error": "unknown call"})
            else:
                self.answer(200, call)
        else:
            self.answer(404, {"error": "not found"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path == "/reset":
            with self.state.lock:
                self.state.reset()
            self.answer(200, {"reset": True})
            return
        if self.path != "/hooks":
            self.answer(404, {"error": "not found"})
            return
        try:
            event = json.loads(raw)
        except ValueError:
            self.answer(400, {"error": "not JSON"})
            return
        delivery_id = self.headers.get("svix-id") or self.headers.get("webhook-id")
        processed = self.state.handle(delivery_id, event if isinstance(event, dict) else {})
        self.answer(200, {"ok": True, "duplicate": not processed})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:3000", help="HOST:PORT (port 0: any free port)")
    parser.add_argument("--bugs", action="store_true", help="turn on the two known bugs")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    Handler.state = State(args.bugs)
    server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), Handler)
    server.daemon_threads = True
    print(f"listening on http://{server.server_address[0]}:{server.server_address[1]}"
          + (" (with bugs)" if args.bugs else ""), flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
