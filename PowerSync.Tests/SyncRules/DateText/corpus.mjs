// Writes date-text.ndjson: one expression case per date text, `unixepoch('<text>', 'subsec')` (and a few as
// `datetime('<text>', 'subsec')`), over the forms a real configuration sees (ISO variants, RFC 2822 and
// Date.prototype.toString() forms, 'M/D/YYYY', 'YYYY/MM/DD', month names) and generated variants that walk V8's legacy
// date parser: every month and zone word it knows (and words it does not), spellings and case, offsets of every width,
// 1-4 digit and longer years, out-of-range fields, AM/PM, parentheses, separators, white space (also non-ASCII),
// non-ASCII digits and letters, very long and empty text, and seeded random token sequences. `form` says which parser
// of the official evaluator's `new Date` (V8) is meant: "iso" (the ES date-time format, and the space-separated
// variant), "julian" (all digits: a Julian day, not V8), "legacy" (V8's legacy fallback parser), "invalid", or
// "generated". The official evaluator appends 'Z' to text with no 'z' and no trailing '±hh:mm', so most variants are
// also given with ' (z)' after them, which V8 skips, to reach the parser with the text as written. The official
// evaluator fills in `expected`, run with TZ=UTC (the SyncRulesFixtures build target runs both steps):
//   node corpus.mjs && TZ=UTC node ../Fixtures/generator/generate.mjs date-text.ndjson
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const iso = [
  '2023', '2023-03', '2023-03-06', '2023-03-06T15:47', '2023-03-06T15:47:12', '2023-03-06T15:47:12.1',
  '2023-03-06T15:47:12.123', '2023-03-06T15:47:12.123456', '2023-03-06 15:47:12', '2023-03-06 15:47:12.4',
  '2023-03-06T15:47:12Z', '2023-03-06T15:47:12z', '2023-03-06T15:47:12.5Z', '2023-03-06T15:47:12+01:00',
  '2023-03-06T15:47:12-05:30', '2023-03-06 15:47:12+01:00', '+002023-03-06T15:47:12Z', '-000001-01-01T00:00:00Z',
  '2023-03-06T24:00:00', '2023-03-06T24:00:01', '2023-02-29', '2023-02-30', '2023-13-01', '2023-00-10',
  '2023-03-32', '2023-03-06T25:00', '2023-03-06T15:60', '2023-03-06T15:47:60', '2023-3-6', '23-03-06',
  '2023-03-06T15', '2023-03-06T1547', '2023-03-06T15:47:12,5', '2023-03-06t15:47:12', ' 2023-03-06',
  '2023-03-06 ', '2023-03-06T15:47:12+0100', '2023-03-06T15:47:12+01', '1970-01-01', '0000-01-01', '9999-12-31T23:59:59.999'
];
const julian = ['2460000', '2460000.5', '2440587.5', '0', '2460000.', '1e3'];
const legacy = [];
const dates = ['2023/03/06', '2023/3/6', '03/06/2023', '3/6/2023', '06/03/2023', '2023/03/06 15:47', '2023/03/06 15:47:12',
  '2023/03/06 3:47 PM', '2023/03/06 3:47:12 am', '2023-03-06 3:47 PM', '03-06-2023', '3-6-23', '2023.03.06', '06.03.2023'];
legacy.push(...dates);
const months = ['Jan', 'Feb', 'Mar', 'March', 'mar', 'MARCH', 'Sept', 'Sep', 'September', 'Dec', 'Decem'];
for (const m of months) legacy.push(`6 ${m} 2023`, `${m} 6, 2023`, `${m} 6 2023 15:47:12`, `2023 ${m} 6`);
const zones = ['GMT', 'UTC', 'UT', 'Z', 'GMT+0100', 'GMT-0530', 'GMT+01:00', 'UTC+1', 'UTC-05', '+0100', '-0800', 'EST', 'EDT',
  'CST', 'CDT', 'MST', 'MDT', 'PST', 'PDT', 'CET', 'BST', 'GMT+0100 (Central European Standard Time)', '(comment)'];
