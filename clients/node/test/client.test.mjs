// The Node client against a real `callhook serve` (CALLHOOK_BIN names the binary).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Callhook, CallhookError, LocalServe } from '../index.mjs';

const BINARY = process.env.CALLHOOK_BIN ?? 'callhook';
const TWO_CALLS = { name: 'two-calls', seed: 5, speed: 'max', streams: [{ vendor: 'voicekit', calls: { count: 2 } }] };
const SLOW = { name: 'slow', speed: 1, streams: [{ vendor: 'voiceflow', calls: { count: 50, duration_s: 30 } }] };

let serve;
let api;
let receiver;
const bodies = [];
let receiverUrl;

before(async () => {
  serve = await new LocalServe(BINARY).start();
  api = serve.client();
  receiver = createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      bodies.push(Buffer.concat(chunks).toString());
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${receiver.address().port}/hooks`;
});

after(async () => {
  receiver.closeAllConnections?.();
  await new Promise((resolve) => receiver.close(resolve));
  await serve.stop();
});

test('a run waited for ends with its report', async () => {
  const run = await api.run(TWO_CALLS, receiverUrl);
  assert.equal(run.state, 'finished');
  assert.equal(run.exit_code, 0);
  const report = await api.report(run.id);
  assert.ok(report.totals.planned > 0);
  assert.equal(report.totals.delivered, report.totals.planned);
  assert.ok(bodies.length >= report.totals.delivered);
  assert.match(await api.report(run.id, 'junit'), /<testsuite/);
  assert.ok((await api.runs()).some((kept) => kept.id === run.id));
});

test('events stream every attempt, then the end', async () => {
  const run = await api.run(TWO_CALLS);
  const events = [];
  for await (const item of api.events(run.id)) events.push(item);
  assert.equal(events.at(-1).event, 'end');
  assert.equal(events.at(-1).data.id, run.id);
  const attempts = events.filter((item) => item.event === 'attempt');
  assert.equal(attempts.length, run.counters.sent);
  const journal = await api.journal(run.id);
  assert.equal(journal.filter((record) => record.kind === 'attempt').length, attempts.length);
});

test('a refused scenario throws with its problems', async () => {
  await assert.rejects(api.start({ streams: [{ vendor: 'nope' }] }), (error) => {
    assert.ok(error instanceof CallhookError);
    assert.equal(error.status, 400);
    assert.equal(error.problems[0].pointer, '/scenario/streams/0/vendor');
    return true;
  });
});

test('a cancelled run ends interrupted', async () => {
  const started = await api.run(SLOW, undefined, { wait: false });
  assert.equal(started.state, 'running');
  await assert.rejects(api.wait(started.id, 0.2), /still running/);
  await api.cancel(started.id);
  assert.equal((await api.wait(started.id, 30)).state, 'interrupted');
});

test('trigger sends one webhook and sample builds the same one', async () => {
  const before = bodies.length;
  const sent = await api.trigger('voicekit', 'call_started', receiverUrl, { seed: 3 });
  assert.equal(sent.verdict, 'delivered');
  assert.equal(bodies.length, before + 1);
  assert.deepEqual(JSON.parse(bodies.at(-1)), JSON.parse(sent.request.body));
  const sample = await api.sample('voicekit', 'call_started', { seed: 3 });
  assert.deepEqual(JSON.parse(sample.body), JSON.parse(sent.request.body));
  assert.ok((await api.vendors()).some((vendor) => vendor.name === 'voicekit'));
});

test('labels, verify and deliveries', async () => {
  const run = await api.run(TWO_CALLS, receiverUrl, { label: 'suite-node', id_prefix: 'node' });
  assert.match(run.id, /^node-/);
  assert.deepEqual((await api.runs({ label: 'suite-node', state: 'finished' })).map((r) => r.id), [run.id]);
  assert.equal((await api.verify(run.id, { failed: 0 })).met, true);
  assert.equal((await api.verify(run.id, { delivered: 1000 })).met, false);
  const sent = await api.deliveries(run.id, { event: 'call_started' });
  assert.equal(sent.count, 2);
  assert.deepEqual(new Set(sent.deliveries.map((d) => d.attempts.at(-1).status)), new Set([200]));
  assert.equal((await api.info()).limits.max_runs, 8);
});

test('the HTML report, a replay and a merge', async () => {
  const run = await api.run(TWO_CALLS, receiverUrl);
  assert.match(await api.report(run.id, 'html'), /^<!DOCTYPE html>/);
  const before = bodies.length;
  const replayed = await api.replay(run.id, { speed: 'max' });
  assert.equal(replayed.state, 'finished');
  assert.equal(replayed.scenario, `replay of ${run.id}`);
  assert.equal(bodies.length - before, run.counters.sent);
  const shards = [];
  for (const shard of ['0/2', '1/2']) shards.push((await api.run(TWO_CALLS, receiverUrl, { shard })).id);
  const merged = await api.merge(shards);
  assert.equal(merged.run.calls, 2);
  assert.equal(merged.totals.delivered, run.counters.delivered);
  assert.match(await api.merge(shards, 'text'), /calls 2/);
  await assert.rejects(api.merge(shards.slice(0, 1)), (error) => error instanceof CallhookError && error.status === 400);
});

test('reset forgets every run', async () => {
  const own = await new LocalServe(BINARY).start();
  try {
    const client = own.client();
    await client.run(TWO_CALLS);
    assert.equal((await client.reset()).runs_forgotten, 1);
    assert.deepEqual(await client.runs(), []);
  } finally {
    await own.stop();
  }
});

test('a server with a token refuses a client without it', async () => {
  const guarded = await new LocalServe(BINARY, [], { token: 's3cret' }).start();
  try {
    assert.ok(await guarded.client().healthy());
    assert.deepEqual(await guarded.client().runs(), []);
    await assert.rejects(new Callhook(guarded.url, { token: 'wrong' }).runs(), (error) => error.status === 401);
  } finally {
    await guarded.stop();
  }
});
