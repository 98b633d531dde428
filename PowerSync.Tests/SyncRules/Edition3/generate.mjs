// Generates the edition-3 fixtures (NDJSON) from the official evaluator.
// Run through `dotnet cake --target=Edition3Fixtures` (which installs the package in a scratch folder
// outside the repository and passes it in ORACLE_MODULES), never in the default test run.
// Each line: a scenario (YAML, rows, parameter rows, requests) and what the official evaluator made of it.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

// Node 20 lacks Object.groupBy, which the package calls (node 21+): the standard behaviour, insertion ordered.
Object.groupBy ??= (items, key) => {
  const groups = Object.create(null);
  let i = 0;
  for (const item of items) (groups[key(item, i++)] ??= []).push(item);
  return groups;
};

const modules = process.env.ORACLE_MODULES;
if (!modules) throw new Error('Set ORACLE_MODULES to a node_modules folder with @powersync/service-sync-rules');
const require = createRequire(path.join(modules, 'x.js'));
const rules = await import(require.resolve('@powersync/service-sync-rules'));
const { JSONBig } = await import(require.resolve('@powersync/service-jsonbig'));
const { SqlSyncRules, RequestParameters, DEFAULT_HYDRATION_STATE, versionedHydrationState } = rules;

// --- values -------------------------------------------------------------------------------
const I = (v) => ({ i: String(v) });
const R = (v) => ({ r: String(v) });
const B = (hex) => ({ b: hex });
function decode(v) {
  if (v === null || typeof v === 'string') return v;
  if ('i' in v) return BigInt(v.i);
  if ('r' in v) return Number(v.r);
  return Uint8Array.from(Buffer.from(v.b, 'hex'));
}
const decodeRow = (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, decode(v)]));

// --- the oracle -----------------------------------------------------------------------------
function lineCol(text, offset) {
  let line = 1, col = 1;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text[i] === '\n') { line++; col = 1; } else col++;
  }
  return [line, col];
}

async function run(c) {
  const { config, errors } = SqlSyncRules.fromYaml(c.yaml, { defaultSchema: 'public', throwOnError: false });
  const problems = errors.map((e) => {
    const start = e.location?.start;
    const [line, column] = start == null ? [0, 0] : lineCol(c.yaml, start);
    return { warning: e.type === 'warning', line, column, message: e.message };
  });
  const out = { name: c.name, yaml: c.yaml, version: c.version ?? null, problems };
  if (problems.some((p) => !p.warning)) {
    out.errors = problems.filter((p) => !p.warning).length;
    return out;
  }
  let hydrated;
  try {
    hydrated = config.hydrate({
      hydrationState: c.version != null ? versionedHydrationState(c.version) : DEFAULT_HYDRATION_STATE,
      sqlite: null
    });
  } catch (e) {
    // Accepted by the compiler, but the JavaScript engine cannot prepare it (SUBSTRING ... FROM compiles to substr).
    out.hydrateError = e.message;
    return out;
  }
  const table = (t) => ({ connectionTag: 'default', schema: t.schema ?? 'public', name: t.table });
  out.rows = c.rows ?? [];
  out.rowResults = out.rows.map((r) => {
    const { results, errors } = hydrated.evaluateRowWithErrors({ sourceTable: table(r), record: decodeRow(r.row) });
    return {
      rows: results.map((x) => `${x.bucket}|${x.table}|${x.id}|${JSONBig.stringify(x.data)}`),
      errors: errors.length
    };
  });
  out.paramRows = c.paramRows ?? [];
  const store = new Map();
  out.paramResults = out.paramRows.map((r) => {
    const { results, errors } = hydrated.evaluateParameterRowWithErrors(table(r), decodeRow(r.row));
    for (const x of results) {
      const key = x.lookup.serializedRepresentation;
      if (!store.has(key)) store.set(key, []);
      store.get(key).push(...x.bucketParameters);
    }
    return { lookups: results.length, errors: errors.length };
  });
  out.requests = c.requests ?? [];
  out.requestResults = [];
  out.requestErrors = [];
  for (const q of out.requests) {
    const payload = JSON.parse(q.jwt);
    const params = new RequestParameters({ userIdJson: payload.sub ?? null, parsedPayload: payload }, q.params ? JSON.parse(q.params) : {});
    const streams = {};
    (q.subs ?? []).forEach((s, i) => {
      (streams[s.stream] ??= []).push({ opaque_id: i, parameters: s.params == null ? null : JSON.parse(s.params), priorityOverride: s.priority ?? null });
    });
    const { querier, errors } = hydrated.getBucketParameterQuerier({
      globalParameters: params,
      hasDefaultStreams: q.defaults ?? true,
      streams
    });
    let buckets = [...querier.staticBuckets];
    if (querier.hasDynamicBuckets) {
      buckets.push(...(await querier.queryDynamicBucketDescriptions({
        async getParameterSets(lookups) {
          return lookups.map((lookup) => ({ lookup, rows: store.get(lookup.serializedRepresentation) ?? [] }));
        }
      })));
    }
    out.requestResults.push(buckets.map((b) => `${b.bucket}|${b.priority}`));
    out.requestErrors.push(errors.length);
  }
  return out;
}

// --- cases ------------------------------------------------------------------------------------
const cases = [];
const e3 = (streams, extra = '') => `config:\n  edition: 3\n${extra}streams:\n${streams}`;
const stream = (name, query, opts = '') => `  ${name}:\n${opts}    query: ${JSON.stringify(query)}\n`;
const add = (name, yaml, more = {}) => cases.push({ name, yaml, ...more });