for (const z of zones) legacy.push(`Tue Mar 07 2023 10:00:00 ${z}`, `Tue, 07 Mar 2023 10:00:00 ${z}`, `07 Mar 2023 10:00 ${z}`);
legacy.push(
  'Tue Mar 07 2023', 'Tue Mar 07 2023 10:00:00', 'Tuesday, March 7, 2023', 'Mar 7 2023 10:00:00.123', 'Tue, 07 Mar 2023',
  '7 March 2023 10:00 PM', 'March 7, 2023 12:00 AM', 'March 7, 2023 12:00 PM', 'March 7, 2023 13:00 PM', '2023-03-07 10:00 GMT',
  '2023-03-07T10:00:00 GMT', '2023-03-07 10:00:00 UTC', '2023-03-07 10:00:00 +0100', '2023-03-07T10:00:00.000+0100',
  'Mar 7 99', 'Mar 7 49', 'Mar 7 50', 'Mar 7 100', 'Mar 7 2023 BC', '07 Mar 1899', '1 Jan 0', '1 Jan 275760', '1 Jan 275761',
  'Sat, 01 Jan 2000 00:00:00 GMT', 'Thu, 01 Jan 1970 00:00:00 GMT', 'Thu Jan 01 1970 01:00:00 GMT+0100 (Central European Standard Time)',
  '12/31/1999 23:59:59', '12/31/1999 23:59:59.999', '2/29/2024', '2/30/2024', '13/1/2023', '1/32/2023', '0/1/2023',
  '2023/02/29', '2023/12/31 24:00', '2023/12/31 23:60', 'Jan 2023', '2023 Jan', 'Jan', '2023/03', '03/2023');
const invalid = ['', ' ', 'abc', 'now', 'today', 'NaN', 'Invalid Date', '2023-03-06Tfoo', 'foo 2023', '2023 foo', '32/32/2023',
  'Tue Foo 07 2023', '2023-03-06 15:47:12 foo', '::', '2023//03//06', '-', '+', '2023-', 'T10:00', '10:00', '10:00:00 GMT',
  '1', '12', '123', '12345', '1/2', '1.5', 'Z', 'GMT', 'Mar', '2023-03-06Z+01:00', '2023-03-06T15:47:12ZZ', 'zzz'];


// Generated variants: the text as written, and with ' (z)' after it (which keeps the official evaluator from appending 'Z').
const generated = [];
const both = (t) => generated.push(t, `${t} (z)`);
const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
monthNames.forEach((name, i) => {
  const abbr = name.slice(0, 3);
  for (const m of [abbr, name, abbr.toUpperCase(), name.toLowerCase()]) {
    for (const t of [`6 ${m} 2023`, `${m} 6, 2023`, `2023 ${m} 6`, `${m} 2023 6`, `${m}-06-2023`, `06-${m}-2023`, `${m} 6`, `${m} 31 2023`]) both(t);
  }
  both(`${name}xyz 6 2023`);
  both(`${abbr.slice(0, 2)} 6 2023`);
  both(`${i + 1} ${abbr} 2023`);
});
both('Sept 6 2023');
both('mAr 6 2023');
for (const d of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Monday', 'Thursday', 'xyz']) {
  both(`${d} Mar 06 2023`);
  both(`${d}, 06 Mar 2023 10:00:00`);
  both(`Mar 06 2023 ${d}`);
  both(`${d}06 Mar 2023`);
}
const zoneWords = ['UT', 'UTC', 'GMT', 'Z', 'EST', 'EDT', 'CST', 'CDT', 'MST', 'MDT', 'PST', 'PDT', 'ut', 'utc', 'gmt', 'est', 'pdt',
  'CET', 'BST', 'JST', 'IST', 'UTCX', 'GMT0', 'U', 'T', 'AM', 'PM'];
