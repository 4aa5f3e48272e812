// Compares what the verifier saw with what callhook's journal says it sent:
// every attempt verifies, except exactly those of deliveries the journal
// marks bad_signature or stale_timestamp, which are all rejected.
//
// Usage: node check.mjs JOURNAL VERIFIER_LOG
import { readFileSync } from "node:fs";

const [journalFile, logFile] = process.argv.slice(2);
const lines = (file) => readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
const header = (headers, name) => (headers.find(([n]) => n.toLowerCase() === name) ?? [])[1];

// Per message id, in attempt order: does the journal expect a rejection?
const expected = new Map();
let retried = 0;
for (const r of lines(journalFile)) {
  if (r.kind !== "attempt") continue;
  const id = header(r.headers, "webhook-id") ?? header(r.headers, "svix-id");
  if (!id) throw new Error(`journal attempt ${r.delivery}/${r.attempt} has no signature id`);
  const faulty = r.faults.includes("bad_signature") || r.faults.includes("stale_timestamp");
  if (!expected.has(id)) expected.set(id, []);
  expected.get(id).push({ attempt: r.attempt, faulty, delivery: r.delivery });
  if (r.attempt > 1) ++retried;
}
const seen = new Map();
for (const e of lines(logFile)) {
  if (!seen.has(e.id)) seen.set(e.id, []);
  seen.get(e.id).push(e);
}

const problems = [];
let verified = 0, rejected = 0, faulty = 0;
for (const [id, attempts] of expected) {
  attempts.sort((a, b) => a.attempt - b.attempt);
  const got = seen.get(id) ?? [];
  if (got.length !== attempts.length) {
    problems.push(`${id}: journal has ${attempts.length} attempts, the verifier saw ${got.length}`);
    continue;
  }
  attempts.forEach((a, i) => {
    if (a.faulty) ++faulty;
    if (got[i].verified) ++verified; else ++rejected;
    if (got[i].verified === a.faulty)
      problems.push(`${id} (${a.delivery}) attempt ${a.attempt}: ${a.faulty ? "a signature fault fired but it verified" : "rejected: " + got[i].reason}`);
  });
}
for (const id of seen.keys()) if (!expected.has(id)) problems.push(`${id}: received but not in the journal`);

console.log(`attempts ${verified + rejected}: ${verified} verified, ${rejected} rejected (${faulty} with a signature fault); ${retried} retries`);
if (verified === 0 || retried === 0 || faulty === 0) problems.push("the run exercised too little: need verified deliveries, retries and signature faults");
if (problems.length) {
  console.error(problems.slice(0, 20).join("\n"));
  process.exit(1);
}
