// Benchmark peer: the official PowerSync Node SDK's first sync from a PowerSync for .NET host, timed.
// Usage: node first-sync.mjs <endpoint> <token> <db-file> <transport> <compression>
//   transport:   http-ndjson (Accept: NDJSON only), http-bson (the SDK's default Accept, which prefers BSON),
//                websocket (RSocket over WebSocket)
//   compression: on (the SDK's default: Accept-Encoding gzip, deflate; WebSocket permessage-deflate offered)
//                off (Accept-Encoding: identity; no WebSocket extension offered)
// Prints one JSON object on stdout when the first sync is complete, then exits:
//   {"event":"first-sync","ms":<connect to synced>,"rows":<rows in items>,"cpu_ms":<this process, user+system>}
import { PowerSyncDatabase, Schema, Table, column, SyncStreamConnectionMethod } from '@powersync/node';
import { Agent } from 'undici';

const [endpoint, token, dbFilename, transport, compression] = process.argv.slice(2);
if (!['http-ndjson', 'http-bson', 'websocket'].includes(transport) || !['on', 'off'].includes(compression)) {
  console.error('usage: node first-sync.mjs <endpoint> <token> <db-file> http-ndjson|http-bson|websocket on|off');
  process.exit(2);
}

const schema = new Schema({
  items: new Table({ grp: column.integer, name: column.text, price: column.real, note: column.text })
});

// Only what the transport and compression choose is changed; everything else is the SDK's default request.
const customFetch = (resource, init) => {
  const headers = new Headers(init?.headers);
  if (transport === 'http-ndjson') headers.set('accept', 'application/x-ndjson');
  if (compression === 'off') headers.set('accept-encoding', 'identity');
  return fetch(resource, { ...init, headers });
};

// The WebSocket handshake goes through this dispatcher: without compression, it offers no extension.
const withoutExtensions = new Agent().compose((dispatch) => (options, handler) => {
  const headers = options.headers;
  if (Array.isArray(headers)) {
    const kept = [];
    for (let i = 0; i < headers.length; i += 2) {
      if (String(headers[i]).toLowerCase() !== 'sec-websocket-extensions') kept.push(headers[i], headers[i + 1]);
    }
    options = { ...options, headers: kept };
  } else if (headers && typeof headers === 'object') {
    options = { ...options, headers: Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'sec-websocket-extensions')) };
  }
  return dispatch(options, handler);
});

const db = new PowerSyncDatabase({
  schema,
  database: { dbFilename },
  remoteOptions: { customFetch, ...(compression === 'off' ? { dispatcher: withoutExtensions } : {}) }
});

let failure = null;
db.registerListener({
  statusChanged: (status) => {
    const error = status.dataFlowStatus?.downloadError;
    if (error && !failure) {
      failure = String(error);
      console.error(`sync error: ${failure}`);
    }
  }
});

const connector = { fetchCredentials: async () => ({ endpoint, token }), uploadData: async () => {} };
const cpuBefore = process.cpuUsage();
const started = performance.now();
await db.connect(connector, {
  connectionMethod: transport === 'websocket' ? SyncStreamConnectionMethod.WEB_SOCKET : SyncStreamConnectionMethod.HTTP
});
await db.waitForFirstSync();
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const rows = (await db.get('SELECT count(*) AS n FROM items')).n;
process.stdout.write(JSON.stringify({ event: 'first-sync', ms, rows, cpu_ms: (cpu.user + cpu.system) / 1000, error: failure }) + '\n');
await db.disconnect();
await db.close();
process.exit(0);