const items = [
  { table: 'items', row: { id: 'i0', owner: 'u1', list_id: 'l1', cat: 'a', n: I(1), archived: I(0), members: '["u1","u2"]', org: 'o1', price: R(2.5), tags: '["a","b"]' } },
  { table: 'items', row: { id: 'i1', owner: 'u2', list_id: 'l2', cat: 'b', n: I(2), archived: I(1), members: '["u2"]', org: 'o2', price: R(1.0), tags: '[]' } },
  { table: 'items', row: { id: 'i2', owner: null, list_id: null, cat: null, n: null, archived: null, members: null, org: null, price: null } },
  { table: 'items', row: { id: I(7), owner: I(5), list_id: R(3.0), cat: 'a', n: I('9007199254740993'), archived: R(0.0), members: '[1,2.5,null,"u1"]', org: 'o1', blob: B('00ff'), _hidden: 'h' } },
  { table: 'items', row: { id: 'i4', owner: 'u1', list_id: 'l1', cat: 'c', n: I(-3), archived: I(0), members: 'not json', org: 'o2', '12': 'twelve', '3': 'three' } },
];
const paramRows = [
  { table: 'lists', row: { id: 'l1', owner: 'u1', org: 'o1', name: 'one', archived: I(0) } },
  { table: 'lists', row: { id: 'l2', owner: 'u2', org: 'o1', name: 'two', archived: I(1) } },
  { table: 'lists', row: { id: 'l3', owner: null, org: 'o2', name: null } },
  { table: 'lists', row: { id: R(3.0), owner: I(5), org: 'o2', name: 'num' } },
  { table: 'admins', row: { uid: 'u1', active: I(1), org: 'o1' } },
  { table: 'admins', row: { uid: 'u2', active: I(0), org: 'o2' } },
  { table: 'members', row: { user_id: 'u1', org_id: 'o1', role: 'admin' } },
  { table: 'members', row: { user_id: 'u2', org_id: 'o1', role: 'member' } },
  { table: 'members', row: { user_id: 'u2', org_id: 'o2', role: 'admin' } },
  { table: 'orgs', row: { id: 'o1', name: 'Org One', region: 'eu' } },
  { table: 'orgs', row: { id: 'o2', name: 'Org Two', region: 'us' } },
];
const requests = [
  { jwt: '{"sub":"u1","role":"admin","org":"o1","orgs":["o1","o2"],"n":5,"cats":["a","c"]}', params: '{"org":"o1","cat":"a"}' },
  { jwt: '{"sub":"u2","role":"user","org":"o2","orgs":["o2"],"n":2.5}', params: '{"org":"o2"}', subs: [{ stream: 's', params: '{"cat":"b","list":"l2","cats":["a","b"]}' }] },
  { jwt: '{"sub":"u1","role":"user"}', subs: [{ stream: 's', params: '{"cat":"a","list":"l1","cats":"x"}', priority: 1 }, { stream: 's', params: null }], defaults: false },
  { jwt: '{"sub":5,"role":"admin","org":null}', params: '{"org":1,"cat":null}', subs: [{ stream: 's', params: '{"cat":1,"list":3}' }] },
  { jwt: '{"sub":"u3"}', defaults: true },
];
const scenario = (name, yaml, more = {}) => add(name, yaml, { rows: items, paramRows, requests, ...more });

