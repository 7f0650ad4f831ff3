// Peer of `roomctl recreate --apply`, written as a LiveKit app's one-off repair script
// (fix-existing-rooms.ts) is: read the pending rows, then for each one createRoom on the
// server and record its SID. CONCURRENCY=1 is that script's one-`await`-at-a-time loop;
// CONCURRENCY=32 a 32-wide promise pool.
import pg from 'pg';
import { RoomServiceClient } from 'livekit-server-sdk';

const concurrency = Number(process.env.CONCURRENCY || '1');
const svc = new RoomServiceClient(process.env.LIVEKIT_URL, process.env.LIVEKIT_API_KEY,
  process.env.LIVEKIT_API_SECRET);
const db = new pg.Client({ connectionString: process.env.ROOMCTL_DATABASE_URL });
await db.connect();

const { rows } = await db.query(
  "SELECT id, room_name FROM livekit_rooms WHERE status = 'pending' AND room_sid IS NULL");
console.error(`Found ${rows.length} rooms in 'pending' status to check`);

let fixed = 0;
let errors = 0;
async function fix(row) {
  try {
    const room = await svc.createRoom({ name: row.room_name, emptyTimeout: 3600 });
    await db.query('UPDATE livekit_rooms SET room_sid = $1 WHERE id = $2', [room.sid, row.id]);
    fixed++;
  } catch (e) {
    errors++;
    console.error(`failed: ${row.room_name}: ${e.message}`);
  }
}

if (concurrency <= 1) {
  for (const row of rows) {
    await fix(row);
  }
} else {
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      await fix(rows[next++]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
await db.end();
console.error(`Repair complete: ${fixed} rooms fixed, ${errors} errors`);
process.exitCode = errors ? 1 : 0;
