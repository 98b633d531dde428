// Interop peer: the official PowerSync Node SDK syncing from, and uploading to, the sample backend
// (samples/TodoBackend: PowerSync for .NET embedded, uploads at POST /api/data).
// Usage: node sync-client.mjs <endpoint> <token> <db-file> [transport]
//   transport: http-ndjson (Accept: NDJSON only), http-bson (the SDK's default Accept, which prefers BSON; the default),
//              websocket (RSocket over WebSocket)
// Prints one JSON object per line on stdout:
//   {"event":"synced","lists":[...],"todos":[...],"stream_content_type":...}  after the first complete sync
//   {"event":"rows","lists":[...],"todos":[...]}                             whenever the synced rows change
//   {"event":"confirmed","todo":{...}}      after an "insert" command: uploaded through the connector, and the
//                                           server's version of the row synced back (its write checkpoint reached)
//   {"event":"status", ...}                 sync status changes (errors included)
//   {"event":"subscribed","stream":...,"todos":[...],"status":{...}}  after a "subscribe" command: the stream's first sync
//                                           completed (waitForFirstSync of the subscription), with its status entry
//   {"event":"unsubscribed","stream":...,"todos":[...]}  after an "unsubscribe" command: the subscription was released and
//                                           ended (unsubscribeAll), and the rows it brought are gone
// Reads commands, one JSON object per line, on stdin: {"cmd":"insert","id":"...","list_id":"...","description":"..."},
// {"cmd":"subscribe","stream":"...","params":{...}}, {"cmd":"unsubscribe","stream":"...","params":{...}}.
// Exits when stdin closes.
import { PowerSyncDatabase, Schema, Table, column, SyncStreamConnectionMethod } from '@powersync/node';
import readline from 'node:readline';

const [endpoint, token, dbFilename, transport = 'http-bson'] = process.argv.slice(2);
if (!['http-ndjson', 'http-bson', 'websocket'].includes(transport)) {
  console.error('usage: node sync-client.mjs <endpoint> <token> <db-file> [http-ndjson|http-bson|websocket]');
  process.exit(2);
}
const schema = new Schema({
  lists: new Table({ owner_id: column.text, name: column.text, created_at: column.text }),
  todos: new Table({ list_id: column.text, description: column.text, completed: column.integer, created_by: column.text, updated_at: column.text })
});

const emit = (event, body) => process.stdout.write(JSON.stringify({ event, ...body }) + '\n');

// The SDK's own request, except that http-ndjson accepts NDJSON only; the stream's content type is reported.
let streamContentType = null;
const customFetch = async (resource, init) => {
  const headers = new Headers(init?.headers);
  if (transport === 'http-ndjson') headers.set('accept', 'application/x-ndjson');
  const response = await fetch(resource, { ...init, headers });
  if (String(resource).endsWith('/sync/stream')) streamContentType = response.headers.get('content-type');
  return response;
};

const db = new PowerSyncDatabase({ schema, database: { dbFilename }, remoteOptions: { customFetch } });

// Uploads each queued transaction to the sample backend; the SDK then fetches a write checkpoint and waits for it.
const connector = {
  fetchCredentials: async () => ({ endpoint, token }),
  uploadData: async (database) => {
    const tx = await database.getNextCrudTransaction();
    if (!tx) return;
    const batch = tx.crud.map((entry) => ({ op: entry.op, table: entry.table, id: entry.id, data: entry.opData }));
    const response = await fetch(`${endpoint}/api/data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ batch })
    });
    if (!response.ok) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
    const result = await response.json();
    if (result.rejected?.length) throw new Error(`upload rejected: ${JSON.stringify(result.rejected)}`);
    await tx.complete();
  }
};

async function snapshot() {
  return {
    lists: await db.getAll('SELECT id, owner_id, name FROM lists ORDER BY id'),
    todos: await db.getAll('SELECT id, list_id, description, completed, created_by FROM todos ORDER BY id')
  };
}

db.registerListener({
  statusChanged: (status) => {
    const error = status.dataFlowStatus?.downloadError ?? status.dataFlowStatus?.uploadError;
    emit('status', { connected: status.connected, hasSynced: status.hasSynced, error: error ? String(error) : null });
  }
});

await db.connect(connector, {
  connectionMethod: transport === 'websocket' ? SyncStreamConnectionMethod.WEB_SOCKET : SyncStreamConnectionMethod.HTTP
});
await db.waitForFirstSync();
emit('synced', { ...(await snapshot()), stream_content_type: streamContentType });

let last = '';
(async () => {
  for await (const _ of db.watch('SELECT count(*), max(id) FROM (SELECT id FROM lists UNION ALL SELECT id FROM todos)', [], { tables: ['lists', 'todos'] })) {
    const rows = await snapshot();
    const text = JSON.stringify(rows);
    if (text !== last) {
      last = text;
      emit('rows', rows);
    }
  }
})();

// An insert is confirmed once the upload queue is empty and the row is the server's (the backend sets created_by):
// the SDK only applies a checkpoint that includes its write checkpoint.
async function insertAndConfirm({ id, list_id, description }) {
  await db.execute('INSERT INTO todos (id, list_id, description, completed) VALUES (?, ?, ?, 0)', [id, list_id, description]);
  for await (const _ of db.watch('SELECT (SELECT count(*) FROM ps_crud) AS pending, (SELECT created_by FROM todos WHERE id = ?) AS by', [id], { tables: ['todos', 'ps_crud'] })) {
    const row = await db.getOptional('SELECT id, list_id, description, completed, created_by FROM todos WHERE id = ?', [id]);
    const pending = (await db.get('SELECT count(*) AS n FROM ps_crud')).n;
    if (pending === 0 && row?.created_by) {
      emit('confirmed', { todo: row });
      return;
    }
  }
}

// Sync Streams: subscribe as an app does, wait for the subscription's first sync, report the stream's status entry.
const subscriptions = new Map();
async function subscribe({ stream, params }) {
  const subscription = await db.syncStream(stream, params).subscribe();
  subscriptions.set(JSON.stringify([stream, params]), subscription);
  await subscription.waitForFirstSync();
  const entry = db.currentStatus.forStream({ name: stream, parameters: params });
  emit('subscribed', {
    stream,
    todos: (await snapshot()).todos,
    status: entry && { active: entry.subscription.active, hasSynced: entry.subscription.hasSynced, isDefault: entry.subscription.isDefault, priority: entry.priority }
  });
}

// Releases the subscription (its TTL starts) and ends it at once, then waits until the service stopped sending its rows.
async function unsubscribe({ stream, params, list_id }) {
  subscriptions.get(JSON.stringify([stream, params]))?.unsubscribe();
  await db.syncStream(stream, params).unsubscribeAll();
  for await (const _ of db.watch('SELECT count(*) FROM todos WHERE list_id = ?', [list_id], { tables: ['todos'] })) {
    if ((await db.get('SELECT count(*) AS n FROM todos WHERE list_id = ?', [list_id])).n === 0) break;
  }
  emit('unsubscribed', { stream, todos: (await snapshot()).todos });
}

const commands = readline.createInterface({ input: process.stdin });
commands.on('line', (line) => {
  const command = JSON.parse(line);
  const fail = (e) => emit('status', { error: String(e) });
  if (command.cmd === 'insert') insertAndConfirm(command).catch(fail);
  if (command.cmd === 'subscribe') subscribe(command).catch(fail);
  if (command.cmd === 'unsubscribe') unsubscribe(command).catch(fail);
});
commands.on('close', async () => {
  await db.disconnectAndClear();
  await db.close();
  process.exit(0);
});