// Hand-written: each construct of the language.
const queries = [
  'SELECT * FROM items',
  'SELECT id, owner AS who, n + 1 AS next FROM items',
  'SELECT * FROM items WHERE owner = auth.user_id()',
  'SELECT * FROM items WHERE auth.user_id() = owner',
  'SELECT * FROM items WHERE owner = auth.user_id() AND archived = 0',
  'SELECT * FROM items WHERE cat = subscription.parameter(\'cat\')',
  'SELECT * FROM items WHERE org = connection.parameter(\'org\')',
  'SELECT * FROM items WHERE org = auth.parameter(\'org\')',
  'SELECT * FROM items WHERE cat = subscription.parameter(\'cat\') AND owner = auth.user_id()',
  'SELECT * FROM items WHERE owner = auth.user_id() AND cat = subscription.parameter(\'cat\') AND org = connection.parameter(\'org\')',
  'SELECT * FROM items WHERE cat IN subscription.parameter(\'cats\')',
  'SELECT * FROM items WHERE cat IN auth.parameter(\'cats\')',
  'SELECT * FROM items WHERE auth.user_id() IN members',
  'SELECT * FROM items WHERE auth.user_id() IN members AND org = auth.parameter(\'org\')',
  'SELECT * FROM items WHERE list_id IN (SELECT id FROM lists WHERE owner = auth.user_id())',
  'SELECT * FROM items WHERE list_id IN (SELECT id FROM lists WHERE owner = auth.user_id() AND archived = 0)',
  'SELECT * FROM items WHERE org IN (SELECT org_id FROM members WHERE user_id = auth.user_id() AND role = \'admin\')',
  'SELECT * FROM items WHERE auth.user_id() IN (SELECT uid FROM admins WHERE active = 1)',
  'SELECT * FROM items WHERE archived = 0 AND auth.parameter(\'role\') = \'admin\'',
  'SELECT * FROM items WHERE auth.parameter(\'role\') = \'admin\'',
  'SELECT * FROM items WHERE owner = auth.user_id() OR auth.parameter(\'role\') = \'admin\'',
  'SELECT * FROM items WHERE owner = auth.user_id() OR cat = subscription.parameter(\'cat\')',
  'SELECT * FROM items WHERE archived = 0 OR cat = \'a\'',
  'SELECT * FROM items WHERE NOT (archived = 1)',
  'SELECT * FROM items WHERE archived != 1',
  'SELECT * FROM items WHERE n > 1',
  'SELECT * FROM items WHERE n BETWEEN 0 AND 2',
  'SELECT * FROM items WHERE n NOT BETWEEN 0 AND 2',
  'SELECT * FROM items WHERE cat IN (\'a\', \'c\')',
  'SELECT * FROM items WHERE cat NOT IN (\'a\', \'c\')',
  'SELECT * FROM items WHERE cat NOT IN subscription.parameter(\'cats\')',
  'SELECT * FROM items WHERE owner IS NULL',
  'SELECT * FROM items WHERE owner IS NOT NULL',
  'SELECT * FROM items WHERE archived IS TRUE',
  'SELECT * FROM items WHERE archived IS NOT FALSE',
  'SELECT id, CASE WHEN n > 1 THEN \'big\' WHEN n = 1 THEN \'one\' ELSE \'small\' END AS size FROM items',
  'SELECT id, CASE cat WHEN \'a\' THEN 1 WHEN \'b\' THEN 2 END AS c FROM items',
  'SELECT id, CAST(n AS TEXT) AS t, CAST(price AS INTEGER) AS p, n::real AS r FROM items',
  'SELECT id, upper(cat) AS u, lower(owner) AS l, length(owner) AS len, hex(owner) AS h, typeof(n) AS t FROM items',
  'SELECT id, substring(owner, 2) AS s1, substring(owner, 1, 1) AS s2, instr(owner, \'1\') AS i FROM items',
  'SELECT id, ifnull(owner, \'nobody\') AS o, iif(n > 1, \'y\', \'n\') AS b FROM items',
  'SELECT id, json_extract(members, \'$[0]\') AS first, json_array_length(members) AS cnt, members ->> \'$[1]\' AS second, tags -> \'$\' AS t FROM items',
  'SELECT id, owner || \'-\' || cat AS k, n * 2 AS d, n / 2 AS h, n - 1 AS m, n % 2 AS r FROM items',
  'SELECT id, 9223372036854775807 AS big, 1.5 AS x, TRUE AS t, NULL AS nothing, \'s\' AS s FROM items',
  'SELECT id, base64(owner) AS b64, json_keys(\'{"b":1,"a":2,"1":3}\') AS keys FROM items',
  'SELECT id, n & 1 AS a, n | 1 AS o, n << 1 AS l, n >> 1 AS r FROM items',
  'SELECT id, +n AS p FROM items',
  'SELECT i.* FROM items i WHERE i.owner = auth.user_id()',
  'SELECT i.id, i.cat FROM items AS i',
  'SELECT * FROM items AS things',
  'SELECT *, upper(cat) AS cat FROM items',
  'SELECT upper(cat) AS cat, * FROM items',
  'SELECT items.* FROM items, lists WHERE items.list_id = lists.id AND lists.owner = auth.user_id()',
  'SELECT items.* FROM items INNER JOIN lists ON items.list_id = lists.id WHERE lists.owner = auth.user_id()',
  'SELECT items.* FROM items JOIN lists ON lists.id = items.list_id JOIN members ON members.org_id = lists.org WHERE members.user_id = auth.user_id()',
  'SELECT i.* FROM items i JOIN lists l ON i.list_id = l.id WHERE l.org = auth.parameter(\'org\') AND l.archived = 0',
  'SELECT * FROM items WHERE list_id IN (SELECT id FROM lists WHERE org IN (SELECT org_id FROM members WHERE user_id = auth.user_id()))',
  'SELECT * FROM items WHERE list_id IN (SELECT l.id FROM lists l JOIN members m ON m.org_id = l.org WHERE m.user_id = auth.user_id())',
  'SELECT * FROM items WHERE org IN (SELECT id FROM orgs WHERE region = subscription.parameter(\'region\'))',
  'SELECT * FROM items WHERE list_id = subscription.parameter(\'list\') AND list_id IN (SELECT id FROM lists WHERE owner = auth.user_id())',
  'SELECT * FROM items WHERE owner = auth.user_id() AND org = auth.user_id()',
  'SELECT * FROM items WHERE upper(cat) = upper(subscription.parameter(\'cat\'))',
  'SELECT * FROM items WHERE cat = subscription.parameter(\'cat\') OR cat = connection.parameter(\'cat\')',
  'SELECT * FROM items WHERE (cat = \'a\' OR cat = \'b\') AND owner = auth.user_id()',
  'SELECT * FROM items WHERE (owner = auth.user_id() OR org = auth.parameter(\'org\')) AND archived = 0',
  'SELECT * FROM items WHERE org IN auth.parameter(\'orgs\') AND archived = 0',
  'SELECT * FROM items WHERE tags && subscription.parameter(\'cats\')',
  'SELECT * FROM items WHERE auth.parameter(\'n\') > 1',
  'SELECT * FROM items WHERE connection.parameters() ->> \'org\' = org',
  'SELECT * FROM items WHERE subscription.parameters() ->> \'cat\' = cat',
  'SELECT * FROM items WHERE auth.parameters() ->> \'role\' = \'admin\'',
  'SELECT * FROM items WHERE n = 9007199254740993',
  'SELECT * FROM items WHERE price = 2.5',
  'SELECT id, n = 1 AS eq, n != 1 AS ne, NOT n AS nn, n IS NULL AS isn FROM items',
  'SELECT id, NULL = 1 AS a, NULL != 1 AS b, NULL AND 1 AS c, NULL OR 0 AS d, NOT NULL AS e FROM items',
  'SELECT id, json_extract(\'{"a":{"b":1}}\', \'$.a.b\') AS ab, \'{"a":1.0}\' -> \'a\' AS x FROM items',
  'SELECT id, unixepoch(\'2024-01-02 03:04:05\') AS t, datetime(0, \'unixepoch\') AS d FROM items',
  'SELECT * FROM "items"',
  'SELECT * FROM public.items',
  'SELECT * FROM items WHERE owner = auth.user_id();',
  'select * from ITEMS where OWNER = AUTH.USER_ID()',
];
queries.forEach((q, i) => scenario(`construct ${i}: ${q}`, e3(stream('s', q, '    auto_subscribe: true\n'))));
queries.slice(0, 20).forEach((q, i) => scenario(`not default ${i}: ${q}`, e3(stream('s', q))));
queries.slice(2, 18).forEach((q, i) => scenario(`versioned ${i}: ${q}`, e3(stream('s', q, '    auto_subscribe: true\n')), { version: 7 }));
queries.slice(2, 12).forEach((q, i) => scenario(`priority ${i}: ${q}`, e3(stream('s', q, '    auto_subscribe: true\n    priority: 1\n'))));

