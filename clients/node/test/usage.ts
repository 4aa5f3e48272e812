// Compiled (not run) by clients/test.sh with `tsc --strict`: the types in
// index.d.ts describe what a TypeScript test suite writes.
import { Callhook, CallhookError, LocalServe, Run } from 'callhook-client'; // the package itself, as a user imports it

async function usage(binary: string): Promise<number> {
  const serve = await new LocalServe(binary, ['--max-runs', '2'], { token: 't' }).start();
  const api: Callhook = serve.client();
  const run: Run = await api.run({ streams: [{ vendor: 'voicekit', calls: { count: 1 } }] }, undefined, { seed: 1, speed: 'max' });
  const junit: string = await api.report(run.id, 'junit');
  const verdict = await api.verify(run.id, { failed: 0 });
  const sent = await api.deliveries(run.id, { event: 'call_started', limit: 5 });
  const mine: Run[] = await api.runs({ label: 'suite', state: 'finished' });
  const page: string = await api.report(run.id, 'html');
  const again: Run = await api.replay(run.id, { speed: 'max', only: 'CA1' });
  const whole = await api.merge([run.id, again.id]);
  const summary: string = await api.merge([run.id], 'text');
  console.log(page.length, whole.exit_code, summary.length, (await api.scenarios())[0]?.name);
  console.log(verdict.met, verdict.expectations[0]?.actual, sent.deliveries[0]?.attempts[0]?.status, mine.length);
  for await (const { event, data } of api.events(run.id)) if (event === 'end') console.log(data.state, junit.length);
  try {
    await api.start('{"streams": []}');
  } catch (error) {
    if (error instanceof CallhookError) return error.problems.length;
  }
  await serve.stop();
  return run.exit_code ?? 3;
}

usage('callhook').then(console.log);