for (const z of zoneWords) {
  for (const t of [`Mar 6 2023 10:00 ${z}`, `Mar 6 2023 ${z}`, `${z} Mar 6 2023`, `Mar 6 2023 10:00:00 ${z}+1`, `Mar 6 2023 10:00 ${z}-0130`, `6 Mar 2023 ${z}+01:30`]) both(t);
}
for (const sign of ['+', '-']) {
  for (const digits of ['', '1', '01', '12', '100', '0100', '1230', '01:', '01:30', '1:5', '12345', '99', '0099', '2400', '13:', '+1']) {
    for (const t of [`Mar 6 2023 10:00 ${sign}${digits}`, `Mar 6 2023 GMT${sign}${digits}`, `Mar 6 2023 UTC ${sign}${digits}`, `Mar 6 2023 ${sign}${digits}`]) both(t);
  }
}
both('Mar 6 2023 10:00 +1193047:');
both('Mar 6 2023 10:00 +596523:');
both('Mar 6 2023 10:00 +999999999:');
both('Mar 6 2023 10:00 GMT+01:30 +02:00');
both('Mar 6 2023 10:00 EST PST');
for (const y of ['0', '1', '9', '00', '01', '10', '49', '50', '99', '100', '999', '0049', '1000', '1899', '9999', '10000', '99999', '275760', '275761',
  '999999', '1000000', '999999999', '1234567890', '-1', '-2023', '+2023']) {
  both(`Mar 6 ${y}`);
  both(`${y}/3/6`);
  both(`3/6/${y}`);
  both(`6 Mar ${y} 10:00`);
}
for (const t of ['13/1/2023', '0/1/2023', '1/0/2023', '1/31/2023', '2/31/2023', '4/31/2023', '1/32/2023', '12/31/275760', '9/13/275760',
  '9/14/275760', '4/20/-271821', '2023/13/1', '2023/0/1', '2023/1/0', '2023/2/29', '2024/2/29', '2023/1/32', '31/12/2023', '32 Mar 2023',
  'Mar 0 2023', 'Mar 32 2023', '2023 32 Mar', '1 2 3', '1 2 3 4', '1/2/3/4', '1-2-3', '2023-3-6', '2023-03-6', '2023-3-06', '2023-003-06',
  '02023-03-06', '2023-03-06-07', '2023 03 06', '6.3.2023', '2023.3.6', '3.6', '1/2', '1/2 2023', '2023 1/2', '12', '2023',
  'Mar', 'Mar Apr 6 2023', 'Mar 6 2023 Apr', '2023 6 Mar 7']) both(t);
const times = ['0:00', '10:00', '10:00:00', '10:00:00.1', '10:00:00.12', '10:00:00.123', '10:00:00.1234', '10:00:00.123456789123',
  '10:00:00.', '10:00.5', '10:00:00:5', '10::', '10:: 5', '10::30', '1:2:3', '1:2:3:4', '1:2:3:4:5', '24:00', '24:00:00', '24:00:01',
  '24:01', '23:59:59.999', '25:00', '10:60', '10:59:60', '10:00:00.1000', '10', '10:', '10:5', '10: 5', '010:005:007', '10.30',
  '10:00 10:00', '10:00 30', '10:00 30 40', '10:00:00 500', '10:00Z', '10:00+01', '10:00foo', '10:00-5', '10:00 (x)'];
for (const time of times) {
  both(`Mar 6 2023 ${time}`);
  both(`${time} Mar 6 2023`);
}
for (const h of ['0', '1', '11', '12', '13', '00']) {
  for (const ampm of ['AM', 'PM', 'am', 'pm', 'a.m.', 'A', 'AMX']) both(`Mar 6 2023 ${h}:30 ${ampm}`);
}
for (const t of ['Mar 6 2023 10 PM', 'Mar 6 2023 PM 10:00', 'PM Mar 6 2023 10:00', 'Mar 6 2023 10:00PM', 'Mar 6 2023 10:00 PM PM',
  'Mar 6 2023 10:00 AM PM', 'Mar 6 2023 10:00:00.5 PM', 'Mar 6 2023 12:00:00 AM GMT+1']) both(t);