// Several queries, several streams, CTEs.
const multi = [
  `  s:\n    auto_subscribe: true\n    queries:\n      - SELECT * FROM items WHERE owner = auth.user_id()\n      - SELECT * FROM lists WHERE owner = auth.user_id()\n`,
  `  s:\n    auto_subscribe: true\n    queries:\n      - SELECT * FROM items WHERE owner = auth.user_id()\n      - SELECT * FROM lists WHERE id = subscription.parameter('list')\n`,
  `  s:\n    auto_subscribe: true\n    queries:\n      - SELECT * FROM items\n      - SELECT * FROM lists\n      - SELECT * FROM items WHERE cat = 'a'\n`,
  `  a:\n    auto_subscribe: true\n    query: SELECT * FROM items WHERE owner = auth.user_id()\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM items WHERE owner IN (SELECT uid FROM admins WHERE org = auth.parameter('org'))\n`,
  `  a:\n    query: SELECT * FROM items\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM items\n`,
  `  s:\n    auto_subscribe: true\n    with:\n      my_lists: SELECT id FROM lists WHERE owner = auth.user_id()\n    query: SELECT * FROM items WHERE list_id IN my_lists\n`,
  `  s:\n    auto_subscribe: true\n    with:\n      my_lists: SELECT id AS lid FROM lists WHERE owner = auth.user_id()\n    query: SELECT items.* FROM items, my_lists WHERE items.list_id = my_lists.lid\n`,
  `  s:\n    auto_subscribe: true\n    query: SELECT i.* FROM items i, (SELECT id FROM lists WHERE owner = auth.user_id()) AS l WHERE i.list_id = l.id\n`,
  `  s:\n    auto_subscribe: true\n    query: SELECT * FROM items WHERE list_id IN (SELECT id FROM lists WHERE owner = auth.user_id()) OR owner = auth.user_id()\n`,
  `  s:\n    auto_subscribe: true\n    accept_potentially_dangerous_queries: true\n    query: SELECT * FROM items WHERE cat = subscription.parameter('cat')\n`,
  `  s:\n    auto_subscribe: true\n    query: SELECT * FROM items WHERE owner = auth.user_id()\n  t:\n    query: SELECT * FROM lists WHERE org = subscription.parameter('org')\n`,
];
multi.forEach((m, i) => scenario(`multi ${i}`, e3(m)));
scenario('global with', `config:\n  edition: 3\nwith:\n  my_lists: SELECT id FROM lists WHERE owner = auth.user_id()\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM items WHERE list_id IN my_lists\n`);
scenario('global with shadowed', `config:\n  edition: 3\nwith:\n  my_lists: SELECT id FROM lists WHERE owner = 'nobody'\nstreams:\n  s:\n    auto_subscribe: true\n    with:\n      my_lists: SELECT id FROM lists WHERE owner = auth.user_id()\n    query: SELECT * FROM items WHERE list_id IN my_lists\n`);
scenario('unused with', `config:\n  edition: 3\nwith:\n  unused: SELECT id FROM lists\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM items\n`);
scenario('wildcard table', e3(stream('s', 'SELECT * FROM "item%"', '    auto_subscribe: true\n')), { rows: [...items, { table: 'items_archive', row: { id: 'x1', owner: 'u1' } }] });
scenario('blob id', e3(stream('s', 'SELECT * FROM items', '    auto_subscribe: true\n')), { rows: [{ table: 'items', row: { id: B('0102'), v: I(1) } }] });

