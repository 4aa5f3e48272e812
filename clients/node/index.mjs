// A client for the `callhook serve` control API: Node's own fetch, no
// dependencies. `Callhook` speaks to a running server; `LocalServe` starts one
// from a binary for a test suite and stops it afterwards. Every answer that is
// not 2xx throws `CallhookError`.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

// The server holds a `?wait=` answer at most this long; longer waits ask again.
const LONGEST_WAIT_S = 60;

export class CallhookError extends Error {
  constructor(status, message, problems = [], body = '') {
    super(`${status} ${message}`);
    this.name = 'CallhookError';
    this.status = status;
    this.problems = problems;
    this.body = body;
  }
}

const quote = (part) => encodeURIComponent(String(part));

export class Callhook {
  constructor(url = 'http://127.0.0.1:8700', { token = process.env.CALLHOOK_TOKEN } = {}) {
    this.url = url.replace(/\/+$/, '');
    this.token = token || undefined;
  }

  // Runs

  start(scenario, target, options = {}) {
    const body = { scenario, ...options };
    if (target !== undefined) body.target = target;
    return this.#json('POST', '/runs', body);
  }

  async run(scenario, target, { wait = true, timeoutS, ...options } = {}) {
    const started = await this.start(scenario, target, options);
    return wait ? this.wait(started.id, timeoutS) : started;
  }

  get(runId) {
    return this.#json('GET', `/runs/${quote(runId)}`);
  }

  // The runs kept, oldest first; only those with `label` and in `state` when
  // given. Follows every page (the Link header).
  async runs({ label, state } = {}) {
    const query = new URLSearchParams();
    if (label !== undefined) query.set('label', label);
    if (state !== undefined) query.set('state', state);
    let path = `/runs${query.toString() ? `?${query}` : ''}`;
    const found = [];
    while (path) {
      const answer = await this.#fetch('GET', path);
      found.push(...(await answer.json()));
      path = /<([^>]+)>;\s*rel="next"/.exec(answer.headers.get('link') ?? '')?.[1];
    }
    return found;
  }

  verify(runId, expect) {
    return this.#json('POST', `/runs/${quote(runId)}/verify`, { expect });
  }

  deliveries(runId, filter = {}) {
    const query = new URLSearchParams(filter).toString();
    return this.#json('GET', `/runs/${quote(runId)}/deliveries${query ? `?${query}` : ''}`);
  }

  wait(runId, timeoutS) {
    return this.#wait(`/runs/${quote(runId)}`, timeoutS);
  }

  cancel(runId) {
    return this.#json('DELETE', `/runs/${quote(runId)}`);
  }

  // An ended run's requests again, as a new run (POST /runs/{id}/replay, as
  // `callhook replay`); options: target, speed, only, delivery, ...
  async replay(runId, { wait = true, timeoutS, ...options } = {}) {
    const started = await this.#json('POST', `/runs/${quote(runId)}/replay`, options);
    return wait ? this.wait(started.id, timeoutS) : started;
  }

