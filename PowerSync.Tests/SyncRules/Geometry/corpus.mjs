// Writes geometry.ndjson: st_asgeojson, st_astext, st_x and st_y over a corpus of (E)WKB inputs — every geometry type,
// ISO and EWKB dimension codes (Z, M, ZM), SRIDs, both byte orders (also mixed within one collection), empty
// geometries, nested collections, collections holding unexpected member types, doubles JavaScript prints in every
// notation, and malformed input (truncated, unknown type codes, odd or invalid hex, counts beyond the data). Each
// input is given as a literal (hex text) and from a row (a blob column, or a text column for text inputs). The
// official evaluator fills in `expected` (the SyncRulesFixtures build target runs both steps):
//   node corpus.mjs && node ../Fixtures/generator/generate.mjs geometry.ndjson
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const POINT = 1, LINESTRING = 2, POLYGON = 3, MULTIPOINT = 4, MULTILINESTRING = 5, MULTIPOLYGON = 6, COLLECTION = 7;

// Little-endian unless `be`; `dims` is '', 'Z', 'M' or 'ZM'.
function writer(be) {
  const parts = [];
  return {
    u8: (v) => parts.push(Buffer.from([v])),
    u32: (v) => {
      const b = Buffer.alloc(4);
      be ? b.writeUInt32BE(v >>> 0) : b.writeUInt32LE(v >>> 0);
      parts.push(b);
    },
    f64: (v) => {
      const b = Buffer.alloc(8);
      be ? b.writeDoubleBE(v) : b.writeDoubleLE(v);
      parts.push(b);
    },
    raw: (bytes) => parts.push(Buffer.from(bytes)),
    bytes: () => Buffer.concat(parts)
  };
}

// A geometry header: byte order, type code (EWKB flags when `ewkb` or `srid` is set, else ISO +1000/2000/3000), SRID.
function header(w, type, o) {
  w.u8(o.order ?? (o.be ? 0 : 1));
  const z = o.dims?.includes('Z'), m = o.dims?.includes('M');
  let code;
  if (o.code !== undefined) code = o.code;
  else if (o.ewkb || o.srid !== undefined) code = (type | (z ? 0x80000000 : 0) | (m ? 0x40000000 : 0) | (o.srid !== undefined ? 0x20000000 : 0)) >>> 0;
  else code = type + (z && m ? 3000 : z ? 1000 : m ? 2000 : 0);
  w.u32(code);
  if (o.srid !== undefined) w.u32(o.srid);
}

const coords = (w, c) => c.forEach((v) => w.f64(v));

function point(c, o = {}) {
  const w = writer(o.be);
  header(w, POINT, o);
  coords(w, c);
  return w.bytes();
}

function lineString(points, o = {}) {
  const w = writer(o.be);
  header(w, LINESTRING, o);
  w.u32(points.length);
  points.forEach((p) => coords(w, p));
  return w.bytes();
}

function polygon(rings, o = {}) {
  const w = writer(o.be);
  header(w, POLYGON, o);
  w.u32(rings.length);
  for (const ring of rings) {
    w.u32(ring.length);
    ring.forEach((p) => coords(w, p));
  }
  return w.bytes();
}

// A multi geometry or collection: its members are complete geometries.
function collection(type, members, o = {}) {
  const w = writer(o.be);
  header(w, type, o);
  w.u32(o.count ?? members.length);
  members.forEach((m) => w.raw(m));
  return w.bytes();
}

