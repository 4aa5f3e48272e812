"""A client for the `callhook serve` control API, standard library only.

`Callhook` speaks to a running server; `LocalServe` starts one from a binary
for a test suite and stops it afterwards (the Testcontainers pattern, without
Docker). Every answer that is not 2xx raises `CallhookError`.
"""
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

__all__ = ["Callhook", "CallhookError", "LocalServe"]

Json = Dict[str, Any]

# The server holds a `?wait=` answer at most this long; longer waits ask again.
_LONGEST_WAIT_S = 60


class CallhookError(Exception):
    """An answer that is not 2xx: its status, the server's message and, for
    a refused scenario or request, its problems (JSON pointer and message)."""

    def __init__(self, status: int, message: str, problems: Optional[List[Json]] = None, body: str = ""):
        super().__init__("%d %s" % (status, message))
        self.status = status
        self.message = message
        self.problems = problems or []
        self.body = body


class Callhook:
    """The control API of one `callhook serve` at `url` (with its token, if it has one)."""

    def __init__(self, url: str = "http://127.0.0.1:8700", token: Optional[str] = None, timeout_s: float = 90):
        self.url = url.rstrip("/")
        self.token = token if token is not None else os.environ.get("CALLHOOK_TOKEN") or None
        self.timeout_s = timeout_s

    # Runs

    def start(self, scenario: Union[Json, str], target: Optional[str] = None, **options: Any) -> Json:
        """Starts a run (`POST /runs`); options are the body's other keys (seed, speed, set, ...)."""
        body: Json = {"scenario": scenario, **options}
        if target is not None:
            body["target"] = target
        return self._json("POST", "/runs", body)

    def run(self, scenario: Union[Json, str], target: Optional[str] = None, wait: bool = True,
            timeout_s: Optional[float] = None, **options: Any) -> Json:
        """Starts a run and, with `wait`, returns it once it has ended."""
        started = self.start(scenario, target, **options)
        return self.wait(started["id"], timeout_s) if wait else started

    def get(self, run_id: str) -> Json:
        """The run as `GET /runs/{id}` shows it."""
        return self._json("GET", "/runs/" + _quote(run_id))

    def runs(self, label: Optional[str] = None, state: Optional[str] = None) -> List[Json]:
        """The runs the server keeps, oldest first; only those with `label`
        (as given to start) and in `state` when said. Follows every page."""
        query = {k: v for k, v in (("label", label), ("state", state)) if v is not None}
        path: Optional[str] = "/runs" + ("?" + urllib.parse.urlencode(query) if query else "")
        found: List[Json] = []
        while path:
            with self._open(self._request("GET", path, None), self.timeout_s) as answer:
                found += json.loads(answer.read())
                path = _next_page(answer.headers.get("Link"))
        return found

    def verify(self, run_id: str, expect: Json) -> Json:
        """Judges an ended run by `expect` rules (as a scenario's): {"met", "expectations"}."""
        return self._json("POST", "/runs/%s/verify" % _quote(run_id), {"expect": expect})

    def deliveries(self, run_id: str, call: Optional[str] = None, event: Optional[str] = None,
                   outcome: Optional[str] = None, limit: Optional[int] = None) -> Json:
        """What the run sent, with every attempt and answer: {"count", "deliveries"}, filtered."""
        query = {k: v for k, v in (("call", call), ("event", event), ("outcome", outcome), ("limit", limit))
                 if v is not None}
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return self._json("GET", "/runs/%s/deliveries%s" % (_quote(run_id), suffix))

    def wait(self, run_id: str, timeout_s: Optional[float] = None) -> Json:
        """Long-polls until the run has ended; raises TimeoutError when `timeout_s` passes first."""
        return self._wait("/runs/" + _quote(run_id), timeout_s)

    def cancel(self, run_id: str) -> Json:
        """Cancels a running run (`DELETE`, 202); it ends as `interrupted`, with its report."""
        return self._json("DELETE", "/runs/" + _quote(run_id))

    def replay(self, run_id: str, wait: bool = True, timeout_s: Optional[float] = None, **options: Any) -> Json:
        """Sends an ended run's requests again as a new run (`POST /runs/{id}/replay`, as
        `callhook replay`); options: target, speed, only, delivery, ... With `wait`, returns
        the new run once it has ended."""
        started = self._json("POST", "/runs/%s/replay" % _quote(run_id), options)
        return self.wait(started["id"], timeout_s) if wait else started

    def merge(self, run_ids: List[str], format: str = "json") -> Union[Json, str]:
        """The shards' runs (started with shard="I/N") joined into the whole run's report
        (`POST /reports/merge`, as `callhook merge`): a dict, or `junit`/`text`/`html` as text."""
        path = "/reports/merge" + ("" if format == "json" else "?format=" + _quote(format))
        if format == "json":
            return self._json("POST", path, {"runs": list(run_ids)})
        return self._text("POST", path, {"runs": list(run_ids)})

    def scenarios(self) -> List[Json]:
        """The scenarios a run may name (`"scenario": NAME`): [{"name", "description"}]."""
        return self._json("GET", "/scenarios")

    def report(self, run_id: str, format: str = "json") -> Union[Json, str]:
        """The run's report: the JSON report (a dict), or `junit`, `text` or `html` (the
        self-contained page of `run --html`) as text."""
        if format == "json":
            return self._json("GET", "/runs/%s/report" % _quote(run_id))
        return self._text("GET", "/runs/%s/report?format=%s" % (_quote(run_id), _quote(format)))

    def journal(self, run_id: str) -> List[Json]:
        """The run's journal records (waits for the run to end)."""
        text = self._text("GET", "/runs/%s/journal" % _quote(run_id))
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def events(self, run_id: str) -> Iterator[Tuple[str, Json]]:
        """The run's Server-Sent Events as (event, data), live, until its `end` event."""
        request = self._request("GET", "/runs/%s/events" % _quote(run_id), None)
        request.add_header("Accept", "text/event-stream")
        with self._open(request, None) as answer:
            yield from _server_sent_events(answer)

    # Explores

    def explore(self, scenario: Union[Json, str], wait: bool = True, timeout_s: Optional[float] = None,
                **options: Any) -> Json:
        """Starts an explore (`POST /explores`) and, with `wait`, returns it once it has finished."""
        started = self._json("POST", "/explores", {"scenario": scenario, **options})
        return self._wait("/explores/" + _quote(started["id"]), timeout_s) if wait else started

    def failure_scenario(self, explore_id: str, n: int) -> Json:
        """Failure n's minimal scenario, ready for `run`."""
        return self._json("GET", "/explores/%s/failures/%d" % (_quote(explore_id), n))

    # Single events and the catalog

    def trigger(self, vendor: str, event: str, target: str, **options: Any) -> Json:
        """Sends one webhook to `target` (`POST /trigger`): both sides and the vendor's verdict."""
        return self._json("POST", "/trigger", {"vendor": vendor, "event": event, "target": target, **options})

    def sample(self, vendor: str, event: str, **query: Any) -> Json:
        """One webhook as `callhook sample` builds it, without sending it."""
        suffix = "?" + urllib.parse.urlencode(query) if query else ""
        return self._json("GET", "/vendors/%s/events/%s/sample%s" % (_quote(vendor), _quote(event), suffix))

    def vendors(self) -> List[Json]:
        return self._json("GET", "/vendors")

    def info(self) -> Json:
        """Version, limits and free run slots."""
        return self._json("GET", "/info")

    def reset(self) -> Json:
        """Cancels and forgets every run and explore."""
        return self._json("POST", "/reset", {})

    def healthy(self) -> bool:
        """True when `/healthz` answers 200."""
        try:
            self._json("GET", "/healthz")
            return True
        except (CallhookError, OSError):
            return False

    # Plumbing

    def _wait(self, path: str, timeout_s: Optional[float]) -> Json:
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            step = _LONGEST_WAIT_S if deadline is None else max(0.0, min(_LONGEST_WAIT_S, deadline - time.monotonic()))
            current = self._json("GET", "%s?wait=%g" % (path, step))
            if current["state"] != "running":
                return current
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError("%s still running after %g s" % (path, timeout_s))

    def _request(self, method: str, path: str, body: Optional[Json]) -> urllib.request.Request:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        return request

    def _open(self, request: urllib.request.Request, timeout_s: Optional[float]):
        try:
            return urllib.request.urlopen(request, timeout=timeout_s)
        except urllib.error.HTTPError as refusal:
            text = refusal.read().decode("utf-8", "replace")
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = {}
            raise CallhookError(refusal.code, parsed.get("error", refusal.reason), parsed.get("problems"),
                                text) from None

    def _text(self, method: str, path: str, body: Optional[Json] = None) -> str:
        # A long poll may hold the answer for _LONGEST_WAIT_S: the socket timeout leaves room for it.
        with self._open(self._request(method, path, body), self.timeout_s + _LONGEST_WAIT_S) as answer:
            return answer.read().decode("utf-8")

    def _json(self, method: str, path: str, body: Optional[Json] = None) -> Any:
        text = self._text(method, path, body)
        return json.loads(text) if text else None