  // The shards' runs joined into the whole run's report (POST /reports/merge,
  // as `callhook merge`): the JSON report, or junit, text or html as text.
  async merge(runIds, format = 'json') {
    const body = { runs: [...runIds] };
    if (format === 'json') return this.#json('POST', '/reports/merge', body);
    return (await this.#fetch('POST', `/reports/merge?format=${quote(format)}`, body)).text();
  }

  // The scenarios a run may name ({ scenario: NAME }).
  scenarios() {
    return this.#json('GET', '/scenarios');
  }

  async report(runId, format = 'json') {
    if (format === 'json') return this.#json('GET', `/runs/${quote(runId)}/report`);
    return (await this.#fetch('GET', `/runs/${quote(runId)}/report?format=${quote(format)}`)).text();
  }

  async journal(runId) {
    const text = await (await this.#fetch('GET', `/runs/${quote(runId)}/journal`)).text();
    return text.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
  }

  // The run's Server-Sent Events as { event, data }, live, until its `end` event.
  async *events(runId) {
    const answer = await this.#fetch('GET', `/runs/${quote(runId)}/events`, undefined, { Accept: 'text/event-stream' });
    const decoder = new TextDecoder();
    let pending = '';
    let event = 'message';
    let data = [];
    for await (const chunk of answer.body) {
      pending += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline).replace(/\r$/, '');
        pending = pending.slice(newline + 1);
        if (line === '') {
          if (data.length) {
            const parsed = JSON.parse(data.join('\n'));
            yield { event, data: parsed };
            if (event === 'end') return;
          }
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
      }
    }
  }

  // Explores

  async explore(scenario, { wait = true, timeoutS, ...options } = {}) {
    const started = await this.#json('POST', '/explores', { scenario, ...options });
    return wait ? this.#wait(`/explores/${quote(started.id)}`, timeoutS) : started;
  }

  failureScenario(exploreId, n) {
    return this.#json('GET', `/explores/${quote(exploreId)}/failures/${Number(n)}`);
  }

  // Single events and the catalog

  trigger(vendor, event, target, options = {}) {
    return this.#json('POST', '/trigger', { vendor, event, target, ...options });
  }

  sample(vendor, event, query = {}) {
    const search = new URLSearchParams(query).toString();
    return this.#json('GET', `/vendors/${quote(vendor)}/events/${quote(event)}/sample${search ? `?${search}` : ''}`);
  }

  vendors() {
    return this.#json('GET', '/vendors');
  }

  info() {
    return this.#json('GET', '/info');
  }

  reset() {
    return this.#json('POST', '/reset', {});
  }

  async healthy() {
    try {
      await this.#json('GET', '/healthz');
      return true;
    } catch {
      return false;
    }
  }

  // Plumbing

  async #wait(path, timeoutS) {
    const deadline = timeoutS === undefined ? undefined : Date.now() + timeoutS * 1000;
    for (;;) {
      const left = deadline === undefined ? LONGEST_WAIT_S : Math.max(0, (deadline - Date.now()) / 1000);
      const current = await this.#json('GET', `${path}?wait=${Math.min(LONGEST_WAIT_S, left)}`);
      if (current.state !== 'running') return current;
      if (deadline !== undefined && Date.now() >= deadline) {
        throw new Error(`${path} still running after ${timeoutS} s`);
      }
    }
  }

  async #fetch(method, path, body, extraHeaders = {}) {
    const headers = { ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    const answer = await fetch(this.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!answer.ok) {
      const text = await answer.text();
      let parsed = {};
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: the status says enough
      }
      throw new CallhookError(answer.status, parsed.error ?? answer.statusText, parsed.problems ?? [], text);
    }
    return answer;
  }

  async #json(method, path, body) {
    const text = await (await this.#fetch(method, path, body)).text();
    return text ? JSON.parse(text) : null;
  }
}

// A `callhook serve` started from `binary` on a free loopback port.
export class LocalServe {
  constructor(binary = 'callhook', args = [], { token, startupS = 30 } = {}) {
    this.binary = binary;
    this.args = args;
    this.token = token;
    this.startupS = startupS;
    this.url = '';
    this.output = [];
  }

  async start() {
    const env = { ...process.env };
    if (this.token) env.CALLHOOK_TOKEN = this.token;
    this.process = spawn(this.binary, ['serve', '--listen', '127.0.0.1:0', ...this.args], { env });
    this.process.stderr.on('data', (chunk) => this.output.push(chunk.toString()));
    const lines = createInterface({ input: this.process.stdout });
    // The first line names the address: "callhook serve: listening on http://127.0.0.1:PORT".
    const first = await new Promise((resolve) => {
      lines.once('line', resolve);
      this.process.once('exit', () => resolve(''));
    });
    lines.on('line', (line) => this.output.push(line));
    const found = /listening on (\S+)/.exec(first);
    if (!found) {
      await this.stop();
      throw new Error(`callhook serve did not start: ${first || this.output.join('')}`);
    }
    this.url = found[1];
    const deadline = Date.now() + this.startupS * 1000;
    while (!(await this.client().healthy())) {
      if (Date.now() >= deadline || this.process.exitCode !== null) {
        await this.stop();
        throw new Error(`callhook serve at ${this.url} never became healthy`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this;
  }

  client() {
    return new Callhook(this.url, { token: this.token });
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10000);
    await exited;
    clearTimeout(timer);
  }
}
