// Writes the inputs of ../yaml-anchors-tags.ndjson: YAML anchors, aliases, tags, directives and plain-scalar
// forms in every position of a sync-rules file. `node yaml-cases.mjs && node generate.mjs ../yaml-anchors-tags.ndjson`
// then fills in the official results. Each position of a few base documents gets every decoration; aliases and
// the special cases are listed by hand.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const target = join(dirname(fileURLToPath(import.meta.url)), '..', 'yaml-anchors-tags.ndjson');

const row = { table: 't', row: { id: 'r1', a: 'x' } };
const bucketRequest = { jwt: '{"sub":"u"}', params: '{"a":"x"}' };
const streamRequests = [
  { jwt: '{"sub":"u"}', subs: [{ stream: 'p', params: '{"a":"x"}' }] },
  { jwt: '{"sub":"u"}', defaults: false }
];

// Base documents; «name» marks a position. A position at the end of a `key:` line holds a block collection.
const bases = {
  buckets: {
    yaml: `«root»config:«config»
  «editionKey»edition: «edition»1
  «flagKey»timestamps_iso8601: «flag»false
«bdKey»bucket_definitions:«bd»
  «name»b:«def»
    «acceptKey»accept_potentially_dangerous_queries: «accept»true
    «priorityKey»priority: «priority»1
    «paramsKey»parameters: «params»SELECT request.parameters() ->> 'a' AS a
    «dataKey»data:«data»
      - «query»SELECT * FROM t WHERE t.a = bucket.a
  g:
    parameters:«paramList»
      - «paramItem»SELECT 'x' AS one
    data:
      - «query2»'SELECT id FROM t WHERE t.a = bucket.one'
`,
    rows: [row], paramRows: [], requests: [bucketRequest], warnings: []
  },
  streams: {
    yaml: `«root»config:
  edition: «edition»2
«streamsKey»streams:«streams»
  «name»s:«stream»
    «autoKey»auto_subscribe: «auto»true
    query: «query»SELECT * FROM t
  p:
    «priorityKey»priority: «priority»1
    «acceptKey»accept_potentially_dangerous_queries: «accept»true
    «queryKey»query: «query2»|
      SELECT * FROM t WHERE a = subscription.parameter('a')
`,
    rows: [row], paramRows: [], requests: streamRequests, warnings: []
  },
  edition3: {
    yaml: `«root»config:
  edition: «edition»3
«withKey»with:«with»
  «cteName»w: «cte»SELECT id, a FROM t WHERE a = 'x'
streams:
  «name»s:«stream»
    «autoKey»auto_subscribe: «auto»true
    «queriesKey»queries:«queries»
      - «query»SELECT * FROM w
      - «query2»SELECT * FROM t WHERE a = subscription.parameter('a')
  p:
    «localWithKey»with:«localWith»
      v: «localCte»SELECT id, a FROM t
    «queryKey»query: «query3»SELECT * FROM v
`,
    rows: [row], paramRows: [], requests: streamRequests
  },
  events: {
    yaml: `bucket_definitions:
  g:
    data:
      - SELECT id FROM t
«eventsKey»event_definitions:«events»
  «eventName»e:«event»
    «payloadsKey»payloads:«payloads»
      - «payload»SELECT id FROM t
`,
    rows: [row], paramRows: [], requests: [bucketRequest]
  }
};

const tags = [
  '!!str', '!!int', '!!float', '!!bool', '!!null', '!!map', '!!seq', '!!binary', '!!timestamp', '!!omap', '!!pairs',
  '!!set', '!', '!foo', '!<tag:yaml.org,2002:str>', '!<tag:yaml.org,2002:int>', '!<tag:example.com,2000:x>', '!<!bar>',
  '!accept_potentially_dangerous_queries', '!e!x'
];
const decorations = [...tags.map((t) => ({ label: `tag ${t}`, text: t })), { label: 'anchor', text: '&x' }, { label: 'anchor and tag', text: '&x !!str' }];

const cases = [];
const add = (name, base, yaml) => {
  const b = bases[base];
  const c = { name, yaml, version: null, rows: b.rows, paramRows: b.paramRows, requests: b.requests };
  if (b.warnings) c.warnings = [];
  cases.push(c);
};

