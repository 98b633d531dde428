// Fills in the expected results of every sync-rules fixture from the official evaluator
// (@powersync/service-sync-rules, version pinned in package.json). Run by `dotnet cake --target=SyncRulesFixtures`
// or `npm ci && node generate.mjs [file.ndjson ...]` in this folder. The format is described in ../README.md.
//
// Each fixture line keeps its inputs; this script recomputes the expected part (`expected` for an expression
// case, `rowResults`/`parameterResults`/`requestResults`/`errors`/`warnings` for a scenario) and rewrites the file.
// A line is rewritten only where the official result changed, so a regeneration diff shows what moved.
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BaseJwtPayload,
  DEFAULT_HYDRATION_STATE,
  RequestParameters,
  SqlSyncRules,
  versionedHydrationState
} from '@powersync/service-sync-rules';
import { JSONBig } from '@powersync/service-jsonbig';

// Node 20 lacks Object.groupBy, which the package's edition-3 compiler calls (node 21+): the standard behaviour.
Object.groupBy ??= (items, key) => {
  const groups = Object.create(null);
  let i = 0;
  for (const item of items) (groups[key(item, i++)] ??= []).push(item);
  return groups;
};
// A `!!timestamp` scalar read as a name or a query is JavaScript's Date#toString(), which depends on the time zone:
// the fixtures use UTC, as the official service in its container.
process.env.TZ = 'UTC';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..');

// The row every expression case is evaluated against (ExpressionHarness.Row mirrors it).
const expressionRow = {
  id: 'r1',
  i: 3n,
  neg: -7n,
  big: 9223372036854775807n,
  r: 2.5,
  w: 4.0,
  z: 0n,
  t: 'abc',
  num: '12.5xyz',
  n: null,
  b: new Uint8Array([1, 2, 255]),
  j: '{"a":{"b":1},"c":null,"d":[1,2.0],"e":1.0,"a.b":"dot","10":"ten","2":"two","f":true,"g":12345678901234567890}',
  arr: '[1,2,"x",null]',
  u: 'ßtraße ﬁ İ',
  emoji: 'a😀b',
  ts: '2023-03-06 15:47:12.4',
  tz: '2023-03-06T13:47:00.000Z',
  sp: '  -12abc'
};

const table = (name, schema = 'public') => ({ connectionTag: 'default', schema, name });

const hex = (bytes) => Buffer.from(bytes).toString('hex').toUpperCase();

// {"i": "5"} INTEGER, {"r": "2.5"} REAL, {"b": "0102"} BLOB, a string TEXT, null NULL.
function decodeValue(v) {
  if (v === null || typeof v === 'string') return v;
  if ('i' in v) return BigInt(v.i);
  if ('r' in v) return Number(v.r);
  return new Uint8Array(Buffer.from(v.b, 'hex'));
}

const decodeRow = (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, decodeValue(v)]));

// A value as the harness renders it: type|JSON, blob|HEX, or undefined (the column is absent).
function renderTyped(value) {
  if (value === undefined) return 'undefined';
  if (value instanceof Uint8Array) return `blob|${hex(value)}`;
  const type =
    value === null ? 'null' : typeof value === 'bigint' ? 'integer' : typeof value === 'number' ? 'real' : 'text';
  return `${type}|${JSONBig.stringify(value)}`;
}

function parse(yaml) {
  const { config, errors } = SqlSyncRules.fromYaml(yaml, { defaultSchema: 'public', throwOnError: false });
  return { config, fatal: errors.filter((e) => e.type !== 'warning'), warnings: errors.filter((e) => e.type === 'warning') };
}

function hydrate(config, version) {
  const hydrationState = version == null ? DEFAULT_HYDRATION_STATE : versionedHydrationState(version);
  return config.hydrate({ hydrationState, sqlite: null });
}

// An expression case: `expr` as the only output column of a data query over `expressionRow`.
function evaluateExpression(c) {
  const edition = c.edition ?? 1;
  const config = edition === 1 ? '' : `config:\n  edition: ${edition}\n`;
  const yaml = `${config}bucket_definitions:\n  b:\n    data:\n      - ${JSON.stringify(`SELECT id, ${c.expr} AS v FROM t`)}\n`;
  let parsed;
  try {
    parsed = parse(yaml);
  } catch {
    return 'COMPILE_ERROR';
  }
  if (parsed.fatal.length > 0) return 'COMPILE_ERROR';
  const hydrated = hydrate(parsed.config, null);
  const { results, errors } = hydrated.evaluateRowWithErrors({ sourceTable: table('t'), record: expressionRow });
  if (errors.length > 0 || results.length !== 1) return 'ROW_ERROR';
  // Blobs never reach data JSON; the raw value tells them apart from an absent column.
  const raw = evaluateRawColumn(parsed.config);
  if (raw instanceof Uint8Array) return renderTyped(raw);
  return renderTyped(results[0].data.v);
}

// The column's raw value, read from the data query's compiled column (blobs are filtered from row data).
function evaluateRawColumn(config) {
  const query = config.bucketSources[0]?.dataQueries?.[0];
  if (!query?.extractors) return undefined;
  const output = {};
  for (const extractor of query.extractors) extractor.extract({ [query.table.nameInSchema]: expressionRow }, output);
  return output.v;
}

function renderEvaluatedRow(r) {
  return `${r.bucket}|${r.table}|${r.id}|${JSONBig.stringify(r.data)}`;
}

