"""The HTTP layer of `callhook serve` against the real binary: starvation,
connection cap, cross-site and rebinding refusals, body framing, HTTP
semantics, Server-Sent Events, shutdown and TLS.

Standard library only (asyncio, socket, ssl): usage: python3 test_serve_net.py CALLHOOK_BINARY
"""
import asyncio
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_fixture  # noqa: E402
from serve_fixture import QUICK_SCENARIO, SLOW_SCENARIO, Server  # noqa: E402

# SLOW_SCENARIO's calls, 60 of them over a minute of wall time: a run that runs through a test.
LONG_SCENARIO = dict(SLOW_SCENARIO, name="long", streams=[
    dict(SLOW_SCENARIO["streams"][0], calls=dict(SLOW_SCENARIO["streams"][0]["calls"], count=60))])
# One call whose end comes 20 s after its start: a quiet stream, for heartbeats.
QUIET_SCENARIO = {
    "name": "quiet",
    "speed": 1,
    "streams": [{"vendor": "voiceflow"}],
    "script": [{"at_ms": 0, "call": "A", "event": "runtime.call.start"},
               {"at_ms": 20000, "call": "A", "event": "runtime.call.end"}],
}


def address(server):
    host_port = server.url.split("://")[1]
    host, port = host_port.rsplit(":", 1)
    return host, int(port)


def request_bytes(method, path, host, body=None, headers=None, content_type="application/json"):
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % host]
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        lines.append("Content-Type: " + content_type)
        lines.append("Content-Length: %d" % len(data))
    for name, value in (headers or {}).items():
        lines.append("%s: %s" % (name, value))
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + data


