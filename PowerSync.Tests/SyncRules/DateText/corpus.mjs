// Writes date-text.ndjson: one expression case per date text, `unixepoch('<text>', 'subsec')`, over the forms a real
// configuration sees (ISO variants, RFC 2822 and Date.prototype.toString() forms, 'YYYY/MM/DD', month names, zones
// such as 'GMT+0100', 'Z', 'UTC') and invalid text. `form` says which parser of the official evaluator's `new Date`
// (V8) reads it: "iso" (the ES date-time format, and the space-separated variant), "julian" (all digits: a Julian day,
// not V8) or "legacy" (V8's legacy fallback parser). The official evaluator fills in `expected`, run with TZ=UTC:
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

const lines = [];
const add = (form, text) => lines.push({ expr: `unixepoch('${text.replaceAll("'", "''")}', 'subsec')`, edition: 1, form, text });
[...new Set(iso)].forEach((t) => add('iso', t));
[...new Set(julian)].forEach((t) => add('julian', t));
[...new Set(legacy)].forEach((t) => add('legacy', t));
[...new Set(invalid)].forEach((t) => add('invalid', t));
const file = join(dirname(fileURLToPath(import.meta.url)), 'date-text.ndjson');
writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
console.log(`${file}: ${lines.length} cases`);
