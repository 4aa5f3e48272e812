// A receiver's test suite that drives `callhook serve` over HTTP, with
// Node's own fetch and test runner:   node --test examples/node-test/
// Environment: CALLHOOK_URL (default http://127.0.0.1:8700), CALLHOOK_TOKEN
// (when the server has one), RECEIVER_URL (the webhook URL under test).
import { test } from 'node:test';
import assert from 'node:assert/strict';

const CALLHOOK_URL = process.env.CALLHOOK_URL ?? 'http://127.0.0.1:8700';
const TOKEN = process.env.CALLHOOK_TOKEN ?? '';
const RECEIVER_URL = process.env.RECEIVER_URL ?? 'http://127.0.0.1:8080/webhooks';

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (TOKEN) headers.Authorization = `Bearer ${TOKEN}`;
  const answer = await fetch(CALLHOOK_URL + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(answer.ok, `${method} ${path}: HTTP ${answer.status} ${await answer.clone().text()}`);
  return answer.json();
}

test('every webhook of five Voiceflow calls is accepted', async () => {
  const scenario = {
    name: 'voiceflow-calls',
    seed: 7,
    speed: 'max',
    streams: [{ vendor: 'voiceflow', calls: { count: 5 } }],
    expect: { failed: 0 },
  };
  let run = await api('POST', '/runs', { scenario, target: RECEIVER_URL });
  while (run.state === 'running') run = await api('GET', `${run.urls.self}?wait=30`);
  assert.equal(run.state, 'finished');
  const report = await api('GET', run.urls.report);
  assert.ok(report.totals.planned > 0);
  assert.equal(report.totals.delivered, report.totals.planned);
  assert.equal(run.exit_code, 0);
});

test('the live events end with the run', async () => {
  const scenario = { name: 'one-call', speed: 'max', streams: [{ vendor: 'atoms', calls: { count: 1 } }] };
  const run = await api('POST', '/runs', { scenario, target: RECEIVER_URL });
  const headers = TOKEN ? { Authorization: `Bearer ${TOKEN}` } : {};
  const text = await (await fetch(CALLHOOK_URL + run.urls.events, { headers })).text();
  const names = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  assert.ok(names.includes('attempt'));
  assert.equal(names.at(-1), 'end');
});