const square = [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
const hole = [[2, 2], [4, 2], [4, 4], [2, 2]];
const cases = [];
const add = (name, bytes, options = {}) => cases.push({ name, hex: Buffer.from(bytes).toString('hex').toUpperCase(), ...options });
const addText = (name, text) => cases.push({ name, text });

// Points: numbers in every notation JavaScript prints, dimensions, SRIDs, byte orders.
add('point', point([1, 2]));
add('point big-endian', point([1, 2], { be: true }));
add('point fractions', point([0.1 + 0.2, -122.4194155]));
add('point negative zero', point([-0, -0]));
add('point 1e21 and 1e-7', point([1e21, 1e-7]));
add('point 1e20 and 1e-6', point([1e20, 1e-6]));
add('point extremes', point([Number.MAX_VALUE, Number.MIN_VALUE]));
add('point large integers', point([9007199254740993, -123456789012345680000]));
add('point NaN (PostGIS empty point)', point([NaN, NaN]));
add('point NaN big-endian', point([NaN, NaN], { be: true }));
add('point infinities', point([Infinity, -Infinity]));
add('point Z iso', point([1, 2, 3], { dims: 'Z' }));
add('point M iso', point([1, 2, 4], { dims: 'M' }));
add('point ZM iso', point([1, 2, 3, 4], { dims: 'ZM' }));
add('point Z ewkb', point([1.5, 2.5, 3.5], { dims: 'Z', ewkb: true }));
add('point M ewkb', point([1.5, 2.5, 4.5], { dims: 'M', ewkb: true }));
add('point ZM ewkb', point([1.5, 2.5, 3.5, 4.5], { dims: 'ZM', ewkb: true }));
add('point ZM ewkb big-endian', point([1.5, 2.5, 3.5, 4.5], { dims: 'ZM', ewkb: true, be: true }));
add('point srid 4326', point([13.4, 52.52], { srid: 4326 }));
add('point srid 4326 big-endian', point([13.4, 52.52], { srid: 4326, be: true }));
add('point srid 0', point([1, 2], { srid: 0 }));
add('point srid max', point([1, 2], { srid: 0xffffffff }));
add('point Z srid 3857', point([1, 2, 3], { dims: 'Z', srid: 3857 }));
add('point ZM srid 3857', point([1, 2, 3, 4], { dims: 'ZM', srid: 3857 }));
add('point NaN Z', point([NaN, NaN, NaN], { dims: 'Z' }));
add('point Z infinity', point([1, 2, Infinity], { dims: 'Z' }));
add('point byte order 2', point([1, 2], { order: 2 }));
add('point byte order 255', point([1, 2], { order: 255 }));
add('point trailing bytes', Buffer.concat([point([1, 2]), Buffer.from([1, 2, 3])]));
add('point ewkb type code with high bits 0x10', point([1, 2], { code: 0x20000011, srid: 5 }));
add('point iso Z code on ewkb flags', point([1, 2], { code: 0x200003e9, srid: 7 }));

// LineStrings.
add('linestring', lineString([[1, 2], [3, 4], [5.5, -6.25]]));
add('linestring big-endian', lineString([[1, 2], [3, 4]], { be: true }));
add('linestring single point', lineString([[1, 2]]));
add('linestring empty', lineString([]));
add('linestring empty Z', lineString([], { dims: 'Z' }));
add('linestring empty M', lineString([], { dims: 'M' }));
add('linestring empty ZM', lineString([], { dims: 'ZM' }));
add('linestring empty srid', lineString([], { srid: 4326 }));
add('linestring Z', lineString([[1, 2, 3], [4, 5, 6]], { dims: 'Z' }));
add('linestring M', lineString([[1, 2, 3], [4, 5, 6]], { dims: 'M' }));
add('linestring ZM', lineString([[1, 2, 3, 4], [5, 6, 7, 8]], { dims: 'ZM' }));
add('linestring ZM ewkb srid big-endian', lineString([[1, 2, 3, 4], [5, 6, 7, 8]], { dims: 'ZM', srid: 4326, be: true }));
add('linestring NaN coordinates', lineString([[NaN, 1], [2, NaN]]));
add('linestring tiny and huge', lineString([[1e-300, 1e300], [-1e-10, 1.5e21]]));

// Polygons.
add('polygon', polygon([square]));
add('polygon with hole', polygon([square, hole]));
add('polygon with two holes', polygon([square, hole, [[6, 6], [8, 6], [8, 8], [6, 6]]]));
add('polygon big-endian with hole', polygon([square, hole], { be: true }));
add('polygon empty', polygon([]));
add('polygon empty Z', polygon([], { dims: 'Z' }));
add('polygon empty ZM srid', polygon([], { dims: 'ZM', srid: 4326 }));
add('polygon empty exterior ring', polygon([[]]));
add('polygon empty exterior ring with hole', polygon([[], hole]));
add('polygon empty interior ring', polygon([square, []]));
add('polygon Z', polygon([[[0, 0, 1], [1, 0, 2], [1, 1, 3], [0, 0, 1]]], { dims: 'Z' }));
add('polygon M', polygon([[[0, 0, 1], [1, 0, 2], [1, 1, 3], [0, 0, 1]]], { dims: 'M' }));
add('polygon ZM with hole', polygon([[[0, 0, 1, 9], [9, 0, 2, 9], [9, 9, 3, 9], [0, 0, 1, 9]], [[1, 1, 0, 0], [2, 1, 0, 0], [2, 2, 0, 0], [1, 1, 0, 0]]], { dims: 'ZM' }));
add('polygon srid', polygon([square], { srid: 2193 }));

// MultiPoints: members are full geometries, each with its own header.
const pts = [point([1, 2]), point([3, 4])];
add('multipoint', collection(MULTIPOINT, pts));
add('multipoint big-endian', collection(MULTIPOINT, [point([1, 2], { be: true }), point([3, 4], { be: true })], { be: true }));
add('multipoint mixed byte orders', collection(MULTIPOINT, [point([1, 2], { be: true }), point([3, 4])], { be: true }));
add('multipoint single', collection(MULTIPOINT, [point([1, 2])]));
add('multipoint empty', collection(MULTIPOINT, []));
add('multipoint empty M', collection(MULTIPOINT, [], { dims: 'M' }));
add('multipoint Z', collection(MULTIPOINT, [point([1, 2, 3], { dims: 'Z' }), point([4, 5, 6], { dims: 'Z' })], { dims: 'Z' }));
add('multipoint M', collection(MULTIPOINT, [point([1, 2, 3], { dims: 'M' }), point([4, 5, 6], { dims: 'M' })], { dims: 'M' }));
add('multipoint ZM', collection(MULTIPOINT, [point([1, 2, 3, 4], { dims: 'ZM' })], { dims: 'ZM' }));
add('multipoint ewkb srid with ewkb members', collection(MULTIPOINT, [point([1, 2, 3], { dims: 'Z', ewkb: true }), point([4, 5, 6], { dims: 'Z', ewkb: true })], { dims: 'Z', srid: 4326 }));
add('multipoint ewkb srid with iso Z members', collection(MULTIPOINT, [point([1, 2, 3], { dims: 'Z' })], { dims: 'Z', srid: 4326 }));
add('multipoint ewkb with iso Z member read as ewkb', collection(MULTIPOINT, [point([1, 2], { code: 1001 })], { srid: 4326 }));
add('multipoint Z header with 2D members', collection(MULTIPOINT, pts, { dims: 'Z' }));
add('multipoint 2D header with Z members', collection(MULTIPOINT, [point([1, 2, 3], { dims: 'Z' })]));
add('multipoint M header with ZM member', collection(MULTIPOINT, [point([1, 2, 3, 4], { dims: 'ZM' })], { dims: 'M' }));
add('multipoint members with srids', collection(MULTIPOINT, [point([1, 2], { srid: 4326 }), point([3, 4], { srid: 3857 })]));
add('multipoint NaN member', collection(MULTIPOINT, [point([NaN, NaN]), point([1, 2])]));
add('multipoint with linestring member', collection(MULTIPOINT, [point([1, 2]), lineString([[3, 4], [5, 6]])]));
add('multipoint with collection member', collection(MULTIPOINT, [collection(COLLECTION, [point([1, 2])])]));
add('multipoint with empty collection member', collection(MULTIPOINT, [collection(COLLECTION, [])]));

// MultiLineStrings.
const lines = [lineString([[1, 2], [3, 4]]), lineString([[5, 6], [7, 8], [9, 10]])];
add('multilinestring', collection(MULTILINESTRING, lines));
add('multilinestring big-endian', collection(MULTILINESTRING, [lineString([[1, 2], [3, 4]], { be: true })], { be: true }));
add('multilinestring empty', collection(MULTILINESTRING, []));
add('multilinestring empty Z srid', collection(MULTILINESTRING, [], { dims: 'Z', srid: 4326 }));
add('multilinestring with empty member', collection(MULTILINESTRING, [lineString([]), lineString([[1, 2], [3, 4]])]));
add('multilinestring only empty member', collection(MULTILINESTRING, [lineString([])]));
add('multilinestring Z', collection(MULTILINESTRING, [lineString([[1, 2, 3], [4, 5, 6]], { dims: 'Z' })], { dims: 'Z' }));
add('multilinestring M', collection(MULTILINESTRING, [lineString([[1, 2, 3], [4, 5, 6]], { dims: 'M' })], { dims: 'M' }));
add('multilinestring ZM srid', collection(MULTILINESTRING, [lineString([[1, 2, 3, 4], [5, 6, 7, 8]], { dims: 'ZM', ewkb: true })], { dims: 'ZM', srid: 4326 }));
add('multilinestring 2D header with Z member', collection(MULTILINESTRING, [lineString([[1, 2, 3], [4, 5, 6]], { dims: 'Z' })]));
add('multilinestring with point member', collection(MULTILINESTRING, [point([1, 2])]));
add('multilinestring with polygon member', collection(MULTILINESTRING, [polygon([square, hole])]));
add('multilinestring with multipoint member', collection(MULTILINESTRING, [collection(MULTIPOINT, pts)]));

// MultiPolygons.
const polys = [polygon([square]), polygon([[[20, 20], [30, 20], [30, 30], [20, 20]], [[22, 22], [24, 22], [24, 24], [22, 22]]])];
add('multipolygon', collection(MULTIPOLYGON, polys));
add('multipolygon big-endian', collection(MULTIPOLYGON, [polygon([square], { be: true })], { be: true }));
add('multipolygon mixed byte orders', collection(MULTIPOLYGON, [polygon([square], { be: true }), polygon([hole])]));
add('multipolygon empty', collection(MULTIPOLYGON, []));
add('multipolygon empty ZM', collection(MULTIPOLYGON, [], { dims: 'ZM' }));
add('multipolygon with empty member', collection(MULTIPOLYGON, [polygon([]), polygon([square])]));
add('multipolygon with empty exterior ring member', collection(MULTIPOLYGON, [polygon([[], hole])]));
add('multipolygon with empty interior ring', collection(MULTIPOLYGON, [polygon([square, []])]));
add('multipolygon Z', collection(MULTIPOLYGON, [polygon([[[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 0, 1]]], { dims: 'Z' })], { dims: 'Z' }));
add('multipolygon M srid', collection(MULTIPOLYGON, [polygon([[[0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 0, 1]]], { dims: 'M', ewkb: true })], { dims: 'M', srid: 4326 }));
add('multipolygon with linestring member', collection(MULTIPOLYGON, [lineString([[1, 2], [3, 4]])]));
add('multipolygon with point member', collection(MULTIPOLYGON, [point([1, 2])]));

// GeometryCollections, nested.
add('collection', collection(COLLECTION, [point([1, 2]), lineString([[3, 4], [5, 6]]), polygon([square])]));
add('collection empty', collection(COLLECTION, []));
add('collection empty Z', collection(COLLECTION, [], { dims: 'Z' }));
add('collection empty M', collection(COLLECTION, [], { dims: 'M' }));
add('collection empty ZM srid', collection(COLLECTION, [], { dims: 'ZM', srid: 4326 }));
add('collection big-endian', collection(COLLECTION, [point([1, 2], { be: true })], { be: true }));
add('collection mixed byte orders', collection(COLLECTION, [point([1, 2], { be: true }), lineString([[3, 4], [5, 6]]), polygon([square], { be: true })]));
add('collection of every type', collection(COLLECTION, [point([1, 2]), lineString([[1, 2], [3, 4]]), polygon([square, hole]), collection(MULTIPOINT, pts), collection(MULTILINESTRING, lines), collection(MULTIPOLYGON, polys)]));
add('collection of empties', collection(COLLECTION, [lineString([]), polygon([]), collection(MULTIPOINT, []), collection(MULTILINESTRING, []), collection(MULTIPOLYGON, []), collection(COLLECTION, [])]));
add('collection nested', collection(COLLECTION, [collection(COLLECTION, [point([1, 2])]), point([3, 4])]));
add('collection nested three deep', collection(COLLECTION, [collection(COLLECTION, [collection(COLLECTION, [point([1, 2]), collection(COLLECTION, [])])])]));
add('collection nested empty', collection(COLLECTION, [collection(COLLECTION, [])]));
add('collection Z', collection(COLLECTION, [point([1, 2, 3], { dims: 'Z' }), lineString([[1, 2, 3], [4, 5, 6]], { dims: 'Z' })], { dims: 'Z' }));
add('collection M', collection(COLLECTION, [point([1, 2, 3], { dims: 'M' })], { dims: 'M' }));
add('collection ZM srid ewkb members', collection(COLLECTION, [point([1, 2, 3, 4], { dims: 'ZM', ewkb: true }), polygon([[[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]]], { dims: 'ZM', ewkb: true })], { dims: 'ZM', srid: 4326 }));
add('collection srid with iso members', collection(COLLECTION, [point([1, 2, 3], { dims: 'Z' })], { srid: 4326 }));
add('collection srid with plain collection holding iso Z point', collection(COLLECTION, [collection(COLLECTION, [point([1, 2, 3], { dims: 'Z' })])], { srid: 4326 }));
add('collection 2D with Z members', collection(COLLECTION, [point([1, 2, 3], { dims: 'Z' }), point([4, 5])]));
add('collection Z with 2D members', collection(COLLECTION, [point([1, 2]), lineString([[1, 2], [3, 4]])], { dims: 'Z' }));
add('collection member srids', collection(COLLECTION, [point([1, 2], { srid: 4326 }), lineString([[1, 2], [3, 4]], { srid: 3857 })]));
add('collection with multilinestring holding point', collection(COLLECTION, [collection(MULTILINESTRING, [point([1, 2])])]));
add('collection NaN point', collection(COLLECTION, [point([NaN, NaN])]));
add('collection trailing bytes', Buffer.concat([collection(COLLECTION, [point([1, 2])]), Buffer.from([0xff, 0xff])]));

// Malformed input.
const p = point([1, 2]);
add('empty blob', Buffer.alloc(0));
add('byte order only', Buffer.from([1]));
add('truncated type code', p.subarray(0, 3));
add('truncated after type code', p.subarray(0, 5));
add('truncated inside x', p.subarray(0, 9));
add('truncated inside y', p.subarray(0, 20));
add('truncated Z coordinate', point([1, 2, 3], { dims: 'Z' }).subarray(0, 28));
add('truncated srid', point([1, 2], { srid: 4326 }).subarray(0, 7));
add('truncated linestring count', lineString([[1, 2]]).subarray(0, 7));
add('truncated linestring points', lineString([[1, 2], [3, 4]]).subarray(0, 30));
add('linestring count beyond data', collection(LINESTRING, [], { count: 0xffffffff }));
add('polygon ring count beyond data', polygon([square]).subarray(0, 13));
add('truncated polygon interior ring', polygon([square, hole]).subarray(0, 100));
add('multipoint count beyond data', collection(MULTIPOINT, pts, { count: 3 }));
add('truncated nested collection', collection(COLLECTION, [collection(COLLECTION, [point([1, 2])])]).subarray(0, 20));
add('type code 0', point([1, 2], { code: 0 }));
add('type code 8', point([1, 2], { code: 8 }));
add('type code 15', point([1, 2], { code: 15 }));
add('type code 17 (TIN)', point([1, 2], { code: 17 }));
add('type code 1000', point([1, 2], { code: 1000 }));
add('type code 4001', point([1, 2], { code: 4001 }));
add('ewkb type code 8', point([1, 2], { code: 0x20000008, srid: 4326 }));
add('ewkb type code 0', point([1, 2], { code: 0x80000000 }));
add('type code 0x10000001', point([1, 2], { code: 0x10000001 }));
add('unknown member type', collection(COLLECTION, [point([1, 2], { code: 9 })]));
add('ewkb collection with iso member code 2001', collection(COLLECTION, [point([1, 2, 3], { code: 2001 })], { srid: 1 }));
add('multilinestring with collection member', collection(MULTILINESTRING, [collection(COLLECTION, [])]));
addText('hex lower case', Buffer.from(p).toString('hex'));
addText('hex odd length', Buffer.from(p).toString('hex') + 'A');
addText('hex invalid character after a point', Buffer.from(p).toString('hex') + 'ZZ00');
addText('hex invalid character inside', Buffer.from(p).toString('hex').slice(0, 10) + 'G' + Buffer.from(p).toString('hex').slice(11));
addText('hex with spaces', Buffer.from(p).toString('hex').replace(/(..)/g, '$1 '));
addText('hex with bytea prefix', '\\x' + Buffer.from(p).toString('hex'));
addText('hex with 0x prefix', '0x' + Buffer.from(p).toString('hex'));
addText('empty text', '');
addText('WKT text', 'POINT(1 2)');
addText('EWKT text', 'SRID=4326;POINT(1 2)');
addText('GeoJSON text', '{"type":"Point","coordinates":[1,2]}');
addText('non-ASCII text', 'ü01');

const sql = (s) => `'${s.replaceAll("'", "''")}'`;
const functions = ['st_asgeojson', 'st_astext', 'st_x', 'st_y'];
// One bucket definition per function, so that a row error in one leaves the other results visible.
const yaml = 'bucket_definitions:\n' + functions.map((fn) => `  ${fn}:\n    data:\n      - SELECT id, ${fn}(g) AS v FROM geo\n`).join('');
const out = [];
for (const c of cases) {
  // A literal argument: the official compiler evaluates it while compiling (an error rejects the query).
  const literal = sql(c.text ?? c.hex);
  for (const fn of functions) out.push(JSON.stringify({ expr: `${fn}(${literal})`, edition: 1, case: c.name }));
  // The same input from a row: a blob column (binary inputs), else a text column.
  const g = c.text !== undefined ? c.text : { b: c.hex };
  out.push(JSON.stringify({ name: `geometry ${c.text !== undefined ? 'text' : 'blob'} column: ${c.name}`, yaml, rows: [{ table: 'geo', row: { id: 'g1', g } }], paramRows: [], requests: [] }));
}
// Values that are not geometry input at all, literal and from a row.
for (const [name, arg] of [['NULL', 'NULL'], ['integer', '1'], ['real', '2.5'], ['expression row blob column', 'b'], ['expression row text column', 't']]) {
  for (const fn of functions) out.push(JSON.stringify({ expr: `${fn}(${arg})`, edition: 1, case: name }));
}
for (const [name, g] of [['NULL', null], ['integer', { i: '1' }], ['real', { r: '2.5' }], ['hex text', '0101000000000000000000F03F0000000000000040']]) {
  out.push(JSON.stringify({ name: `geometry column: ${name}`, yaml, rows: [{ table: 'geo', row: { id: 'g1', g } }], paramRows: [], requests: [] }));
}
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'geometry.ndjson'), out.join('\n') + '\n');
console.log(`${cases.length} inputs, ${out.length} cases`);
