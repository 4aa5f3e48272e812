// Checks docs/openapi.yaml with @apidevtools/swagger-parser (a valid OpenAPI
// 3.0 document) and each answer the API tests recorded against the schema
// the document gives for its route, method, status and content type (ajv).
//
// usage: node validate_openapi.js DOCUMENT ANSWERS.json
//   ANSWERS.json: [{"path", "method", "status", "content_type", "body"}]
//   (path as the document names it, "/runs/{id}"; body as text)
// Prints one line per problem and exits 1 when there is any.
"use strict";

const fs = require("fs");
const SwaggerParser = require("@apidevtools/swagger-parser");
const Ajv = require("ajv");

// RFC 3339 date-time, as the server writes created_at.
const k_date_time = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

async function main() {
  const [document, answersFile] = process.argv.slice(2);
  if (!document || !answersFile) {
    console.error("usage: node validate_openapi.js DOCUMENT ANSWERS.json");
    process.exit(2);
  }
  let api;
  try {
    // Validates against the OpenAPI schema, then resolves every $ref.
    api = await SwaggerParser.validate(document);
  } catch (error) {
    console.log("docs/openapi.yaml is not a valid OpenAPI document: " + error.message);
    process.exit(1);
  }
  // OpenAPI 3.0 schema objects: "nullable" is ajv's own keyword; "example"
  // is an annotation.
  const ajv = new Ajv({ allErrors: true, strict: true, keywords: ["example"] });
  ajv.addFormat("date-time", k_date_time);
  const compiled = new Map();
  const problems = [];
  const answers = JSON.parse(fs.readFileSync(answersFile, "utf8"));
  let checked = 0;
  for (const a of answers) {
    const where = `${a.method.toUpperCase()} ${a.path} ${a.status} ${a.content_type}`;
    const operation = (api.paths[a.path] || {})[a.method];
    const response = operation && operation.responses[String(a.status)];
    if (!response) {
      problems.push(`${where}: not in the document`);
      continue;
    }
    const media = (response.content || {})[a.content_type];
    if (!media) {
      if (response.content || a.body.length > 0) problems.push(`${where}: the document names no such content type`);
      continue;
    }
    if (a.content_type !== "application/json" || !media.schema) continue;
    let body;
    try {
      body = JSON.parse(a.body);
    } catch (error) {
      problems.push(`${where}: not JSON: ${error.message}`);
      continue;
    }
    if (!compiled.has(media.schema)) compiled.set(media.schema, ajv.compile(media.schema));
    const validate = compiled.get(media.schema);
    checked += 1;
    if (!validate(body))
      for (const e of validate.errors) problems.push(`${where}: ${e.instancePath || "/"} ${e.message}`);
  }
  for (const p of problems) console.log(p);
  console.log(`${checked} JSON answers checked against their schemas, ${problems.length} problems`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((error) => {
  console.log(error.stack || String(error));
  process.exit(1);
});