for (const t of ['(x) Mar 6 2023', 'Mar (x) 6 2023', 'Mar 6 (x) 2023', 'Mar 6 2023 (x)', 'Mar 6 2023 (x (y) z)', 'Mar 6 2023 ((x)',
  'Mar 6 2023 (x))', 'Mar 6 2023 )', ') Mar 6 2023', '(Mar 6 2023', 'Mar 6 2023 (', 'Mar 6 2023 ()', '(6) Mar 2023', 'Mar(x)6 2023',
  'Mar 6 2023 10:00 (GMT+5)', 'Mar 6 2023 10:00 GMT (x) +5']) both(t);
for (const sep of [',', '.', '-', '/', ', ', ' , ', '  ', '\t', '\n', '\r\n', '_', ';', '|', '*', '#', '@', '~', '[', '{', '\\', '^', '`']) {
  both(`Mar${sep}6${sep}2023`);
  both(`6${sep}Mar${sep}2023${sep}10:00`);
  both(`2023${sep}3${sep}6`);
}
for (const ws of [' ', '  ', '\t', '\n', '\u00a0', '\u2028', '\u2029', '\u3000', '\u2003', '\u200a', '\u202f', '\u205f', '\u1680',
  '\ufeff', '\u180e', '\u200b', '\u0085', '\v', '\f']) {
  both(`${ws}Mar 6 2023`);
  both(`Mar 6 2023${ws}`);
  both(`Mar${ws}6${ws}2023${ws}10:00${ws}PM`);
  both(`${ws}2023-03-06`);
  both(`2023-03-06T10:00:00${ws}`);
  both(`Mar 6 2023 10:00:00${ws}PM`);
}
for (const t of ['Mar 6 2023 10:00:00.0123456789', 'Mar 6 2023 10:00:00.012345', 'Mar 6 2023 10:00:00.000000000000123456789', 'Mar 6 0000000001234567891',
  'Mar 6 0000000002023', 'Mar 6 2023 10:00 +00001', 'Mar 6 2023 10:00 +0001', 'Mar 6 2023 10:00 +001', 'Mar 6 2023 10:00 +00', '0003/0006/0000002023',
  '2023-03-06T10:00:00.0123456789Z', '2023-03-06T10:00:00.0000001Z', 'Mar 6 2023 0000000010:00']) both(t);
for (const t of ['\u0662\u0660\u0662\u0663-03-06', 'Mar \u0666 2023', 'Mar 6 \uff12\uff10\uff12\uff13', 'M\u00e4r 6 2023',
  '\u039c\u03b1\u03c1 6 2023', '6 M\u00c4RZ 2023', 'Mar\u00e4 6 2023', 'Mar 6 2023 \u00e9', '\u00e9 Mar 6 2023', 'Mar 6 2023 10:00 \u00c5M',
  '\u{1F600} Mar 6 2023', 'Mar 6 2023 \u{1F600}', 'Mar 6 2023\u0000garbage', '2023-03-06\u0000foo', '\u0001Mar 6 2023', 'Mar\u00016 2023']) both(t);
