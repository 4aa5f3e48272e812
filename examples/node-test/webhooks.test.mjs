// A receiver's test suite that drives `callhook serve` with its Node client
// (clients/node, imported here from the repository; `npm install
// ./clients/node` makes it `callhook-client`) and Node's own test runner:
//   node --test examples/node-test/
// Environment: CALLHOOK_URL (default http://127.0.0.1:8700), CALLHOOK_TOKEN
// (when the server has one), RECEIVER_URL (the webhook URL under test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Callhook } from '../../clients/node/index.mjs';

const api = new Callhook(process.env.CALLHOOK_URL ?? 'http://127.0.0.1:8700'); // token: CALLHOOK_TOKEN
const RECEIVER_URL = process.env.RECEIVER_URL ?? 'http://127.0.0.1:8080/webhooks';

test('every webhook of five Voiceflow calls is accepted', async () => {
  const scenario = {
    name: 'voiceflow-calls',
    seed: 7,
    speed: 'max',
    streams: [{ vendor: 'voiceflow', calls: { count: 5 } }],
    expect: { failed: 0 },
  };
  const run = await api.run(scenario, RECEIVER_URL); // waits for the end
  assert.equal(run.state, 'finished');
  const report = await api.report(run.id);
  assert.ok(report.totals.planned > 0);
  assert.equal(report.totals.delivered, report.totals.planned);
  assert.equal(run.exit_code, 0);
});

test('the live events end with the run', async () => {
  const scenario = { name: 'one-call', speed: 'max', streams: [{ vendor: 'atoms', calls: { count: 1 } }] };
  const run = await api.start(scenario, RECEIVER_URL);
  const names = [];
  for await (const { event } of api.events(run.id)) names.push(event);
  assert.ok(names.includes('attempt'));
  assert.equal(names.at(-1), 'end');
});
