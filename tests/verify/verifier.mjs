// An independent receiver: verifies every delivery with the official
// Standard Webhooks and Svix verifiers, against the real clock (their
// 5-minute tolerance), with each secret on its own. Answers 400 to a
// delivery that does not verify, 503 to the first attempt of every fourth
// message id (so retries are signed too), 200 otherwise. Logs one JSON line
// per request: {id, scheme, timestamp, verified, reason}.
//
// Usage: node verifier.mjs [--accept-all] PORT_FILE LOG_FILE SECRET...
// (--accept-all skips verification: a stand-in receiver for recording a
// journal whose signatures are old, for the replay --resign check.)
import { appendFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";

const args = process.argv.slice(2);
const acceptAll = args[0] === "--accept-all";
if (acceptAll) args.shift();
const [portFile, logFile, ...secrets] = args;
if (!portFile || !logFile || secrets.length === 0) {
  console.error("usage: node verifier.mjs PORT_FILE LOG_FILE SECRET...");
  process.exit(2);
}
const standard = secrets.map((s) => new StandardWebhook(s));
const svix = secrets.map((s) => new SvixWebhook(s));
const seen = new Set();

function hash(text) {
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return h;
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const isSvix = "svix-id" in req.headers;
    const prefix = isSvix ? "svix-" : "webhook-";
    const id = req.headers[prefix + "id"] ?? "";
    const entry = { id, scheme: isSvix ? "svix" : "standard", timestamp: req.headers[prefix + "timestamp"] ?? "", verified: true, reason: "" };
    if (!acceptAll) try {
      for (const verifier of isSvix ? svix : standard) verifier.verify(body, req.headers);
    } catch (e) {
      entry.verified = false;
      entry.reason = String(e.message ?? e);
    }
    appendFileSync(logFile, JSON.stringify(entry) + "\n");
    let status = 200;
    if (!entry.verified) status = 400;
    else if (hash(id) % 4 === 0 && !seen.has(id)) status = 503;
    seen.add(id);
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ verified: entry.verified }));
  });
});
server.listen(0, "127.0.0.1", () => writeFileSync(portFile, String(server.address().port)));