both(`${'x'.repeat(5000)} Mar 6 2023`);
both(`Mar 6 2023 ${'('.repeat(200)}${')'.repeat(200)}`);
both(`Mar 6 ${'0'.repeat(500)}2023`);
both(`Mar 6 2023 10:00:00.${'9'.repeat(300)}`);
both(`${'1'.repeat(40)}/2/3`);
both(`2023-03-06T10:00:00.${'1'.repeat(50)}`);
for (const t of ['', ' ', '()', '(z)', '-', '+', '.', ':', '/', ',', 'T', 'Z', 'z', 'GMT', 'PM', '0', '00', '1', '12', '123', '1234',
  '12345', '+123456', '-123456', '+000000', '-000000', '-000000-01-01', '+275760-09-13T00:00:00Z', '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z', '-271821-04-19T23:59:59.999Z', '-271821-04-20', '+002023-03-06', '+02023-03-06', '+0002023-03-06',
  '+002023/03/06', '-002023/03/06', '+000049/03/06', '+002023 Mar 6', '2023-03-06T10:00:00+24:00', '2023-03-06T10:00:00+23:59',
  '2023-03-06T10:00:00+2400', '2023-03-06T10:00:00+0960', '2023-03-06T10:00:00+1', '2023-03-06T10:00:00+01:0', '2023-03-06T10:00:00+01:00:00',
  '2023-03-06T10:00:00.Z', '2023-03-06T10:00:00.123456789Z', '2023-03-06T10Z', '2023-03-06T10:0Z', '2023-03-06T10:00:0Z',
  '2023-03-06T24:00:00.000Z', '2023-03-06T24:00:00.001Z', '2023-03-06T10:00:00 Z', '2023-03-06T10:00:00Z ', '2023-03-06TZ',
  '2023-03-06T', '2023-03-06 T10:00', '2023-03-06T10:00 foo', '2023-03-06 10:00 foo', '2023-03-06 10:00 GMT', '2023-03-06 10:00 +01:00',
  '2023-03-06 10:00 +0100', '2023-03-06 10:00 PM', '2023-03-06 24:00', '2023-03-06 foo', 'foo 2023-03-06', '2023-03', '2023-03 6',
  '2023-13', '2023-00', '2023-1', '2023-12-32', '2023-12-00', '2023-02-31', '2023-02-31T10:00', '2023-03-06T10:00:00+01:00',
  '2023-03-06t10:00:00', '2023-03-06T10:00:00z', '2023-03-06T10:00:00ZZ', '2023-03-06T10:00:00Z+01:00', '2023-03-06Z', '2023Z',
  '2023-03Z', 'Z2023', 'foo', 'foo2023', 'foo 2023', 'foo-2023', 'foo.2023', 'foo,2023', '2023foo', '2023 foo', 'Mar2023', '2023Mar',
  '6Mar2023', 'Mar6 2023', '1e3', '0x10', '2460000.5.5', '.5', '2460000.5 ', ' 2460000']) both(t);

// Seeded random token sequences.
let seed = 20230306;
const random = () => { // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pool = ['Mar', 'March', '6', '06', '31', '2023', '99', '0', '10:00', '10:00:00', '7:5', '10:', '.5', '::', 'PM', 'AM', 'GMT', 'UTC', 'EST',
  'Z', 'T', '+0100', '-5', '+01:', '30', '(x)', '(', ')', '/', '-', '.', ',', ':', 'Tue', 'foo', '24:00', '1999', '+', '2023-03-06', '13', '12'];
const seps = ['', ' ', ' ', ' ', '/', '-', ', '];
for (let i = 0; i < 1200; i++) {
  const count = 1 + Math.floor(random() * 7);
  const parts = [];
  for (let j = 0; j < count; j++) parts.push(pool[Math.floor(random() * pool.length)]);
  const text = parts.map((p, j) => (j === 0 ? p : seps[Math.floor(random() * seps.length)] + p)).join('');
  generated.push(random() < 0.5 ? text : `${text} (z)`);
}

const lines = [];
const add = (form, text) => lines.push({ expr: `unixepoch('${text.replaceAll("'", "''")}', 'subsec')`, edition: 1, form, text });
[...new Set(iso)].forEach((t) => add('iso', t));
[...new Set(julian)].forEach((t) => add('julian', t));
[...new Set(legacy)].forEach((t) => add('legacy', t));
[...new Set(invalid)].forEach((t) => add('invalid', t));
const seen = new Set([...iso, ...julian, ...legacy, ...invalid]);
[...new Set(generated)].filter((t) => !seen.has(t)).forEach((t) => add('generated', t));
// datetime() over the same reading, for the text it gives back (negative and five-digit years included).
for (const t of ['Mar 6 2023 10:00:00.5 (z)', '4/20/-271821 (z)', '9/13/275760 (z)', 'Mar 6 99', '1/2', '-002023/03/06', '+002023/03/06',
  'Mar 6 2023 10:00 +1193047:', 'foo 2023']) {
  lines.push({ expr: `datetime('${t.replaceAll("'", "''")}', 'subsec')`, edition: 1, form: 'datetime', text: t });
}
const file = join(dirname(fileURLToPath(import.meta.url)), 'date-text.ndjson');
writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
console.log(`${file}: ${lines.length} cases`);