for (const [baseName, base] of Object.entries(bases)) {
  const positions = [...base.yaml.matchAll(/«(\w+)»/g)].map((m) => m[1]);
  add(`${baseName}: the base document`, baseName, base.yaml.replace(/«\w+»/g, ''));
  for (const position of positions) {
    const collection = new RegExp(`«${position}»\\n`).test(base.yaml);
    for (const d of decorations) {
      let text = d.text;
      let yaml = base.yaml.replace(/«(\w+)»/g, (_, name) => {
        if (name !== position) return '';
        if (name === 'root') return `${text}\n`;
        return collection ? ` ${text}` : `${text} `;
      });
      if (text.startsWith('!e!')) yaml = `%TAG !e! tag:example.com,2000:\n---\n${yaml}`;
      add(`${baseName}: ${d.label} on ${position}`, baseName, yaml);
    }
  }
}

// Aliases, merge keys, directives, documents and plain-scalar forms (hand-written).
const B = (rest) => `bucket_definitions:\n${rest}`;
const handWritten = [
  ['alias as a whole bucket definition', 'buckets', B(`  b: &d\n    data:\n      - SELECT * FROM t\n  c: *d\n`)],
  ['alias as a data list', 'buckets', B(`  b:\n    data: &l\n      - SELECT * FROM t\n  c:\n    data: *l\n`)],
  ['alias as a data query', 'buckets', B(`  b:\n    data:\n      - &q SELECT * FROM t\n      - *q\n`)],
  ['alias as a parameter query makes a global bucket', 'buckets', B(`  b:\n    parameters: &p SELECT request.parameters() ->> 'a' AS a\n    data:\n      - SELECT id FROM t\n  c:\n    parameters: *p\n    data:\n      - SELECT * FROM t\n`)],
  ['alias as a parameter list makes a global bucket', 'buckets', B(`  b:\n    parameters: &p\n      - SELECT request.parameters() ->> 'a' AS a\n    data:\n      - SELECT id FROM t\n  c:\n    parameters: *p\n    data:\n      - SELECT * FROM t\n`)],
  ['alias as a parameter list item', 'buckets', B(`  b:\n    parameters: &p SELECT request.parameters() ->> 'a' AS a\n    data:\n      - SELECT id FROM t WHERE a = bucket.a\n  c:\n    parameters:\n      - *p\n    data:\n      - SELECT * FROM t\n`)],
  ['alias to a number as a parameter query', 'buckets', B(`  b:\n    priority: &p 1\n    parameters: *p\n    data:\n      - SELECT * FROM t\n`)],
  ['alias as a priority', 'buckets', B(`  b:\n    priority: &p 1\n    data:\n      - SELECT * FROM t\n  c:\n    priority: *p\n    data:\n      - SELECT * FROM t\n`)],
  ['alias to true as accept_potentially_dangerous_queries is not followed', 'buckets', B(`  g:\n    accept_potentially_dangerous_queries: &t true\n    data:\n      - SELECT id FROM t\n  b:\n    accept_potentially_dangerous_queries: *t\n    parameters: SELECT request.parameters() ->> 'a' AS a\n    data:\n      - SELECT * FROM t WHERE t.a = bucket.a\n`)],
  ['alias to a string as accept_potentially_dangerous_queries', 'buckets', B(`  g:\n    data:\n      - &t SELECT id FROM t\n  b:\n    accept_potentially_dangerous_queries: *t\n    data:\n      - SELECT * FROM t\n`)],
  ['alias as a bucket name', 'buckets', B(`  &k b:\n    data:\n      - SELECT * FROM t\n  *k :\n    data:\n      - SELECT id FROM t\n`)],
  ['alias to a number as a bucket name', 'buckets', B(`  b:\n    priority: &k 1\n    data:\n      - SELECT * FROM t\n  *k :\n    data:\n      - SELECT id FROM t\n`)],
  ['alias as bucket_definitions', 'buckets', `config: &c\n  edition: 1\nbucket_definitions: *c\n`],
  ['alias to a scalar as bucket_definitions', 'buckets', `config:\n  edition: &c 1\nbucket_definitions: *c\n`],
  ['alias as a top-level key', 'buckets', `config:\n  edition: 1\n  timestamps_iso8601: &k false\n*k : 1\nbucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t\n`],
  ['alias as the config', 'buckets', `x: &c\n  edition: 1\nconfig: *c\nbucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t\n`],
  ['alias as the edition', 'streams', `config:\n  storage_version: &e 2\n  edition: *e\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n`],
  ['alias as the edition of bucket definitions', 'buckets', `config:\n  storage_version: &e 2\n  edition: *e\n  versioned_bucket_ids: true\nbucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t\n`],
  ['alias as a config flag is not followed', 'buckets', `config:\n  edition: 2\n  timestamps_iso8601: &f true\n  versioned_bucket_ids: *f\nbucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t\n`],
  ['alias as the storage version', 'buckets', `config:\n  edition: &v 2\n  storage_version: *v\nbucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t\n`],
  ['alias as a config key', 'buckets', `config:\n  &k edition: 2\n  *k : 2\nbucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t\n`],
  ['alias as timestamp_max_precision', 'streams', `streams:\n  s:\n    x: &p seconds\n    auto_subscribe: true\n    query: SELECT * FROM t\nconfig:\n  edition: 2\n  timestamps_iso8601: true\n  timestamp_max_precision: *p\n`],
  ['alias as a whole stream', 'streams', `config:\n  edition: 2\nstreams:\n  s: &s\n    auto_subscribe: true\n    query: SELECT * FROM t\n  p: *s\n`],
  ['alias as a stream query', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: &q SELECT * FROM t\n  p:\n    query: *q\n`],
  ['alias to true as auto_subscribe is not followed', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: &t true\n    query: SELECT * FROM t\n  p:\n    auto_subscribe: *t\n    query: SELECT * FROM t WHERE a = subscription.parameter('a')\n`],
  ['alias as a stream priority', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    priority: &p 1\n    auto_subscribe: true\n    query: SELECT * FROM t\n  p:\n    priority: *p\n    query: SELECT * FROM t WHERE a = subscription.parameter('a')\n`],
  ['alias as streams', 'streams', `config: &c\n  edition: 2\nstreams: *c\n`],
  ['alias as an unknown stream key is accepted', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: &t true\n    query: SELECT * FROM t\n    extra: *t\n`],
  ['merge key in a stream is an unknown key', 'streams', `config:\n  edition: 2\nstreams:\n  s: &s\n    auto_subscribe: true\n    query: SELECT * FROM t\n  p:\n    <<: *s\n    query: SELECT * FROM t WHERE a = subscription.parameter('a')\n`],
  ['merge key in a bucket definition', 'buckets', B(`  b: &d\n    data:\n      - SELECT * FROM t\n  c:\n    <<: *d\n`)],
  ['merge key with data in a bucket definition', 'buckets', B(`  b: &d\n    priority: 1\n    data:\n      - SELECT * FROM t\n  c:\n    <<: *d\n    data:\n      - SELECT id FROM t\n`)],
  ['merge key under YAML 1.1', 'buckets', `%YAML 1.1\n---\n` + B(`  b: &d\n    priority: 1\n    data:\n      - SELECT * FROM t\n  c:\n    <<: *d\n    data:\n      - SELECT id FROM t\n`)],
  ['merge key under YAML 1.1 in a stream', 'streams', `%YAML 1.1\n---\nconfig:\n  edition: 2\nstreams:\n  s: &s\n    auto_subscribe: true\n    query: SELECT * FROM t\n  p:\n    <<: *s\n    query: SELECT * FROM t WHERE a = subscription.parameter('a')\n`],
  ['merge key at the top level', 'buckets', `<<: {x: 1}\nbucket_definitions:\n  b:\n    data:\n      - SELECT * FROM t\n`],
  ['YAML 1.1 booleans are strings', 'streams', `%YAML 1.1\n---\nconfig:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: yes\n    query: SELECT * FROM t\n`],
  ['YAML 1.2 directive', 'buckets', `%YAML 1.2\n---\n` + B(`  b:\n    data:\n      - SELECT * FROM t\n`)],
  ['TAG directive used for a query', 'buckets', `%TAG !q! tag:example.com,2000:\n---\n` + B(`  b:\n    data:\n      - !q!sql SELECT * FROM t\n`)],
  ['TAG directive redefining !!', 'buckets', `%TAG !! tag:example.com,2000:\n---\n` + B(`  b:\n    priority: !!int 1\n    data:\n      - SELECT * FROM t\n`)],
  ['TAG directive redefining !! for a string', 'buckets', `%TAG !! tag:example.com,2000:\n---\n` + B(`  b:\n    data:\n      - !!str SELECT * FROM t\n`)],
  ['undeclared tag handle', 'buckets', B(`  b:\n    data:\n      - !q!sql SELECT * FROM t\n`)],
  ['undefined alias as a query', 'buckets', B(`  b:\n    data:\n      - *nope\n`)],
  ['undefined alias as accept_potentially_dangerous_queries', 'buckets', B(`  b:\n    accept_potentially_dangerous_queries: *nope\n    data:\n      - SELECT * FROM t\n`)],
  ['undefined alias as auto_subscribe', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: *nope\n    query: SELECT * FROM t\n`],
  ['undefined alias in an unknown stream key', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    extra: *nope\n`],
  ['alias before its anchor', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    extra: *a\n    auto_subscribe: &a true\n    query: SELECT * FROM t\n`],
  ['duplicate anchors: the alias takes the last one', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    x: &a true\n    y: &a 1\n    auto_subscribe: true\n    query: SELECT * FROM t\n  p:\n    query: &a SELECT * FROM t WHERE a = subscription.parameter('a')\n    z: *a\n`],
  ['duplicate anchors on bucket definitions', 'buckets', B(`  b: &a\n    data:\n      - SELECT * FROM t\n  c: &a\n    data:\n      - SELECT id FROM t\n`)],
  ['recursive alias in an unknown stream key', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: &a [*a]\n`],
  ['recursive alias in a map of an unknown stream key', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: &a {y: *a}\n`],
  ['recursive alias as a parameter list', 'buckets', B(`  b:\n    parameters: &a [*a]\n    data:\n      - SELECT * FROM t\n`)],
  ['recursive alias in a data list', 'buckets', B(`  b:\n    data: &a\n      - SELECT * FROM t\n      - *a\n`)],
  ['an alias repeated 99 times is accepted', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: &a 1\n    y: [${Array(99).fill('*a').join(', ')}]\n`],
  ['an alias repeated 100 times is rejected', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: &a 1\n    y: [${Array(100).fill('*a').join(', ')}]\n`],
  ['an alias to a list repeated 50 times', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: &a [1, 2]\n    y: [${Array(50).fill('*a').join(', ')}]\n`],
  ['an alias to an empty list repeated 200 times', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: &a []\n    y: [${Array(200).fill('*a').join(', ')}]\n`],
  ['an alias bomb is rejected', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    a: &a [x, x, x, x, x, x, x, x, x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n`],
  ['a small nested alias tree is accepted', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    a: &a [x, x]\n    b: &b [*a, *a]\n    c: &c [*b, *b]\n    d: [*c, *c]\n`],
  ['nested aliases just over the limit', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    a: &a [x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n    c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n`],
  ['nested aliases under the limit', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    a: &a [x]\n    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n    c: [*b, *b, *b, *b, *b, *b, *b, *b]\n`],
  ['two documents', 'buckets', B(`  b:\n    data:\n      - SELECT * FROM t\n---\nx: 1\n`)],
  ['two documents, the second empty', 'buckets', B(`  b:\n    data:\n      - SELECT * FROM t\n---\n`)],
  ['document end marker', 'buckets', B(`  b:\n    data:\n      - SELECT * FROM t\n...\n`)],
  ['explicit document start', 'buckets', `---\n` + B(`  b:\n    data:\n      - SELECT * FROM t\n`)],
  ['anchored document root', 'buckets', `&r\n` + B(`  b:\n    data:\n      - SELECT * FROM t\n`)],
  ['complex key as a bucket name', 'buckets', B(`  ? [a, b]\n  : data:\n      - SELECT * FROM t\n`)],
  ['complex map key as a bucket name', 'buckets', B(`  ? {a: 1}\n  : data:\n      - SELECT * FROM t\n`)],
  ['binary query', 'buckets', B(`  b:\n    data:\n      - !!binary U0VMRUNUICogRlJPTSB0\n`)],
  ['binary stream query', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: !!binary U0VMRUNUICogRlJPTSB0\n`],
  ['timestamp with time zone as a bucket name', 'buckets', B(`  !!timestamp 2001-12-14t21:59:43.10-05:00:\n    data:\n      - SELECT * FROM t\n`)],
  ['timestamp with space as a bucket name', 'buckets', B(`  !!timestamp 2001-12-14 21:59:43.10 -5:\n    data:\n      - SELECT * FROM t\n`)],
  ['invalid timestamp', 'buckets', B(`  b:\n    data:\n      - !!timestamp SELECT * FROM t\n`)],
  ['set with values', 'buckets', B(`  b:\n    data:\n      - SELECT * FROM t\n  c: !!set\n    data:\n      - SELECT * FROM t\n`)],
  ['tagged key collides with an untagged one', 'buckets', B(`  !!int 1:\n    data:\n      - SELECT * FROM t\n  1:\n    data:\n      - SELECT id FROM t\n`)],
  ['string and number keys with one name', 'buckets', B(`  "1":\n    data:\n      - SELECT * FROM t\n  1:\n    data:\n      - SELECT id FROM t\n`)],
  ['hex and decimal keys', 'buckets', B(`  0x1:\n    data:\n      - SELECT * FROM t\n  1:\n    data:\n      - SELECT id FROM t\n`)],
  ['null and tilde keys', 'buckets', B(`  null:\n    data:\n      - SELECT * FROM t\n  ~:\n    data:\n      - SELECT id FROM t\n`)],
  ['a stream and a bucket with one name', 'buckets', `config:\n  edition: 2\n` + B(`  1:\n    data:\n      - SELECT * FROM t\n`) + `streams:\n  "1":\n    auto_subscribe: true\n    query: SELECT id FROM t\n`],
  ['an alias key and a plain key with one text', 'buckets', B(`  &k b:\n    data:\n      - SELECT * FROM t\n  x: \n    data:\n      - SELECT id FROM t\n  *k :\n    data:\n      - SELECT id FROM t\n`)],
  // Edition 3, events and shapes the reader walks.
  ['edition 3: alias as a whole stream is skipped', 'edition3', `config:\n  edition: 3\nstreams:\n  s: &s\n    auto_subscribe: true\n    query: SELECT * FROM t\n  p: *s\n`],
  ['edition 3: alias to a list as a whole stream', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    queries: &q\n      - SELECT * FROM t\n  p: *q\n`],
  ['edition 3: alias as queries', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    queries: &q\n      - SELECT * FROM t\n  p:\n    queries: *q\n`],
  ['edition 3: alias as a query', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    query: &q SELECT * FROM t\n  p:\n    query: *q\n`],
  ['edition 3: alias as a queries item', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    query: &q SELECT * FROM t\n  p:\n    queries:\n      - *q\n`],
  ['edition 3: alias as the global with defines nothing', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    with: &w\n      v: SELECT id, a FROM t\n    query: SELECT * FROM v\n  p:\n    auto_subscribe: true\n    query: SELECT * FROM t\nwith: *w\n`],
  ['edition 3: alias as a stream with defines nothing', 'edition3', `config:\n  edition: 3\nwith: &w\n  v: SELECT id, a FROM t\nstreams:\n  s:\n    auto_subscribe: true\n    with: *w\n    query: SELECT * FROM v\n`],
  ['edition 3: unused alias as a stream with', 'edition3', `config:\n  edition: 3\nwith: &w\n  v: SELECT id, a FROM t\nstreams:\n  s:\n    auto_subscribe: true\n    with: *w\n    query: SELECT * FROM t\n`],
  ['edition 3: alias as a common table expression', 'edition3', `config:\n  edition: 3\nwith:\n  v: &q SELECT id, a FROM t\n  w: *q\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM v\n`],
  ['edition 3: alias key as a common table expression name', 'edition3', `config:\n  edition: 3\nwith:\n  &n v: SELECT id, a FROM t\n  *n : SELECT id FROM t\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM v\n`],
  ['edition 3: alias as auto_subscribe', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: &t true\n    query: SELECT * FROM t\n  p:\n    auto_subscribe: *t\n    query: SELECT * FROM t WHERE a = subscription.parameter('a')\n`],
  ['edition 3: alias as a priority', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    priority: &p 1\n    auto_subscribe: true\n    query: SELECT * FROM t\n  p:\n    priority: *p\n    query: SELECT * FROM t WHERE a = subscription.parameter('a')\n`],
  ['edition 3: alias as streams', 'edition3', `config:\n  edition: 3\nwith: &s\n  v: SELECT id FROM t\nstreams: *s\n`],
  ['edition 3: null queries with a query', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    queries:\n    query: SELECT * FROM t\n`],
  ['edition 3: false queries with a query', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    queries: false\n    query: SELECT * FROM t\n`],
  ['edition 3: string queries', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    queries: SELECT * FROM t\n`],
  ['edition 3: empty query', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    query:\n`],
  ['edition 3: a list as with', 'edition3', `config:\n  edition: 3\nwith:\n  - SELECT id FROM t\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n`],
  ['edition 3: a number as a stream name', 'edition3', `config:\n  edition: 3\nstreams:\n  0x10:\n    auto_subscribe: true\n    query: SELECT * FROM t\n`],
  ['edition 3: unknown stream key', 'edition3', `config:\n  edition: 3\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: [1, {y: 2}]\n`],
  ['events: alias as event_definitions', 'events', `bucket_definitions: &b\n  g:\n    data:\n      - SELECT id FROM t\nevent_definitions: *b\n`],
  ['events: alias as an event definition', 'events', `bucket_definitions:\n  g:\n    data: &d\n      - SELECT id FROM t\nevent_definitions:\n  e: &e\n    payloads: *d\n`],
  ['events: alias as a whole event', 'events', `bucket_definitions:\n  g:\n    data:\n      - SELECT id FROM t\nevent_definitions:\n  e: &e\n    payloads:\n      - SELECT id FROM t\n  f: *e\n`],
  ['events: alias as a payload', 'events', `bucket_definitions:\n  g:\n    data:\n      - &q SELECT id FROM t\nevent_definitions:\n  e:\n    payloads:\n      - *q\n`],
  ['events: a list of events', 'events', `bucket_definitions:\n  g:\n    data:\n      - SELECT id FROM t\nevent_definitions:\n  - e\n`],
  ['events: a scalar as event_definitions', 'events', `bucket_definitions:\n  g:\n    data:\n      - SELECT id FROM t\nevent_definitions: x\n`],
  ['events: unknown event key', 'events', `bucket_definitions:\n  g:\n    data:\n      - SELECT id FROM t\nevent_definitions:\n  e:\n    payloads:\n      - SELECT id FROM t\n    x: 1\n`],
  ['a list as bucket_definitions', 'buckets', `bucket_definitions:\n  - b\n`],
  ['an empty list as bucket_definitions', 'buckets', `bucket_definitions: []\n`],
  ['a scalar as bucket_definitions', 'buckets', `bucket_definitions: b\n`],
  ['an empty list as streams', 'streams', `config:\n  edition: 2\nstreams: []\n`],
  ['an empty map as streams without an edition', 'streams', `streams: {}\n`],
  ['a null with in an edition-2 stream', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    with:\n    query: SELECT * FROM t\n`],
  ['a null queries in an edition-2 stream', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    queries:\n    query: SELECT * FROM t\n`],
  ['a list as an edition-2 stream', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    - SELECT * FROM t\n`],
  ['a flow-style document', 'buckets', `{bucket_definitions: {b: {data: [SELECT * FROM t]}}}\n`],
  ['anchor on an empty value and its alias as parameters', 'buckets', B(`  b:\n    x: &p\n    data:\n      - SELECT * FROM t\n`)],
  ['anchor and tag on a block scalar query', 'buckets', B(`  b:\n    data:\n      - &q !!str |\n        SELECT * FROM t\n`)],
  ['anchor names with punctuation', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: &a-b.c true\n    query: SELECT * FROM t\n    x: *a-b.c\n`],
  ['tag on an alias is invalid YAML', 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: &a true\n    query: SELECT * FROM t\n    x: !!str *a\n`],
  ['merge key in config', 'buckets', `config:\n  <<: {edition: 2}\n` + B(`  b:\n    data:\n      - SELECT * FROM t\n`)],
  ['quoted and plain keys collide', 'buckets', B(`  b:\n    data:\n      - SELECT * FROM t\n    "data":\n      - SELECT id FROM t\n`)],
  ['a name with a space', 'buckets', B(`  "b c":\n    data:\n      - SELECT * FROM t\n`)],
  ['anchor on the root and alias to it in a stream', 'streams', `&r\nconfig:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n    x: *r\n`],
  ['sexagesimal and YAML 1.1 forms stay strings', 'buckets', B(`  1:30:\n    data:\n      - SELECT * FROM t\n  0b101:\n    data:\n      - SELECT id FROM t\n  yes:\n    data:\n      - SELECT id FROM t\n`)],
];
for (const [name, base, yaml] of handWritten) add(name, base, yaml);

// Plain and tagged scalar forms where a number, a boolean or a name is read.
const numberForms = ['1', '1.0', '0x1', '0o1', '+1', '01', '1e0', '10e-1', '.1e1', '!!float 1', '!!float 1.0', '!!int "1"', '!!int 0x1', '"1"', "'1'", '! 1', '!foo 1', '1.5', '-0', '.inf', '.nan', '~', 'null', 'true', '4', '-1', '0x3', '3.0000000000000001', '!!int 01', '!!float "1.0"'];
for (const f of numberForms) {
  add(`priority ${f}`, 'buckets', B(`  b:\n    priority: ${f}\n    data:\n      - SELECT * FROM t\n`));
  add(`stream priority ${f}`, 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    priority: ${f}\n    auto_subscribe: true\n    query: SELECT * FROM t\n`);
  add(`edition ${f}`, 'streams', `config:\n  edition: ${f}\nstreams:\n  s:\n    auto_subscribe: true\n    query: SELECT * FROM t\n`);
  add(`storage_version ${f}`, 'buckets', `config:\n  storage_version: ${f}\n` + B(`  b:\n    data:\n      - SELECT * FROM t\n`));
}
const boolForms = ['true', 'True', 'TRUE', 'false', 'False', 'yes', 'on', '1', '0', '"true"', '!!bool true', '!!bool "true"', '!!str true', '! true', '!foo true', '~', '!!bool yes'];
for (const f of boolForms) {
  add(`auto_subscribe ${f}`, 'streams', `config:\n  edition: 2\nstreams:\n  s:\n    auto_subscribe: ${f}\n    query: SELECT * FROM t\n`);
  add(`accept_potentially_dangerous_queries ${f}`, 'buckets', B(`  b:\n    accept_potentially_dangerous_queries: ${f}\n    parameters: SELECT request.parameters() ->> 'a' AS a\n    data:\n      - SELECT * FROM t WHERE t.a = bucket.a\n`));
  add(`config flag ${f}`, 'buckets', `config:\n  edition: 2\n  versioned_bucket_ids: ${f}\n` + B(`  b:\n    data:\n      - SELECT * FROM t\n`));
}
const nameForms = ['0x10', '0o10', '1e3', '1.50', '-0', '007', '~', 'null', 'NULL', 'true', 'FALSE', '.inf', '-.Inf', '.NaN', '12345678901234567890', '0.1', '1e21', '1e-7', '"0x10"', '!!str 0x10', '!!int 10', '!!float 1.50', '!!null ""', '!!bool TRUE', '!foo 1.5', '1_000', '0b11', '+12'];
for (const f of nameForms) {
  add(`bucket name ${f}`, 'buckets', B(`  ${f}:\n    data:\n      - SELECT * FROM t\n`));
  add(`stream name ${f}`, 'streams', `config:\n  edition: 2\nstreams:\n  ${f}:\n    auto_subscribe: true\n    query: SELECT * FROM t\n`);
}
const queryForms = ['1', 'true', '~', '!!str 1', '!!null ""', '"SELECT * FROM t"', '!!binary U0VMRUNUICogRlJPTSB0', '!!str |\n        SELECT * FROM t'];
for (const f of queryForms) {
  add(`data query ${f.split('\n')[0]}`, 'buckets', B(`  b:\n    data:\n      - ${f}\n`));
  add(`parameter query ${f.split('\n')[0]}`, 'buckets', B(`  b:\n    parameters: ${f.replace('        ', '      ')}\n    data:\n      - SELECT * FROM t\n`));
}

const lines = cases.map((c) => JSON.stringify(c));
const seen = new Set();
for (const c of cases) {
  if (seen.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
  seen.add(c.name);
}
writeFileSync(target, lines.join('\n') + '\n');
console.log(`${target}: ${lines.length} cases`);