async def read_answer(reader):
    """(status, {lower-case header: value}, body) of one answer; chunked or not."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.read()
    return status, headers, body


async def ask(server, raw, timeout=10, tls=None):
    """Sends raw bytes on a new connection; the answer."""
    host, port = address(server)
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=tls), timeout)
    try:
        writer.write(raw)
        await writer.drain()
        return await asyncio.wait_for(read_answer(reader), timeout)
    finally:
        writer.close()


async def get(server, path, headers=None, timeout=10, tls=None):
    host, port = address(server)
    return await ask(server, request_bytes("GET", path, "%s:%d" % (host, port), headers=headers), timeout, tls)


async def timed_healthz(server):
    started = time.monotonic()
    status, _, _ = await get(server, "/healthz", timeout=5)
    return status, (time.monotonic() - started) * 1000


def sse_blocks(body):
    """[{"id":, "event":, "data":, "comment":}] of a Server-Sent Events body."""
    blocks = []
    for block in body.decode().split("\n\n"):
        if not block:
            continue
        fields = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                fields["comment"] = line[1:].strip()
            elif ": " in line:
                name, value = line.split(": ", 1)
                fields[name] = value
        blocks.append(fields)
    return blocks


class LoadTest(unittest.TestCase):
    """200 slowloris + 64 idle keep-alives + 64 long polls + 64 SSE streams + 40 triggers
    waiting on a receiver that never answers, and /healthz still answers at once."""

    def test_no_mix_of_slow_clients_starves_healthz(self):
        hang = HangingReceiver()
        server = Server()
        try:
            asyncio.run(self.load(server, hang))
        finally:
            server.stop()
            hang.stop()

    async def load(self, server, hang):
        host, port = address(server)
        long_run = server.start_run(LONG_SCENARIO)
        quiet = server.start_run(QUIET_SCENARIO)
        quiet_stream = asyncio.create_task(self.read_until_heartbeat(server, quiet["id"]))

        async def slowloris():
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            await writer.drain()
            return reader, writer

        async def long_poll():
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request_bytes("GET", "/runs/%s?wait=60" % long_run["id"], "127.0.0.1"))
            await writer.drain()
            return reader, writer

        async def sse():
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request_bytes("GET", "/runs/%s/events" % long_run["id"], "127.0.0.1"))
            await writer.drain()
            return reader, writer

        async def idle_keep_alive():  # one request answered, then the connection just stays open
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            await writer.drain()
            self.assertEqual((await read_answer(reader))[0], 200)
            return reader, writer

        async def waiting_trigger():
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(request_bytes("POST", "/trigger", "127.0.0.1", {
                "vendor": "voiceflow", "event": "runtime.call.start", "target": hang.url, "timeout_ms": 60000}))
            await writer.drain()
            return reader, writer

        slow = await asyncio.gather(*[slowloris() for _ in range(200)])
        idle = await asyncio.gather(*[idle_keep_alive() for _ in range(64)])
        triggers = await asyncio.gather(*[waiting_trigger() for _ in range(40)])
        polls = await asyncio.gather(*[long_poll() for _ in range(64)])
        streams = await asyncio.gather(*[sse() for _ in range(64)])
        received = [0] * len(streams)

        async def drain_stream(i, reader):
            while True:
                data = await reader.read(65536)
                if not data:
                    return
                received[i] += len(data)

        stream_readers = [asyncio.create_task(drain_stream(i, r)) for i, (r, _) in enumerate(streams)]

        async def drip():  # a header byte per second on every slowloris connection
            while True:
                await asyncio.sleep(1)
                for _, writer in slow:
                    if not writer.is_closing():
                        writer.write(b"x")

        dripping = asyncio.create_task(drip())
        await asyncio.sleep(1.5)
        self.assertTrue(all(n > 0 for n in received), "every SSE stream got its first events")

        latencies = []
        for _ in range(20):
            status, ms = await timed_healthz(server)
            self.assertEqual(status, 200)
            latencies.append(ms)
            await asyncio.sleep(0.05)
        worst = max(latencies)
        print("\n/healthz under 200 slowloris + 64 idle + 64 long polls + 64 SSE + 40 triggers: worst %.1f ms, "
              "median %.1f ms" % (worst, sorted(latencies)[len(latencies) // 2]), file=sys.stderr)
        self.assertLess(worst, 100)

        # Starting a run does not queue behind the triggers waiting for their receiver.
        started = time.monotonic()
        status, _, answer = await ask(server, request_bytes("POST", "/runs", "127.0.0.1", {"scenario": QUICK_SCENARIO}))
        took = (time.monotonic() - started) * 1000
        self.assertEqual(status, 201, answer)
        print("POST /runs meanwhile: %.1f ms" % took, file=sys.stderr)
        self.assertLess(took, 1000)

        # 100 /healthz at once: every one answered (the backlog is the system's, not 5).
        answers = await asyncio.gather(*[timed_healthz(server) for _ in range(100)], return_exceptions=True)
        statuses = [a[0] if isinstance(a, tuple) else repr(a) for a in answers]
        self.assertEqual(statuses, [200] * 100)
        print("100 concurrent /healthz: all 200, slowest %.1f ms" % max(a[1] for a in answers), file=sys.stderr)

        # Another route answers too while all of that holds.
        status, _, body = await get(server, "/runs/" + long_run["id"])
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["state"], "running")

        # The header deadline (10 s) drops the slowloris connections.
        await asyncio.sleep(10)
        closed = 0
        for reader, _ in slow:
            try:
                closed += 1 if await asyncio.wait_for(reader.read(1024), 1) == b"" else 0
            except ConnectionError:  # reset: the drip wrote to a closed connection
                closed += 1
            except asyncio.TimeoutError:
                pass
        self.assertEqual(closed, 200, "slowloris connections dropped at the header deadline")
        dripping.cancel()

        # The long polls still wait (bounded by ?wait), and end with the run.
        status, _, _ = await ask(server, request_bytes("DELETE", "/runs/" + long_run["id"], "127.0.0.1"))
        self.assertEqual(status, 202)
        answered = await asyncio.wait_for(asyncio.gather(*[read_answer(r) for r, _ in polls]), 15)
        self.assertTrue(all(a[0] == 200 and json.loads(a[2])["state"] == "interrupted" for a in answered))
        await asyncio.wait_for(asyncio.gather(*stream_readers), 15)
        # Idle keep-alive connections are closed after 30 s idle, not before: still served.
        reader, writer = idle[0]
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        await writer.drain()
        self.assertEqual((await asyncio.wait_for(read_answer(reader), 5))[0], 200)
        for _, writer in slow + idle + polls + streams + triggers:
            writer.close()

        heartbeat_after = await asyncio.wait_for(quiet_stream, 30)
        self.assertLess(heartbeat_after, 19)

    async def read_until_heartbeat(self, server, run_id):
        """Seconds until a quiet stream's first heartbeat comment."""
        host, port = address(server)
        started = time.monotonic()
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(request_bytes("GET", "/runs/%s/events" % run_id, "127.0.0.1"))
        await writer.drain()
        try:
            while True:
                line = await reader.readline()
                if not line:
                    raise AssertionError("the stream ended without a heartbeat")
                if line.startswith(b": heartbeat"):
                    return time.monotonic() - started
        finally:
            writer.close()


class LimitsAndFramingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--max-connections", "8", "--max-body", "4096")
        cls.host = "%s:%d" % address(cls.server)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_connections_past_the_cap_get_503_at_once(self):
        async def body():
            host, port = address(self.server)
            held = [await asyncio.open_connection(host, port) for _ in range(8)]
            await asyncio.sleep(0.3)  # accepted
            started = time.monotonic()
            status, headers, _ = await get(self.server, "/healthz", timeout=3)
            self.assertEqual(status, 503)
            self.assertLess(time.monotonic() - started, 1)
            self.assertEqual(headers.get("connection"), "close")
            for _, writer in held:
                writer.close()
            await asyncio.sleep(0.3)
            self.assertEqual((await get(self.server, "/healthz"))[0], 200)
        asyncio.run(body())

    def test_a_bad_max_connections_is_a_usage_error(self):
        for value in ("-1", "0", "1e3"):
            bad = subprocess.run([serve_fixture.CALLHOOK, "serve", "--listen", "127.0.0.1:0", "--max-connections", value],
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(bad.returncode, 2, value)
            self.assertIn("--max-connections", bad.stderr)

    def test_a_chunked_body_over_max_body_is_413_before_it_is_read_whole(self):
        async def body():
            host, port = address(self.server)
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(("POST /runs HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n" % self.host).encode())
            chunk = b"%x\r\n%s\r\n" % (1000, b" " * 1000)
            for _ in range(6):  # 6,000 bytes: over 4,096; a 100 MB body would follow
                writer.write(chunk)
            await writer.drain()
            status, _, answer = await asyncio.wait_for(read_answer(reader), 3)
            self.assertEqual(status, 413)
            self.assertIn(b"--max-body", answer)
            # The server has closed: more of the body goes nowhere.
            sent = 0
            with self.assertRaises((ConnectionError, asyncio.TimeoutError, OSError)):
                for _ in range(100000):
                    writer.write(chunk * 64)
                    await asyncio.wait_for(writer.drain(), 3)
                    sent += len(chunk) * 64
            self.assertLess(sent, 20 * 1024 * 1024)
            writer.close()
        asyncio.run(body())
        self.assertEqual(self.runs(), [])

    def test_max_body_holds_for_any_content_type_and_length(self):
        status, _, _ = asyncio.run(ask(self.server, request_bytes("POST", "/runs", self.host, b"x" * 5000)))
        self.assertEqual(status, 413)
        status, _, _ = asyncio.run(ask(self.server, request_bytes(
            "POST", "/runs", self.host, b"x" * 5000, content_type="application/x-www-form-urlencoded")))
        self.assertIn(status, (413, 415))

    def test_content_length_with_chunked_or_not_a_number_is_400(self):
        both = ("POST /runs HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
                "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" % self.host).encode()
        self.assertEqual(asyncio.run(ask(self.server, both))[0], 400)
        both = ("POST /runs HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                "Content-Length: 5\r\n\r\n0\r\n\r\n" % self.host).encode()
        self.assertEqual(asyncio.run(ask(self.server, both))[0], 400)
        word = ("POST /runs HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: ten\r\n\r\n"
                % self.host).encode()
        self.assertEqual(asyncio.run(ask(self.server, word))[0], 400)
        self.assertEqual(self.runs(), [])

    def test_a_range_header_is_ignored(self):
        status, headers, body = asyncio.run(get(self.server, "/vendors", headers={"Range": "bytes=0-,0-,0-,0-"}))
        self.assertEqual(status, 200)
        self.assertNotIn("content-range", headers)
        self.assertEqual(len(body), int(headers["content-length"]))
        json.loads(body)

    def test_wrong_method_is_405_with_allow_and_unknown_method_501(self):
        status, headers, body = asyncio.run(ask(self.server, request_bytes("PUT", "/runs", self.host)))
        self.assertEqual(status, 405)
        self.assertEqual(sorted(m.strip() for m in headers["allow"].split(",")), ["GET", "POST"])
        self.assertIn("error", json.loads(body))
        status, headers, _ = asyncio.run(ask(self.server, request_bytes("PATCH", "/runs/run-1", self.host)))
        self.assertEqual(status, 405)
        self.assertEqual(sorted(m.strip() for m in headers["allow"].split(",")), ["DELETE", "GET"])
        self.assertEqual(asyncio.run(ask(self.server, request_bytes("BREW", "/runs", self.host)))[0], 501)
        self.assertEqual(asyncio.run(ask(self.server, request_bytes("GET", "/nowhere", self.host)))[0], 404)

    def runs(self):
        status, runs = self.server.json("GET", "/runs")
        self.assertEqual(status, 200)
        return runs


class CrossSiteTest(unittest.TestCase):
    def test_cross_origin_and_foreign_host_are_403_and_start_nothing(self):
        server = Server("--allow-origin", "http://app.example", "--allow-host", "callhook.internal")
        try:
            host = "%s:%d" % address(server)
            body = json.dumps({"scenario": QUICK_SCENARIO}).encode()
            # What a page's no-cors fetch sends: text/plain, its own Origin.
            page = request_bytes("POST", "/runs", host, body, {"Origin": "http://evil.example"}, "text/plain")
            status, _, answer = asyncio.run(ask(server, page))
            self.assertEqual(status, 403)
            self.assertIn("Origin", json.loads(answer)["error"])
            rebinding = request_bytes("POST", "/runs", "evil.example:%d" % address(server)[1], body)
            status, _, answer = asyncio.run(ask(server, rebinding))
            self.assertEqual(status, 403)
            self.assertIn("Host", json.loads(answer)["error"])
            self.assertEqual(asyncio.run(get(server, "/runs", headers={}))[0], 200)
            # A text/plain POST without an Origin is 415, also nothing started.
            status, _, _ = asyncio.run(ask(server, request_bytes("POST", "/runs", host, body, content_type="text/plain")))
            self.assertEqual(status, 415)
            self.assertEqual(server.json("GET", "/runs"), (200, []))
            # An allowed Origin and an --allow-host are served.
            status, _, answer = asyncio.run(ask(server, request_bytes(
                "POST", "/runs", "callhook.internal:1", body, {"Origin": "http://app.example"})))
            self.assertEqual(status, 201, answer)
            self.assertEqual(json.loads(answer)["id"], "run-1")
            preflight = request_bytes("OPTIONS", "/runs", host, None, {
                "Origin": "http://app.example", "Access-Control-Request-Method": "POST"})
            status, headers, _ = asyncio.run(ask(server, preflight))
            self.assertEqual(status, 204)
            self.assertEqual(headers["access-control-allow-origin"], "http://app.example")
            self.assertIn("POST", headers["access-control-allow-methods"])
            self.assertIn("Content-Type", headers["access-control-allow-headers"])
            for name in ("localhost", "[::1]", "127.0.0.1"):
                self.assertEqual(asyncio.run(ask(server, request_bytes("GET", "/healthz", name + ":9")))[0], 200)
        finally:
            server.stop()


class SemanticsTest(unittest.TestCase):
    def test_bearer_scheme_in_any_case(self):
        server = Server("--token", "s3cret")
        try:
            for scheme in ("Bearer", "bearer", "BEARER"):
                status, _, _ = asyncio.run(get(server, "/runs", headers={"Authorization": scheme + " s3cret"}))
                self.assertEqual(status, 200, scheme)
            self.assertEqual(asyncio.run(get(server, "/runs", headers={"Authorization": "Basic s3cret"}))[0], 401)
        finally:
            server.stop()

    def test_delete_cancels_a_running_run_and_purges_an_ended_one_only_when_asked(self):
        server = Server()
        try:
            # A refused POST uses up no id.
            status, _ = server.json("POST", "/runs", {"scenario": {"streams": [{"vendor": "nope"}]}})
            self.assertEqual(status, 400)
            run = server.start_run(dict(LONG_SCENARIO, name="cancelled"), grace_ms=0)
            self.assertEqual(run["id"], "run-1")
            self.assertEqual(server.json("DELETE", run["urls"]["self"])[0], 202)
            self.assertEqual(server.json("DELETE", run["urls"]["self"])[0], 202)  # a retried cancel
            self.assertEqual(server.wait(run["id"])["state"], "interrupted")
            status, error = server.json("DELETE", run["urls"]["self"])
            self.assertEqual(status, 409)
            self.assertIn("purge=1", error["error"])
            self.assertEqual(server.json("GET", run["urls"]["report"])[0], 200)
            self.assertEqual(server.request("DELETE", run["urls"]["self"] + "?purge=1")[0], 204)
            self.assertEqual(server.json("GET", run["urls"]["self"])[0], 404)
        finally:
            server.stop()

    def test_sse_ids_and_last_event_id(self):
        server = Server()
        try:
            run = server.start_run(QUICK_SCENARIO)
            server.wait(run["id"])
            status, _, body = asyncio.run(get(server, run["urls"]["events"]))
            self.assertEqual(status, 200)
            blocks = sse_blocks(body)
            ids = [int(b["id"]) for b in blocks if "id" in b]
            self.assertGreater(len(ids), 3)
            self.assertEqual(ids, sorted(set(ids)))
            self.assertEqual(blocks[-1]["event"], "end")
            after = ids[2]
            status, _, body = asyncio.run(get(server, run["urls"]["events"], headers={"Last-Event-ID": str(after)}))
            resumed = sse_blocks(body)
            self.assertEqual([int(b["id"]) for b in resumed if "id" in b], ids[3:])
            self.assertEqual(resumed[-1]["event"], "end")
        finally:
            server.stop()

    def test_sigterm_ends_long_polls_streams_and_waiting_triggers(self):
        hang = HangingReceiver()
        server = Server()
        try:
            run = server.start_run(LONG_SCENARIO)
            host = "%s:%d" % address(server)

            async def body():
                h, p = address(server)
                connections = []
                for raw in (request_bytes("GET", "/runs/%s?wait=60" % run["id"], host),
                            request_bytes("GET", "/runs/%s/events" % run["id"], host),
                            request_bytes("POST", "/trigger", host, {
                                "vendor": "voiceflow", "event": "runtime.call.start", "target": hang.url,
                                "timeout_ms": 120000})):
                    reader, writer = await asyncio.open_connection(h, p)
                    writer.write(raw)
                    await writer.drain()
                    connections.append((reader, writer))
                await asyncio.sleep(1)
                started = time.monotonic()
                server.process.send_signal(signal.SIGTERM)
                answers = await asyncio.wait_for(asyncio.gather(*[read_answer(r) for r, _ in connections]), 10)
                took = time.monotonic() - started
                for _, writer in connections:
                    writer.close()
                    await writer.wait_closed()
                return answers, took

            (poll, stream, trigger), took = asyncio.run(body())
            self.assertLess(took, 5)
            self.assertEqual(poll[0], 200)
            self.assertEqual(sse_blocks(stream[2])[-1]["event"], "end")
            self.assertEqual(trigger[0], 503)
            self.assertEqual(server.process.wait(timeout=10), 0)
        finally:
            server.stop()
            hang.stop()


class HangingReceiver:
    """Accepts connections and never answers."""

    def __init__(self):
        import socket
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(128)
        self.url = "http://127.0.0.1:%d/hooks" % self.socket.getsockname()[1]

    def stop(self):
        self.socket.close()


class JournalDirTest(unittest.TestCase):
    def test_a_missing_journal_folder_is_made_again_or_503(self):
        tmp = tempfile.mkdtemp()
        server = Server(env={"TMPDIR": tmp})
        try:
            (folder,) = [os.path.join(tmp, name) for name in os.listdir(tmp)]
            shutil.rmtree(folder)
            run = server.start_run(QUICK_SCENARIO)
            self.assertEqual(server.wait(run["id"])["state"], "finished")
            self.assertTrue(os.path.isdir(folder))
            shutil.rmtree(folder)
            with open(folder, "w") as f:  # cannot be made again: a file holds its name
                f.write("in the way")
            status, error = server.json("POST", "/runs", {"scenario": QUICK_SCENARIO})
            self.assertEqual(status, 503)
            self.assertIn("journal directory", error["error"])
            status, health = server.json("GET", "/healthz")
            self.assertEqual(status, 503)
            self.assertFalse(health["ok"])
            os.remove(folder)
            self.assertEqual(server.json("GET", "/healthz")[0], 200)
        finally:
            server.stop()
            shutil.rmtree(tmp, ignore_errors=True)


class TlsTest(unittest.TestCase):
    def test_serve_over_tls_with_a_self_signed_certificate(self):
        tmp = tempfile.mkdtemp()
        try:
            cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                            "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
            server = Server("--tls-cert", cert, "--tls-key", key)
            try:
                self.assertTrue(server.url.startswith("https://"), server.url)
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                status, _, body = asyncio.run(get(server, "/healthz", tls=context))
                self.assertEqual(status, 200)
                self.assertTrue(json.loads(body)["ok"])
                host = "%s:%d" % address(server)
                status, _, body = asyncio.run(ask(server, request_bytes(
                    "POST", "/runs", host, {"scenario": QUICK_SCENARIO}), tls=context))
                self.assertEqual(status, 201, body)
                # Plain HTTP on the TLS port gets no answer.
                with self.assertRaises((asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError)):
                    asyncio.run(get(server, "/healthz", timeout=2))
            finally:
                server.stop()
            bad = subprocess.run([serve_fixture.CALLHOOK, "serve", "--listen", "127.0.0.1:0", "--tls-cert", cert],
                                 capture_output=True, text=True, timeout=30)
            self.assertEqual(bad.returncode, 2)
            self.assertIn("--tls-key", bad.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        serve_fixture.CALLHOOK = sys.argv.pop(1)
    unittest.main(verbosity=2)
