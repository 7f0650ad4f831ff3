// Peer of `roomctl audit --json`: the same diff with the SDK and pg.
import pg from 'pg';
import { RoomServiceClient } from 'livekit-server-sdk';

const live = new Set(['pending', 'active']);
const svc = new RoomServiceClient(process.env.LIVEKIT_URL, process.env.LIVEKIT_API_KEY,
  process.env.LIVEKIT_API_SECRET);
const db = new pg.Client({ connectionString: process.env.ROOMCTL_DATABASE_URL });
await db.connect();
const [{ rows }, rooms] = await Promise.all([
  db.query('SELECT room_name, room_sid, status FROM livekit_rooms'),
  svc.listRooms(),
]);
await db.end();

const byName = new Map(rooms.map((r) => [r.name, r]));
const liveRows = new Map();
for (const row of rows) if (live.has(row.status)) liveRows.set(row.room_name, row);

const findings = [];
for (const [name, row] of liveRows) {
  const room = byName.get(name);
  if (!room) findings.push({ kind: 'missing', room: name });
  else if (room.sid !== row.room_sid)
    findings.push({ kind: 'sid_drift', room: name, db_sid: row.room_sid, server_sid: room.sid });
}
for (const room of rooms) {
  if (!liveRows.has(room.name)) findings.push({ kind: 'orphaned', room: room.name, sid: room.sid });
}
process.stdout.write(JSON.stringify({ findings }) + '\n');
const count = (k) => findings.filter((f) => f.kind === k).length;
console.error(`missing=${count('missing')} orphaned=${count('orphaned')} sid_drift=${count('sid_drift')}`);