// A row's data as typed values (keys whose value is undefined are not part of the data).
function renderTypedRow(r) {
  return Object.entries(r.data)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${renderTyped(v)}`);
}

// Each bucket once: lowest priority number, its definition, every inclusion reason (sorted).
function bucketDetails(buckets) {
  const merged = new Map();
  for (const b of buckets) {
    const reasons = b.inclusion_reasons.map((r) => (r === 'default' ? 'default' : `subscription:${r.subscription}`));
    const existing = merged.get(b.bucket);
    if (existing) {
      existing.priority = Math.min(existing.priority, b.priority);
      existing.reasons.push(...reasons);
    } else {
      merged.set(b.bucket, { priority: b.priority, definition: b.definition, reasons });
    }
  }
  return [...merged]
    .map(([bucket, d]) => `${bucket}|${d.priority}|${d.definition}|${[...new Set(d.reasons)].sort().join(',')}`)
    .sort();
}

// One entry per bucket with its lowest priority number, sorted (as the service merges the buckets of a request).
function mergeBuckets(buckets) {
  const merged = new Map();
  for (const b of buckets) merged.set(b.bucket, Math.min(b.priority, merged.get(b.bucket) ?? 3));
  return [...merged].map(([bucket, priority]) => `${bucket}|${priority}`).sort();
}

async function runScenario(c) {
  let parsed;
  try {
    parsed = parse(c.yaml);
  } catch (e) {
    return { errors: 1 };
  }
  const out = {};
  if (parsed.fatal.length > 0) {
    return { errors: parsed.fatal.length, errorMessages: parsed.fatal.map((e) => e.message) };
  }
  if (c.warnings !== undefined) out.warnings = parsed.warnings.map((e) => e.message);
  if (!(c.rows?.length || c.paramRows?.length || c.requests?.length)) {
    // Nothing to evaluate: the case checks that the configuration is accepted (and its warnings).
    return { ...out, rowResults: [], requestResults: [] };
  }
  const hydrated = hydrate(parsed.config, c.version);

  out.rowResults = (c.rows ?? []).map((r) => {
    const { results, errors } = hydrated.evaluateRowWithErrors({
      sourceTable: table(r.table, r.schema),
      record: decodeRow(r.row)
    });
    const result = { rows: results.map(renderEvaluatedRow), errors: errors.length };
    if (c.typed) result.typed = results.map(renderTypedRow);
    return result;
  });

  const store = new Map();
  const parameterResults = [];
  for (const r of c.paramRows ?? []) {
    const { results, errors } = hydrated.evaluateParameterRowWithErrors(table(r.table, r.schema), decodeRow(r.row));
    for (const p of results) {
      const key = p.lookup.serializedRepresentation;
      if (!store.has(key)) store.set(key, []);
      store.get(key).push(...p.bucketParameters);
    }
    parameterResults.push({
      lookups: results.map((p) => `${p.lookup.serializedRepresentation}|${JSONBig.stringify(p.bucketParameters)}`),
      errors: errors.length
    });
  }
  if (c.parameterResults !== undefined) out.parameterResults = parameterResults;

  out.requestResults = [];
  for (const q of c.requests ?? []) {
    const globalParameters = new RequestParameters(
      new BaseJwtPayload(JSON.parse(q.jwt)),
      q.params == null ? {} : JSON.parse(q.params)
    );
    const streams = {};
    (q.subs ?? []).forEach((s, i) => {
      (streams[s.stream] ??= []).push({
        opaque_id: i,
        parameters: s.params == null ? null : JSON.parse(s.params),
        priorityOverride: s.priority ?? null
      });
    });
    const { querier, errors } = hydrated.getBucketParameterQuerier({
      globalParameters,
      hasDefaultStreams: q.defaults ?? true,
      streams
    });
    const dynamic = await querier.queryDynamicBucketDescriptions({
      getParameterSets: async (lookups) =>
        lookups.map((lookup) => ({ lookup, rows: store.get(lookup.serializedRepresentation) ?? [] }))
    });
    const buckets = [...querier.staticBuckets, ...dynamic];
    out.requestResults.push(mergeBuckets(buckets));
    if (c.requestDetails !== undefined) {
      (out.requestDetails ??= []).push({ buckets: bucketDetails(buckets), errors: errors.length });
    }
  }
  return out;
}

const expectedKeys = ['expected', 'errors', 'errorMessages', 'warnings', 'rowResults', 'parameterResults', 'requestResults', 'requestDetails'];

async function regenerate(file) {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim().length > 0);
  let changed = 0;
  const output = [];
  for (const line of lines) {
    const c = JSON.parse(line);
    const inputs = Object.fromEntries(Object.entries(c).filter(([k]) => !expectedKeys.includes(k)));
    let next;
    if ('expr' in c) {
      next = { ...inputs, expected: evaluateExpression(c) };
    } else {
      next = { ...inputs, ...(await runScenario(c)) };
    }
    // Keys asked for but empty are kept so that the next run fills them again.
    const text = JSON.stringify(next);
    if (text !== line) changed++;
    output.push(text);
  }
  writeFileSync(file, output.join('\n') + '\n');
  console.log(`${file}: ${lines.length} cases, ${changed} updated`);
}

const files = process.argv.length > 2
  ? process.argv.slice(2)
  : readdirSync(fixtures).filter((f) => f.endsWith('.ndjson')).sort().map((f) => join(fixtures, f));
for (const file of files) await regenerate(file);
