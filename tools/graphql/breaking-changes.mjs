// The breaking-change check of the API contract: schema.graphql against the last released schema.
//
//   node tools/graphql/breaking-changes.mjs [--schema FILE] [--released FILE] [--intended FILE]
//
// GraphQL Inspector (@graphql-inspector/core) lists every change from the released schema
// (tools/graphql/released.graphql) to schema.graphql, each with its criticality. A BREAKING change (a
// removed type, field, argument or enum value, a changed type, a new required argument or input field)
// fails the check unless tools/graphql/intended-breaking-changes.json lists it: an entry names the
// change's `type` and `path`, as this script prints them, and says why in `reason`. An entry that matches
// no breaking change fails the check too, so the list always says exactly what the next release breaks;
// a release copies schema.graphql to released.graphql and empties the list (README, "The API contract").
// DANGEROUS changes (a new enum value, a changed default) are reported and never fail the check.
//
// Exit status: 0 the check passes, 1 it fails, 2 the files cannot be read.

import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { CriticalityLevel, diff } from "@graphql-inspector/core";
import { buildSchema } from "graphql";

const here = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    schema: { type: "string", default: join(here, "..", "..", "schema.graphql") },
    released: { type: "string", default: join(here, "released.graphql") },
    intended: { type: "string", default: join(here, "intended-breaking-changes.json") },
  },
});
// A file as the messages name it: relative to the working directory when inside it.
function shown(file) {
  const path = relative(process.cwd(), resolve(file));
  return path && !path.startsWith("..") ? path : resolve(file);
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

function loadSchema(file) {
  try {
    return buildSchema(readFileSync(file, "utf8"));
  } catch (error) {
    return fail(`${shown(file)}: ${error.message}`);
  }
}

function loadIntended(file) {
  let listed;
  try {
    listed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    return fail(`${shown(file)}: ${error.message}`);
  }
  const changes = listed?.changes;
  if (!Array.isArray(changes)) {
    return fail(`${shown(file)}: expected {"changes": [{"type", "path", "reason"}, ...]}`);
  }
  changes.forEach((entry, index) => {
    const valid =
      typeof entry?.type === "string" &&
      typeof entry?.path === "string" &&
      typeof entry?.reason === "string" &&
      entry.reason.trim() !== "";
    if (!valid) {
      fail(`${shown(file)}: changes[${index}] needs a "type", a "path" and a non-empty "reason"`);
    }
  });
  return changes;
}

const plural = (count, one, many) => `${count} ${count === 1 ? one : many}`;
const key = (change) => `${change.type} ${change.path ?? ""}`;

const released = loadSchema(options.released);
const current = loadSchema(options.schema);
const intended = loadIntended(options.intended);
const changes = await diff(released, current);

const breaking = changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
const dangerous = changes.filter((change) => change.criticality.level === CriticalityLevel.Dangerous);
const intendedKeys = new Set(intended.map(key));
const accepted = breaking.filter((change) => intendedKeys.has(key(change)));
const unintended = breaking.filter((change) => !intendedKeys.has(key(change)));
const breakingKeys = new Set(breaking.map(key));
const stale = intended.filter((entry) => !breakingKeys.has(key(entry)));

for (const change of accepted) {
  console.log(`breaking, intended: ${key(change)}: ${change.message}`);
}
for (const change of dangerous) {
  console.log(`dangerous: ${key(change)}: ${change.message}`);
}
for (const change of unintended) {
  console.log(`BREAKING: ${key(change)}: ${change.message}`);
}
for (const entry of stale) {
  console.log(`LISTED, NOT FOUND: ${key(entry)}: ${shown(options.intended)} lists it, but it is no breaking change`);
}
console.log(
  `${shown(options.schema)} against ${shown(options.released)}: ${changes.length} changes, ` +
    `${breaking.length} breaking (${accepted.length} intended), ${dangerous.length} dangerous, ` +
    `${changes.length - breaking.length - dangerous.length} safe`,
);
if (unintended.length > 0) {
  const entries = unintended.map(
    (change) => `    {"type": "${change.type}", "path": "${change.path ?? ""}", "reason": ""}`,
  );
  console.log(
    `\nThe check fails: ${plural(unintended.length, "breaking change is", "breaking changes are")} not ` +
      "marked intended. Undo them, or, " +
      `when clients are ready for them, list them in ${shown(options.intended)} until the next release, ` +
      "each with its reason:\n" +
      entries.join(",\n"),
  );
}
if (stale.length > 0) {
  console.log(
    `\nThe check fails: ${plural(stale.length, "entry", "entries")} of ${shown(options.intended)} ` +
      "match no breaking change: " +
      "remove them (after a release, the list starts empty).",
  );
}
process.exit(unintended.length > 0 || stale.length > 0 ? 1 : 0);