def _quote(part: str) -> str:
    return urllib.parse.quote(str(part), safe="")


def _next_page(link: Optional[str]) -> Optional[str]:
    """The path of a `Link: <PATH>; rel="next"` header, None without one."""
    found = re.match(r'<([^>]+)>;\s*rel="next"', link or "")
    return found.group(1) if found else None


def _server_sent_events(stream) -> Iterator[Tuple[str, Json]]:
    """Parses text/event-stream (comments, `id:` and `retry:` lines skipped) until `end`."""
    event, data = "message", []
    for raw in stream:
        line = raw.decode("utf-8").rstrip("\r\n")
        if not line:
            if data:
                parsed = json.loads("\n".join(data))
                yield event, parsed
                if event == "end":
                    return
            event, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)


class LocalServe:
    """A `callhook serve` started from `binary` on a free loopback port, stopped on exit.

    Use as a context manager (or call start() and stop()); `client()` gives a
    `Callhook` for it. `args` are more serve flags (`--max-runs 2`, ...)."""

    def __init__(self, binary: str = "callhook", *args: str, token: Optional[str] = None, startup_s: float = 30):
        self.binary, self.args, self.token, self.startup_s = binary, list(args), token, startup_s
        self.url = ""
        self.output: List[str] = []  # what the server printed after its first line
        self._process: Optional[subprocess.Popen] = None

    def start(self) -> "LocalServe":
        command = [self.binary, "serve", "--listen", "127.0.0.1:0", *self.args]
        environment = dict(os.environ)
        if self.token:
            environment["CALLHOOK_TOKEN"] = self.token
        self._process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
        # The first line names the address: "callhook serve: listening on http://127.0.0.1:PORT".
        line = self._process.stdout.readline().decode("utf-8", "replace")
        found = re.search(r"listening on (\S+)", line)
        if not found:
            self.stop()
            raise RuntimeError("callhook serve did not start: %r" % (line or self._process.stderr.read()))
        self.url = found.group(1)
        # Whatever the server prints later is drained, so a full pipe never blocks it.
        for pipe in (self._process.stdout, self._process.stderr):
            threading.Thread(target=self._drain, args=(pipe,), daemon=True).start()
        deadline = time.monotonic() + self.startup_s
        while not self.client().healthy():
            if time.monotonic() >= deadline or self._process.poll() is not None:
                self.stop()
                raise RuntimeError("callhook serve at %s never became healthy" % self.url)
            time.sleep(0.05)
        return self

    def _drain(self, pipe) -> None:
        for line in pipe:
            self.output.append(line.decode("utf-8", "replace"))

    def client(self) -> Callhook:
        return Callhook(self.url, self.token)

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __enter__(self) -> "LocalServe":
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()
