// Interop peer: the official PowerSync Node SDK syncing from a PowerSync for .NET host.
// Usage: node sync-client.mjs <endpoint> <token> <db-file>
// Prints one JSON object per line on stdout:
//   {"event":"synced","lists":[...],"todos":[...]}   after the first complete sync
//   {"event":"rows","lists":[...],"todos":[...]}     whenever the synced rows change
//   {"event":"status", ...}                          sync status changes (errors included)
// Exits when stdin closes.
import { PowerSyncDatabase, Schema, Table, column, SyncStreamConnectionMethod } from '@powersync/node';

const [endpoint, token, dbFilename] = process.argv.slice(2);
const schema = new Schema({
  lists: new Table({ owner_id: column.text, name: column.text }),
  todos: new Table({ list_id: column.text, description: column.text, done: column.integer })
});

const db = new PowerSyncDatabase({ schema, database: { dbFilename } });
const emit = (event, body) => process.stdout.write(JSON.stringify({ event, ...body }) + '\n');

const connector = {
  fetchCredentials: async () => ({ endpoint, token }),
  uploadData: async (database) => {
    const tx = await database.getNextCrudTransaction();
    if (tx) await tx.complete();
  }
};

async function snapshot() {
  return {
    lists: await db.getAll('SELECT id, owner_id, name FROM lists ORDER BY id'),
    todos: await db.getAll('SELECT id, list_id, description, done FROM todos ORDER BY id')
  };
}

db.registerListener({
  statusChanged: (status) => {
    const error = status.dataFlowStatus?.downloadError ?? status.dataFlowStatus?.uploadError;
    emit('status', { connected: status.connected, hasSynced: status.hasSynced, error: error ? String(error) : null });
  }
});

await db.connect(connector, { connectionMethod: SyncStreamConnectionMethod.HTTP });
await db.waitForFirstSync();
emit('synced', await snapshot());

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

process.stdin.resume();
process.stdin.on('end', async () => {
  await db.disconnectAndClear();
  await db.close();
  process.exit(0);
});