// Errors and warnings.
const bad = [
  'SELECT * FROM items WHERE owner = ?',
  'SELECT * FROM items LIMIT 1',
  'SELECT * FROM items ORDER BY id',
  'SELECT * FROM items GROUP BY id',
  'SELECT * FROM items WHERE owner LIKE \'a%\'',
  'SELECT * FROM items WHERE random() > 0',
  'SELECT * FROM items WHERE nosuch(owner) = 1',
  'SELECT id, upper(cat, 1) AS u FROM items',
  'SELECT id, iif(cat, 1) AS u FROM items',
  'SELECT id, -n AS neg FROM items',
  'SELECT id, auth.user_id() AS me FROM items',
  'SELECT id, foo.bar() AS x FROM items',
  'SELECT * FROM items WHERE owner = auth.nope()',
  'SELECT * FROM items WHERE owner = subscription.user_id()',
  'SELECT * FROM items WHERE owner = auth.parameter()',
  'SELECT * FROM items WHERE owner || auth.user_id() = \'x\'',
  'SELECT * FROM items i, lists l WHERE i.list_id = l.id',
  'SELECT * FROM items i, lists l',
  'SELECT id FROM items i, lists l WHERE i.list_id = l.id',
  'SELECT i.id, l.name FROM items i, lists l WHERE i.list_id = l.id',
  'SELECT * FROM items WHERE list_id IN (SELECT * FROM lists)',
  'SELECT * FROM items WHERE list_id IN (SELECT id, owner FROM lists)',
  'SELECT * FROM items LEFT JOIN lists ON items.list_id = lists.id',
  'SELECT * FROM items WHERE x.id = 1',
  'SELECT 1',
  'SELECT upper(\'a\') AS x',
  'UPDATE items SET x = 1',
  'SELECT * FROM items WHERE',
  'SELECT * FROM items WHERE owner = \'unterminated',
  'SELECT * FROM items WHERE CAST(n AS VARCHAR) = \'1\'',
  'SELECT id, n AS a, n AS a FROM items',
  'SELECT id, upper(cat) FROM items',
  'SELECT * FROM items WHERE cat = subscription.parameter(\'cat\')',
  'SELECT * FROM items WHERE cat = connection.parameter(\'cat\') AND owner = auth.user_id()',
  'SELECT * FROM items WHERE list_id IN (SELECT id FROM lists WHERE owner = subscription.parameter(\'o\'))',
  'SELECT DISTINCT * FROM items',
  'SELECT * FROM items WHERE n NOT IN (SELECT id FROM lists WHERE owner = auth.user_id())',
  'SELECT * FROM items i JOIN lists l USING (id)',
  'SELECT * FROM items, items',
  'SELECT * FROM items WHERE EXISTS (SELECT 1 FROM lists)',
  'SELECT * FROM items WHERE owner = (SELECT id FROM lists)',
  'SELECT *, id AS x FROM items WHERE owner = auth.user_id() AND (cat = \'a\' OR cat = subscription.parameter(\'cat\'))',
  'SELECT * FROM json_each(auth.parameter(\'orgs\'))',
  'SELECT id AS a, * FROM items',
];
bad.forEach((q, i) => scenario(`problem ${i}: ${q}`, e3(stream('s', q, '    auto_subscribe: true\n'))));
add('problem: bucket_definitions', `config:\n  edition: 3\nbucket_definitions:\n  b:\n    data:\n      - SELECT * FROM items\nstreams:\n  s:\n    query: SELECT * FROM items\n`);
add('problem: no streams', `config:\n  edition: 3\n`);
add('problem: query and queries', `config:\n  edition: 3\nstreams:\n  s:\n    query: SELECT * FROM items\n    queries:\n      - SELECT * FROM lists\n`);
add('problem: neither query nor queries', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n`);
add('problem: with is not a select', `config:\n  edition: 3\nwith:\n  c: SELECT * FROM lists\nstreams:\n  s:\n    query: SELECT * FROM items WHERE list_id IN c\n`);
add('problem: with two columns', `config:\n  edition: 3\nwith:\n  c: SELECT id, owner FROM lists\nstreams:\n  s:\n    query: SELECT * FROM items WHERE list_id IN c\n`);
add('problem: priority out of range', `config:\n  edition: 3\nstreams:\n  s:\n    priority: 7\n    query: SELECT * FROM items\n`);
add('problem: duplicate stream names', `config:\n  edition: 3\nstreams:\n  s:\n    query: SELECT * FROM items\n  s:\n    query: SELECT * FROM lists\n`);

// Random combinations of filters, like the clients write them.
let seed = 42;
const rnd = (n) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
const atoms = [
  "owner = auth.user_id()", "cat = subscription.parameter('cat')", "org = connection.parameter('org')",
  "archived = 0", "n > 1", "auth.parameter('role') = 'admin'", "auth.user_id() IN members",
  "list_id IN (SELECT id FROM lists WHERE owner = auth.user_id())", "cat IN subscription.parameter('cats')",
  "org IN (SELECT org_id FROM members WHERE user_id = auth.user_id())", "owner IS NOT NULL", "cat IN ('a', 'b')",
  "auth.user_id() IN (SELECT uid FROM admins WHERE active = 1)", "org = auth.parameter('org')",
  "list_id = subscription.parameter('list')", "NOT (cat = 'b')",
];
for (let i = 0; i < 140; i++) {
  const count = 1 + rnd(3);
  let where = atoms[rnd(atoms.length)];
  for (let j = 1; j < count; j++) where = `(${where}) ${rnd(3) == 0 ? 'OR' : 'AND'} (${atoms[rnd(atoms.length)]})`;
  const auto = rnd(2) == 0 ? '    auto_subscribe: true\n' : '';
  scenario(`random ${i}: ${where}`, e3(stream('s', `SELECT * FROM items WHERE ${where}`, auto + '    accept_potentially_dangerous_queries: true\n')));
}

// Value semantics of the edition-3 engine: one output column per expression, over varied rows.
const valueRows = [
  { table: 'v', row: { id: 'a', i: I(3), j: I(-2), r: R(2.5), z: R(0.0), t: 'x', u: '12abc', n: null, js: '{"a":{"b":[1,2.0,"s",null,true]},"c":1e2}', arr: '[1,"1",2.5,null]', big: I('9223372036854775807'), b: B('68656c6c6f') } },
  { table: 'v', row: { id: 'b', i: I(0), j: I(7), r: R(-1.5), z: R(1e21), t: 'ß', u: '-4.5e1', n: null, js: '[]', arr: '[]', big: I(-1), b: B('ff') } },
  { table: 'v', row: { id: 'c', i: null, j: null, r: null, z: null, t: null, u: null, n: null, js: null, arr: null, big: null, b: null } },
  { table: 'v', row: { id: 'd', i: I(10), r: R(1e-7), t: '😀a', u: ' 7 ', js: 'not json', arr: '"scalar"' } },
];
const valueExprs = [
  'i + j', 'i - r', 'i * r', 'i / j', 'r / z', 'i / 0', 'i + t', "t || u", "i || r", 'big - 1', 'big + 1', 'big * big', '-1 * i', '+i',
  '99999999999999999999 + 1', 'CAST(99999999999999999999 AS TEXT)',
  'i = j', 'i != j', 'i < r', 'i <= j', 't > u', 'i = 3.0', "t = 'x'", "u = 12", 'n = n', 'n IS NULL', 'i IS NOT NULL',
  'i AND j', 'i OR n', 'NOT i', 'NOT n', 'n AND 0', 'n OR 1', 'i IS TRUE', 'z IS FALSE', 'i BETWEEN j AND 5', 'r NOT BETWEEN 0 AND 3',
  "CASE WHEN i > 2 THEN 'hi' WHEN i IS NULL THEN 'null' END", "CASE t WHEN 'x' THEN 1 ELSE 0 END", 'CASE WHEN n THEN 1 END',
  'CAST(u AS INTEGER)', 'CAST(u AS REAL)', 'CAST(u AS NUMERIC)', 'CAST(r AS INTEGER)', 'CAST(i AS TEXT)', 'CAST(r AS TEXT)', 'CAST(t AS BLOB)', 'CAST(b AS TEXT)', 'u::integer', 'z::text',
  'upper(t)', 'lower(t)', 'length(t)', 'length(b)', 'hex(t)', 'hex(i)', 'typeof(i)', 'typeof(r)', 'typeof(n)', 'typeof(b)', 'typeof(i + r)',
  'substring(t, 2)', 'substring(u, 2, 2)', 'substring(t, 0, 1)', 'instr(u, \'a\')', 'ifnull(n, i)', 'ifnull(n, r)', 'iif(i, 1, 2)', 'iif(n, 1, 2)',
  "json_extract(js, '$.a.b[1]')", "json_extract(js, '$.c')", "json_extract(js, '$.a')", "js -> 'a'", "js ->> 'c'", "js -> 'c'", "js ->> 'missing'", "arr ->> 0",
  'json_array_length(arr)', "json_array_length(js, '$.a.b')", 'json_keys(js)', 'base64(b)', 'base64(t)', 'i IN (1, 3)', "t IN ARRAY['x', 'y']",
  "unixepoch('2024-02-03 04:05:06')", "datetime(1700000000, 'unixepoch')", "datetime('2024-01-01T10:00:00Z')", "unixepoch(i, 'unixepoch')",
  "uuid_blob('550e8400-e29b-41d4-a716-446655440000')", 'i % 2', 'i & 1', 'i | 4', 'i << 2', 'i >> 1', "'a' || NULL", '1.5e0', '0.1 + 0.2',
];
valueExprs.forEach((e, i) => add(`value ${i}: ${e}`, e3(stream('s', `SELECT id, ${e} AS v FROM v`, '    auto_subscribe: true\n')), { rows: valueRows, requests: [{ jwt: '{"sub":"u1"}' }] }));

// Joins and chained subqueries over the parameter tables, in random shapes.
const joinShapes = [
  (p) => `SELECT items.* FROM items JOIN lists ON items.list_id = lists.id WHERE ${p('lists')}`,
  (p) => `SELECT items.* FROM items, lists, members WHERE items.list_id = lists.id AND lists.org = members.org_id AND ${p('members')}`,
  (p) => `SELECT * FROM items WHERE org IN (SELECT org_id FROM members WHERE ${p('members')})`,
  (p) => `SELECT * FROM items WHERE list_id IN (SELECT id FROM lists WHERE org IN (SELECT org_id FROM members WHERE ${p('members')}))`,
  (p) => `SELECT i.* FROM items i JOIN orgs o ON i.org = o.id WHERE ${p('o')}`,
  (p) => `SELECT i.* FROM items i JOIN lists l ON i.list_id = l.id JOIN orgs o ON l.org = o.id WHERE ${p('o')}`,
];
const joinPredicates = {
  lists: ["lists.owner = auth.user_id()", "lists.org = auth.parameter('org')", "lists.id = subscription.parameter('list') AND lists.owner = auth.user_id()", "lists.archived = 0 AND lists.owner = auth.user_id()"],
  members: ["members.user_id = auth.user_id()", "members.user_id = auth.user_id() AND members.role = 'admin'", "user_id = auth.user_id()", "members.org_id IN auth.parameter('orgs')"],
  o: ["o.region = subscription.parameter('region')", "o.id = auth.parameter('org')", "o.name = 'Org One'", "o.id IN auth.parameter('orgs')"],
};
for (let i = 0; i < 60; i++) {
  const shape = joinShapes[rnd(joinShapes.length)];
  const q = shape((alias) => {
    const list = joinPredicates[alias === 'o' ? 'o' : alias] ?? joinPredicates.members;
    let p = list[rnd(list.length)];
    if (alias === 'o' || alias === 'lists') return p;
    return p;
  });
  const extra = rnd(3) == 0 ? ' AND items.archived = 0' : '';
  scenario(`join ${i}: ${q}${extra}`, e3(stream('s', q + (q.includes('items.') ? extra : ''), '    auto_subscribe: true\n    accept_potentially_dangerous_queries: true\n')),
    { requests: [...requests, { jwt: '{"sub":"u2","org":"o1","orgs":["o1"]}', subs: [{ stream: 's', params: '{"region":"eu","list":"l2"}' }] }] });
}

// Several streams sharing bucket sources, several queries, CTEs in random combinations.
const streamQueries = [
  'SELECT * FROM items WHERE owner = auth.user_id()', 'SELECT * FROM items', 'SELECT * FROM lists WHERE owner = auth.user_id()',
  "SELECT * FROM items WHERE cat = subscription.parameter('cat')", 'SELECT * FROM items WHERE list_id IN mine', 'SELECT id, name FROM orgs',
  'SELECT * FROM lists WHERE id IN mine', "SELECT * FROM items WHERE auth.parameter('role') = 'admin'",
];
for (let i = 0; i < 40; i++) {
  let yaml = 'config:\n  edition: 3\nwith:\n  mine: SELECT id FROM lists WHERE owner = auth.user_id()\nstreams:\n';
  const count = 1 + rnd(3);
  for (let k = 0; k < count; k++) {
    const name = ['s', 'a', 'b'][k];
    const n = 1 + rnd(2);
    const qs = Array.from({ length: n }, () => streamQueries[rnd(streamQueries.length)]);
    yaml += `  ${name}:\n${rnd(2) ? '    auto_subscribe: true\n' : ''}${rnd(4) == 0 ? '    priority: ' + rnd(4) + '\n' : ''}    accept_potentially_dangerous_queries: true\n`;
    yaml += n == 1 ? `    query: ${qs[0]}\n` : `    queries:\n${qs.map((q) => `      - ${q}\n`).join('')}`;
  }
  scenario(`streams ${i}`, yaml, { requests: [...requests, { jwt: '{"sub":"u2"}', subs: [{ stream: 'a', params: '{"cat":"b"}' }, { stream: 'b', params: null, priority: 0 }] }] });
}

// Columns missing from the row: the JavaScript engine sees `undefined`, which some expressions pass through
// (the column is then left out of the data) while the others turn it into NULL.
const missingRows = [
  { table: 'v', row: { id: 'a', i: I(3), t: 'x', js: '{"a":1}', n: null } },
  { table: 'v', row: { id: 'b' } },
  { table: 'v', row: { id: 'c', m: null, i: null, t: null, js: null, n: null, k: null } },
  { table: 'v', row: { id: 'd', m: 'here', i: I(0), t: 'y', k: I(2), js: '[1,2]' } },
  { table: 'v', row: { i: I(5), m: I(1) } },
];
const missingExprs = [
  'm', '+m', '+(+m)', 'ifnull(m, m)', 'ifnull(m, n)', 'ifnull(n, m)', 'ifnull(m, 1)', 'ifnull(m, m, 1)', 'ifnull(m, m, m)', 'ifnull(1, m)', 'ifnull(t, m)',
  'ifnull(ifnull(m, m), m)', 'ifnull(m, ifnull(m, k))', 'iif(i, m, 1)', 'iif(i, 1, m)', 'iif(m, 1, 2)', 'iif(m, 1, m)', 'iif(n, 1, m)', 'iif(1, m, m)', 'iif(i, m, k)',
  'CASE WHEN i THEN m END', 'CASE WHEN i THEN m ELSE k END', 'CASE WHEN m THEN 1 ELSE m END', 'CASE WHEN n THEN 1 END', 'CASE m WHEN 1 THEN 2 END',
  'CASE m WHEN 1 THEN 2 ELSE m END', "CASE i WHEN 3 THEN m ELSE 'other' END", 'CASE WHEN i > 1 THEN +m ELSE ifnull(m, m) END', 'CASE WHEN m IS NULL THEN m END',
  'CAST(m AS TEXT)', 'CAST(m AS INTEGER)', 'CAST(m AS REAL)', 'CAST(m AS NUMERIC)', 'CAST(m AS BLOB)', 'm::text', 'CAST(ifnull(m, m) AS TEXT)',
  "m || 'x'", "'x' || m", 'm || m', 'm || t', 'm = 1', '1 = m', 'm = m', 'm != 1', 'm < 1', 'm >= k', 'm IS NULL', 'm IS NOT NULL', 'm IS TRUE', 'm IS NOT FALSE',
  'NOT m', 'NOT NOT m', 'NOT (+m)', 'm AND 1', 'm OR 1', 'm OR 0', 'i AND m', 'm + 1', 'm - k', 'm * 2', 'm / 2', '1 / m', 'm BETWEEN 1 AND 2', 'i BETWEEN m AND 5', 'm NOT BETWEEN 1 AND 2',
  "m IN ('here', 1)", "i IN (m, 3)", "i IN (m, 4)", "m IN ARRAY['here']", "t NOT IN (m, 'z')",
  'upper(m)', 'lower(m)', 'length(m)', 'hex(m)', 'typeof(m)', 'typeof(+m)', 'typeof(ifnull(m, m))', 'base64(m)', 'json_keys(m)', 'instr(m, \'e\')', 'instr(t, m)',
  'substring(m, 1)', 'substring(t, m)', 'substring(t, 1, m)', 'unixepoch(m)', "datetime(m, 'unixepoch')", 'uuid_blob(m)', 'st_x(m)', 'st_astext(m)', 'st_asgeojson(m)',
  'json_array_length(m)', "json_array_length(js, m)", "json_extract(m, '$.a')", 'json_extract(js, m)', "m -> 'a'", "m ->> 'a'", "js -> m", "js ->> m",
  "json_extract(js, '$.missing')", "js -> 'missing'", "js ->> 'missing'", "ifnull(js ->> 'missing', m)", "ifnull(m, js ->> 'a')",
  'ifnull(upper(m), m)', 'iif(m IS NULL, m, 0)', 'ifnull(m, m) IS NULL', 'ifnull(m, m) = 1', 'ifnull(+m, CASE WHEN 1 THEN m END)',
];
missingExprs.forEach((e, i) => add(`missing ${i}: ${e}`, e3(stream('s', `SELECT id, ${e} AS v FROM v`, '    auto_subscribe: true\n')), { rows: missingRows, requests: [{ jwt: '{"sub":"u1"}' }] }));
// The same expressions as the only column, under `*`, and naming a column `*` also sets.
const missingShapes = [
  'SELECT ifnull(m, m) AS v FROM v', 'SELECT *, ifnull(m, m) AS t FROM v', 'SELECT ifnull(m, m) AS t, * FROM v', 'SELECT *, m AS t FROM v', 'SELECT m AS t, * FROM v',
  'SELECT *, +m AS id FROM v', 'SELECT +m AS id, t FROM v', 'SELECT iif(i, m, t) AS id, i FROM v', 'SELECT id, m AS a, +m AS b, ifnull(m, m) AS c, t FROM v',
  "SELECT id, m AS \"3\", t AS \"1\", ifnull(m, m) AS \"2\" FROM v", 'SELECT id, ifnull(m, m) AS x, t AS x FROM v', 'SELECT id, t AS x, ifnull(m, m) AS x FROM v',
  'SELECT id, ifnull(m, m) AS x, m AS x FROM v', 'SELECT v.*, ifnull(v.m, v.m) AS t FROM v', 'SELECT id, CASE WHEN i THEN m ELSE t END AS x FROM v',
];
missingShapes.forEach((q, i) => add(`missing shape ${i}: ${q}`, e3(stream('s', q, '    auto_subscribe: true\n')), { rows: missingRows, requests: [{ jwt: '{"sub":"u1"}' }] }));
// In filters, bucket parameters and parameter lookups.
const missingFilters = [
  'm', '+m', 'ifnull(m, m)', 'ifnull(m, 1)', 'NOT m', 'm IS NULL', 'm IS NOT NULL', 'ifnull(m, m) IS NULL', 'iif(i, m, 1)', 'm = m', 'NOT (m = 1)', 'm != 1',
  "m IN ('here', 'x')", 'CASE WHEN m THEN 1 ELSE 0 END', 'NOT ifnull(m, m)', 'm IS NOT TRUE',
  'm = auth.user_id()', 'ifnull(m, m) = auth.user_id()', 'ifnull(m, t) = auth.user_id()', '+m = subscription.parameter(\'x\')', 'iif(i, m, t) = subscription.parameter(\'x\')',
  'ifnull(m, \'u1\') = auth.user_id()', 'upper(m) = auth.parameter(\'up\')', 'm IN subscription.parameter(\'xs\')', 'ifnull(m, m) IN auth.parameter(\'xs\')',
  'auth.user_id() IN m', 'm = auth.parameter(\'missing\')', 'ifnull(auth.parameter(\'missing\'), \'x\') = t', 'auth.parameter(\'missing\') IS NULL',
  'subscription.parameter(\'missing\') IS NULL AND m IS NULL', 'ifnull(subscription.parameter(\'missing\'), m) IS NULL',
  'm IN (SELECT id FROM lists WHERE owner = auth.user_id())', 'ifnull(m, t) IN (SELECT id FROM lists WHERE owner = auth.user_id())',
  'i IN (SELECT ifnull(m, n) FROM lists WHERE owner = auth.user_id())', 'i IN (SELECT +m FROM lists WHERE owner = auth.user_id())',
  't IN (SELECT id FROM lists WHERE ifnull(m, owner) = auth.user_id())', 't IN (SELECT id FROM lists WHERE m = auth.user_id())',
  't IN (SELECT id FROM lists WHERE +m IS NULL AND owner = auth.user_id())', 'auth.user_id() IN (SELECT ifnull(m, owner) FROM lists WHERE id = v.t)',
];
const missingParamRows = [
  { table: 'lists', row: { id: 'x', owner: 'u1', n: I(3) } },
  { table: 'lists', row: { id: 'y', owner: 'u1', m: I(3), n: null } },
  { table: 'lists', row: { id: 'here', owner: 'u2', m: 'u1' } },
  { table: 'lists', row: { owner: 'u1' } },
  { table: 'lists', row: { id: 'z', m: null, n: I(3) } },
];
const missingRequests = [
  { jwt: '{"sub":"u1","up":"HERE","xs":["here","x",1]}', subs: [{ stream: 's', params: '{"x":"here","xs":["x","here"]}' }, { stream: 's', params: '{"x":"x"}' }] },
  { jwt: '{"sub":"here"}', subs: [{ stream: 's', params: null }] },
  { jwt: '{"sub":"u2","xs":"here"}', defaults: true },
];
missingFilters.forEach((f, i) => add(`missing filter ${i}: ${f}`,
  e3(stream('s', `SELECT * FROM v WHERE ${f}`, '    auto_subscribe: true\n    accept_potentially_dangerous_queries: true\n')),
  { rows: missingRows, paramRows: missingParamRows, requests: missingRequests }));

// Random nestings of what passes `undefined` on and what turns it into NULL.
const leaves = ['m', 'm', 'k', 'i', 't', 'n', '1', "'x'", 'NULL', 'js'];
const wraps = [
  (a) => `+${a}`, (a, b) => `ifnull(${a}, ${b})`, (a, b, c) => `iif(${a}, ${b}, ${c})`, (a, b, c) => `CASE WHEN ${a} THEN ${b} ELSE ${c} END`,
  (a, b) => `CASE WHEN ${a} THEN ${b} END`, (a, b, c) => `CASE ${a} WHEN ${b} THEN ${c} END`, (a, b) => `(${a} || ${b})`, (a, b) => `(${a} = ${b})`,
  (a) => `CAST(${a} AS TEXT)`, (a) => `upper(${a})`, (a) => `(${a} IS NULL)`, (a) => `(NOT ${a})`, (a, b) => `(${a} AND ${b})`, (a) => `substring(t, 1, ${a})`,
  (a) => `json_extract(js, ${a})`, (a) => `typeof(${a})`, (a, b) => `(${a} + ${b})`, (a) => `length(${a})`, (a, b) => `ifnull(${a}, ${b}, 0)`,
];
const randomExpr = (depth) => {
  if (depth == 0 || rnd(4) == 0) return leaves[rnd(leaves.length)];
  const w = wraps[rnd(wraps.length)];
  return w(randomExpr(depth - 1), randomExpr(depth - 1), randomExpr(depth - 1));
};
for (let i = 0; i < 160; i++) {
  const e = randomExpr(1 + rnd(3));
  add(`missing random ${i}: ${e}`, e3(stream('s', `SELECT id, ${e} AS v, ${randomExpr(2)} AS w FROM v`, '    auto_subscribe: true\n')), { rows: missingRows, requests: [{ jwt: '{"sub":"u1"}' }] });
}
for (let i = 0; i < 40; i++) {
  const e = randomExpr(1 + rnd(3));
  add(`missing random filter ${i}: ${e}`, e3(stream('s', rnd(2) ? `SELECT * FROM v WHERE ${e}` : `SELECT * FROM v WHERE ${e} = auth.user_id()`, '    auto_subscribe: true\n')),
    { rows: missingRows, paramRows: missingParamRows, requests: missingRequests });
}
['SELECT v.* FROM v, json_each(v.m) AS e WHERE e.value = auth.user_id()', 'SELECT v.* FROM v, json_each(+v.m) AS e WHERE e.value = auth.user_id()',
  'SELECT v.* FROM v, json_each(ifnull(v.m, v.m)) AS e WHERE e.value = auth.user_id()', 'SELECT v.* FROM v, json_each(ifnull(v.m, v.js)) AS e WHERE e.value = 1',
  'SELECT v.* FROM v, json_each(CAST(v.m AS TEXT)) AS e WHERE e.value = auth.user_id()', 'SELECT v.id, e.value AS x FROM v, json_each(v.js) AS e',
].forEach((q, i) => add(`missing json_each ${i}: ${q}`, e3(stream('s', q, '    auto_subscribe: true\n')), { rows: missingRows, requests: missingRequests }));

// SUBSTRING(x FROM a FOR b): the grammar, its errors, and what the JavaScript engine makes of it.
const substringForms = [
  'SUBSTRING(t FROM 2)', 'SUBSTRING(t FROM 2 FOR 2)', 'substring(t for 2)', 'substring(t from i for 1)', 'Substring ( t From 1 For 1 )', 'SUBSTRING(m FROM 2)',
  "SUBSTRING('abc' FROM 2)", 'upper(SUBSTRING(t FROM 1))', 'substring(t, 2)', 'substring(t, 1, 2)',
  'SUBSTRING(t)', 'SUBSTRING(t FROM)', 'SUBSTRING(t FROM 2 FOR)', 'SUBSTRING(t FOR 2 FROM 1)', 'SUBSTRING(t, 2 FOR 1)', 'SUBSTRING(t FROM 1, 2)',
  'SUBSTRING(FROM 2)', 'SUBSTRING(t FROM 2 FOR 1 FOR 1)', 'substr(t, 2)', 'SUBSTRING(t FROM auth.user_id())', 'SUBSTRING(t FROM -1)', 'SUBSTRING(t FROM nosuch(1))',
  'upper(SUBSTRING(t))', 'SUBSTRING(t, 1)', 'SUBSTRING()', 'SUBSTRING(*)', 'SUBSTRING(t FROM 1 FOR 2, 3)', 'SUBSTRING(t FROM (1) FOR (2))', 'SUBSTRING(t || \'x\' FROM i + 1)',
  'SUBSTRING(t FROM 1 FOR 2) || \'x\'', 'SUBSTRING(t FROM CASE WHEN i THEN 1 ELSE 2 END)', 'SUBSTRING(t FOR)', 'SUBSTRING(t FROM 1 FROM 2)', 'SUBSTRING(t, FROM 1)',
  'substring(t, 1, 2, 3)', 'substring(t FROM 1 FOR 2 AS x)', '"substring"(t, 2)', '"substring"(t FROM 2)', 'SUBSTRING(t IS NULL FROM 1)', 'SUBSTRING(t FROM 1 FOR 2 + 1)',
  'SUBSTRING(t FROM 1)::text', 'CAST(SUBSTRING(t FROM 1) AS TEXT)', 'SUBSTRING (t FROM 1)', 'SUBSTRING(t NOT IN (1) FROM 1)', 'SUBSTRING(t FROM 1 FOR i BETWEEN 1 AND 2)',
  '"SUBSTRING"(t FROM 2)', '"substring"(t)', '"SUBSTRING"(t, 2)', 'public.substring(t FROM 2)', 'SUBSTRING(t FROM 1) IS NULL',
];
substringForms.forEach((e, i) => add(`substring syntax ${i}: ${e}`, e3(stream('s', `SELECT id, ${e} AS v FROM v`, '    auto_subscribe: true\n')), { rows: missingRows.slice(0, 2), requests: [{ jwt: '{"sub":"u1"}' }] }));
['SELECT * FROM v WHERE SUBSTRING(t FROM 1 FOR 1) = \'x\'', 'SELECT * FROM v WHERE t = SUBSTRING(auth.user_id() FROM 1)', 'SELECT * FROM v WHERE t IN (SELECT SUBSTRING(id FROM 2) FROM lists WHERE owner = auth.user_id())']
  .forEach((q, i) => add(`substring syntax where ${i}: ${q}`, e3(stream('s', q, '    auto_subscribe: true\n')), { rows: missingRows.slice(0, 2), paramRows: missingParamRows, requests: missingRequests }));

const results = [];
for (const c of cases) results.push(await run(c));
const target = process.argv[2] ?? path.join(path.dirname(new URL(import.meta.url).pathname), 'edition3.ndjson');
writeFileSync(target, results.map((r) => JSON.stringify(r)).join('\n') + '\n');
console.log(`${results.length} cases -> ${target}`);
