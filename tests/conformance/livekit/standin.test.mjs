// Conformance: the official livekit-server-sdk drives the LiveKit stand-in
// (tests/standin/livekit_standin.py). If the SDK can talk to it, so can clients
// written against the real server's wire protocol — and roomctl's integration
// tests, which use the stand-in, exercise the behaviour that matters.
//
// Run: node --test tests/conformance/livekit/   (after npm ci --prefix tests/conformance/livekit)

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccessToken, RoomServiceClient, TrackSource, TrackType, TwirpError } from 'livekit-server-sdk';
import { startStandin, stopStandin } from './standin_process.mjs';


const KEY = 'devkey';
const SECRET = 'secret';
const KEY2 = 'APIconformance2';
const SECRET2 = 'second-secret-that-is-long-enough-1234';

// ---------------------------------------------------------------------------
// Stand-in process management
// ---------------------------------------------------------------------------

let standin;
let svc; // RoomServiceClient with the right credentials

async function control(method, route, body) {
  const res = await fetch(`${standin.url}/_standin/${route}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`control ${method} ${route}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function joinToken({ identity = 'alice', grant, secret = SECRET, key = KEY, ttl = '5m' } = {}) {
  const at = new AccessToken(key, secret, { identity, ttl });
  at.addGrant(grant ?? { roomJoin: true, room: 'lobby' });
  return at.toJwt();
}

async function validate(jwt, { viaHeader = false } = {}) {
  const url = viaHeader
    ? `${standin.url}/rtc/validate`
    : `${standin.url}/rtc/validate?access_token=${encodeURIComponent(jwt)}`;
  const res = await fetch(url, viaHeader ? { headers: { Authorization: `Bearer ${jwt}` } } : {});
  return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') };
}

// Asserts a rejection is the SDK's TwirpError with the given fields.
function twirpRejection({ status, code, message }) {
  return (err) => {
    assert.ok(err instanceof TwirpError, `expected TwirpError, got ${err?.constructor?.name}: ${err}`);
    assert.equal(err.status, status);
    assert.equal(err.code, code);
    if (message instanceof RegExp) assert.match(err.message, message);
    else if (message !== undefined) assert.equal(err.message, message);
    return true;
  };
}

async function waitFor(predicate, timeoutMs = 6_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await sleep(200);
  }
  return false;
}

before(async () => {
  standin = await startStandin({ keys: `${KEY}:${SECRET},${KEY2}:${SECRET2}` });
  svc = new RoomServiceClient(standin.url, KEY, SECRET);
});

after(async () => {
  await stopStandin(standin);
});

beforeEach(async () => {
  await control('POST', 'reset', {});
});

// ---------------------------------------------------------------------------

describe('process', () => {
  test('prints exactly one listening line and writes the port file', () => {
    assert.equal(standin.stdout(), `livekit-standin listening on http://127.0.0.1:${standin.port}\n`);
  });

  test('GET / is the health check: 200 OK, with a Date header', async () => {
    const res = await fetch(`${standin.url}/`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'OK');
    const skew = Math.abs(Date.parse(res.headers.get('date')) - Date.now());
    assert.ok(skew < 5_000, `Date header off by ${skew} ms`);
  });

  test('unknown paths answer Go\'s 404 page not found', async () => {
    const res = await fetch(`${standin.url}/settings/regions`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await res.text(), '404 page not found\n');
  });
});

describe('RoomService through RoomServiceClient', () => {
  test('createRoom returns a Room as the SDK models it', async () => {
    const before = BigInt(Math.floor(Date.now() / 1000));
    const room = await svc.createRoom({ name: 'conf-a', emptyTimeout: 600, maxParticipants: 3, metadata: 'm0' });
    assert.match(room.sid, /^RM_[0-9A-Za-z]{12}$/);
    assert.equal(room.name, 'conf-a');
    assert.equal(room.emptyTimeout, 600);
    assert.equal(room.departureTimeout, 20); // 0 in the request = server default
    assert.equal(room.maxParticipants, 3);
    assert.equal(room.metadata, 'm0');
    assert.equal(typeof room.creationTime, 'bigint');
    assert.ok(room.creationTime >= before - 1n && room.creationTime <= before + 2n);
    assert.equal(typeof room.creationTimeMs, 'bigint');
    assert.equal(room.creationTimeMs / 1000n, room.creationTime);
    assert.ok(room.turnPassword.length > 0);
    assert.deepEqual(room.enabledCodecs.map((c) => c.mime),
      ['audio/opus', 'video/VP8', 'video/H264', 'video/VP9', 'video/AV1']);
    assert.equal(room.numParticipants, 0);
  });

  test('createRoom of an existing room is idempotent and ignores new settings', async () => {
    const first = await svc.createRoom({ name: 'conf-a', emptyTimeout: 600 });
    const again = await svc.createRoom({ name: 'conf-a', emptyTimeout: 30, metadata: 'ignored' });
    assert.equal(again.sid, first.sid);
    assert.equal(again.emptyTimeout, 600);
    assert.equal(again.metadata, '');
    assert.equal(again.creationTime, first.creationTime);
    const state = await control('GET', 'state');
    assert.equal(state.requests.CreateRoom, 2);
  });

  test('createRoom rejects a 257-byte name with invalid_argument', async () => {
    await assert.rejects(svc.createRoom({ name: 'x'.repeat(257) }), twirpRejection({
      status: 400, code: 'invalid_argument',
      message: 'twirp error unknown: room name length exceeds limits: max length 256',
    }));
    await svc.createRoom({ name: 'y'.repeat(256) }); // the limit itself is fine
  });

  test('createRoom keeps maxParticipants, metadata and departureTimeout; listRooms reports them', async () => {
    await svc.createRoom({ name: 'conf-s', maxParticipants: 2, metadata: '{"k":1}', departureTimeout: 45 });
    const [listed] = await svc.listRooms(['conf-s']);
    assert.equal(listed.maxParticipants, 2);
    assert.equal(listed.metadata, '{"k":1}');
    assert.equal(listed.departureTimeout, 45);
  });

  test('createRoom rejects metadata over 512 KiB with invalid_argument', async () => {
    await assert.rejects(svc.createRoom({ name: 'conf-big', metadata: 'm'.repeat(512 * 1024 + 1) }),
      twirpRejection({ status: 400, code: 'invalid_argument', message: 'metadata size exceeds limits 524288' }));
    assert.deepEqual(await svc.listRooms(['conf-big']), []);
  });

  // roomctl sends proto (snake_case) names; the server's protojson reads both spellings.
  test('a snake_case CreateRoom body, as roomctl sends it, reads back through the SDK', async () => {
    const at = new AccessToken(KEY, SECRET, { identity: 'roomctl', ttl: '5m' });
    at.addGrant({ roomCreate: true });
    const res = await fetch(`${standin.url}/twirp/livekit.RoomService/CreateRoom`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await at.toJwt()}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'conf-snake', max_participants: 3, metadata: 'from-roomctl', departure_timeout: 30 }),
    });
    assert.equal(res.status, 200);
    const [listed] = await svc.listRooms(['conf-snake']);
    assert.equal(listed.maxParticipants, 3);
    assert.equal(listed.metadata, 'from-roomctl');
    assert.equal(listed.departureTimeout, 30);
  });

  test('listRooms: all rooms, and by names with unknown names omitted', async () => {
    await svc.createRoom({ name: 'conf-a' });
    await svc.createRoom({ name: 'conf-b' });
    const all = await svc.listRooms();
    assert.deepEqual(all.map((r) => r.name).sort(), ['conf-a', 'conf-b']);
    const some = await svc.listRooms(['conf-b', 'does-not-exist']);
    assert.deepEqual(some.map((r) => r.name), ['conf-b']);
    assert.deepEqual(await svc.listRooms(['does-not-exist']), []);
  });

  test('listParticipants reads participants seeded through the control surface', async () => {
    await control('POST', 'rooms', { name: 'conf-p', participants: ['alice', 'bob'] });
    await control('POST', 'participants', { room: 'conf-p', identity: 'carol' });
    const parts = await svc.listParticipants('conf-p');
    assert.deepEqual(parts.map((p) => p.identity), ['alice', 'bob', 'carol']);
    for (const p of parts) {
      assert.match(p.sid, /^PA_[0-9A-Za-z]{12}$/);
      assert.equal(p.state, 2); // ParticipantInfo_State.ACTIVE
      assert.equal(typeof p.joinedAt, 'bigint');
    }
    const [room] = await svc.listRooms(['conf-p']);
    assert.equal(room.numParticipants, 3);

    const bob = await svc.getParticipant('conf-p', 'bob');
    assert.equal(bob.identity, 'bob');
    await svc.removeParticipant('conf-p', 'bob');
    assert.deepEqual((await svc.listParticipants('conf-p')).map((p) => p.identity), ['alice', 'carol']);
    await assert.rejects(svc.getParticipant('conf-p', 'bob'), twirpRejection({
      status: 404, code: 'not_found', message: 'twirp error unknown: participant does not exist',
    }));
    await assert.rejects(svc.removeParticipant('conf-p', 'nobody'), twirpRejection({
      status: 404, code: 'not_found',
    }));
  });

  test('listParticipants of an unknown room is an empty list', async () => {
    assert.deepEqual(await svc.listParticipants('no-such-room'), []);
  });

  test('updateRoomMetadata updates and returns the room', async () => {
    const created = await svc.createRoom({ name: 'conf-m' });
    const updated = await svc.updateRoomMetadata('conf-m', '{"topic":"x"}');
    assert.equal(updated.sid, created.sid);
    assert.equal(updated.metadata, '{"topic":"x"}');
    const [listed] = await svc.listRooms(['conf-m']);
    assert.equal(listed.metadata, '{"topic":"x"}');
    await assert.rejects(svc.updateRoomMetadata('gone', 'x'), twirpRejection({
      status: 404, code: 'not_found', message: 'twirp error unknown: requested room does not exist',
    }));
  });

  test('updateParticipant sets metadata and name, merges attributes, replaces the permission', async () => {
    await control('POST', 'rooms', { name: 'conf-u' });
    await control('POST', 'participants', {
      room: 'conf-u', identity: 'alice', metadata: 'm0', attributes: { team: 'blue', seat: '1' },
    });
    const updated = await svc.updateParticipant('conf-u', 'alice', {
      metadata: 'm1', name: 'Alice', attributes: { seat: '3', team: '' },
      permission: { canPublish: false, canSubscribe: true, canPublishSources: [TrackSource.MICROPHONE] },
    });
    assert.equal(updated.identity, 'alice');
    assert.equal(updated.metadata, 'm1');
    assert.equal(updated.name, 'Alice');
    assert.deepEqual(updated.attributes, { seat: '3' }); // '' deleted team
    assert.equal(updated.permission.canPublish, false);
    assert.equal(updated.permission.canSubscribe, true);
    assert.equal(updated.permission.canPublishData, false); // replaced as a whole
    assert.deepEqual(updated.permission.canPublishSources, [TrackSource.MICROPHONE]);
    // Empty metadata and no permission leave both as they are.
    const same = await svc.updateParticipant('conf-u', 'alice', { attributes: { k: 'v' } });
    assert.equal(same.metadata, 'm1');
    assert.equal(same.permission.canPublish, false);
    assert.deepEqual(same.attributes, { seat: '3', k: 'v' });
    const [listed] = await svc.listParticipants('conf-u');
    assert.equal(listed.metadata, 'm1');
    await assert.rejects(svc.updateParticipant('conf-u', 'nobody', { metadata: 'x' }), twirpRejection({
      status: 404, code: 'not_found', message: 'twirp error unknown: participant does not exist',
    }));
    await assert.rejects(svc.updateParticipant('conf-u', 'alice', { metadata: 'x'.repeat(512 * 1024 + 1) }),
      twirpRejection({ status: 400, code: 'invalid_argument' }));
  });

  test('mutePublishedTrack mutes a published track; remote unmute needs enable_remote_unmute', async () => {
    await control('POST', 'rooms', { name: 'conf-t' });
    await control('POST', 'participants', {
      room: 'conf-t', identity: 'bob',
      tracks: [{ sid: 'TR_mic00000001', name: 'mic', type: 'AUDIO' },
        { sid: 'TR_cam00000001', name: 'cam', type: 'VIDEO', source: 'CAMERA' }],
    });
    const bob = await svc.getParticipant('conf-t', 'bob');
    assert.deepEqual(bob.tracks.map((t) => [t.sid, t.type, t.source, t.muted]), [
      ['TR_mic00000001', TrackType.AUDIO, TrackSource.MICROPHONE, false],
      ['TR_cam00000001', TrackType.VIDEO, TrackSource.CAMERA, false],
    ]);
    const track = await svc.mutePublishedTrack('conf-t', 'bob', 'TR_mic00000001', true);
    assert.equal(track.sid, 'TR_mic00000001');
    assert.equal(track.muted, true);
    assert.equal((await svc.getParticipant('conf-t', 'bob')).tracks[0].muted, true);
    await assert.rejects(svc.mutePublishedTrack('conf-t', 'bob', 'TR_mic00000001', false), twirpRejection({
      status: 412, code: 'failed_precondition', message: 'twirp error unknown: remote unmute not enabled',
    }));
    await control('POST', 'config', { enable_remote_unmute: true });
    try {
      assert.equal((await svc.mutePublishedTrack('conf-t', 'bob', 'TR_mic00000001', false)).muted, false);
    } finally {
      await control('POST', 'config', { enable_remote_unmute: false });
    }
    await assert.rejects(svc.mutePublishedTrack('conf-t', 'bob', 'TR_nope', true), twirpRejection({
      status: 404, code: 'not_found', message: 'twirp error unknown: track is not found',
    }));
    await assert.rejects(svc.mutePublishedTrack('conf-t', 'nobody', 'TR_mic00000001', true), twirpRejection({
      status: 404, code: 'not_found',
    }));
  });

  test('deleteRoom deletes by name; a missing room is not_found / 404', async () => {
    const room = await svc.createRoom({ name: 'conf-d' });
    await svc.deleteRoom('conf-d');
    assert.deepEqual(await svc.listRooms(['conf-d']), []);
    await assert.rejects(svc.deleteRoom('conf-d'), twirpRejection({
      status: 404, code: 'not_found', message: 'twirp error unknown: requested room does not exist',
    }));
    // `room` is the name: a sid never matches.
    await svc.createRoom({ name: 'conf-d2' });
    await assert.rejects(svc.deleteRoom(room.sid), twirpRejection({ status: 404, code: 'not_found' }));
  });
});

describe('authentication and grants', () => {
  test('a wrong secret gets 401 with the plain-text middleware message', async () => {
    const bad = new RoomServiceClient(standin.url, KEY, 'not-the-secret');
    await assert.rejects(bad.listRooms(), twirpRejection({
      status: 401, code: undefined,
      message: 'invalid authorization token: token signature is invalid: signature is invalid',
    }));
  });

  test('an unknown API key gets 401 invalid API key', async () => {
    const bad = new RoomServiceClient(standin.url, 'APInope', SECRET);
    await assert.rejects(bad.createRoom({ name: 'x' }), twirpRejection({
      status: 401, code: undefined, message: 'invalid API key: APInope',
    }));
  });

  test('a second configured key pair works', async () => {
    const other = new RoomServiceClient(standin.url, KEY2, SECRET2);
    await other.createRoom({ name: 'by-key2' });
    assert.deepEqual((await svc.listRooms()).map((r) => r.name), ['by-key2']);
  });

  test('a token without the needed grant gets unauthenticated "permissions denied" (401)', async () => {
    const listOnly = new AccessToken(KEY, SECRET, { ttl: '5m' });
    listOnly.addGrant({ roomList: true });
    const client = new RoomServiceClient(standin.url, undefined, undefined, { token: await listOnly.toJwt() });
    assert.deepEqual(await client.listRooms(), []);
    await assert.rejects(client.createRoom({ name: 'nope' }), twirpRejection({
      status: 401, code: 'unauthenticated', message: 'permissions denied',
    }));
    await assert.rejects(client.deleteRoom('nope'), twirpRejection({ status: 401, code: 'unauthenticated' }));
  });

  test('roomAdmin is for one room only', async () => {
    await control('POST', 'rooms', { name: 'room-a', participants: ['p1'] });
    const admin = new AccessToken(KEY, SECRET, { ttl: '5m' });
    admin.addGrant({ roomAdmin: true, room: 'room-b' });
    const client = new RoomServiceClient(standin.url, undefined, undefined, { token: await admin.toJwt() });
    await assert.rejects(client.listParticipants('room-a'), twirpRejection({
      status: 401, code: 'unauthenticated', message: 'permissions denied',
    }));
    assert.deepEqual(await client.listParticipants('room-b'), []);
  });

  test('server clock skew: tokens become "not valid yet" and the Date header shows it', async () => {
    await control('POST', 'config', { date_offset_seconds: -3600 });
    const res = await fetch(`${standin.url}/`);
    const skew = Date.now() - Date.parse(res.headers.get('date'));
    assert.ok(Math.abs(skew - 3_600_000) < 5_000, `skew ${skew} ms`);
    await assert.rejects(svc.listRooms(), twirpRejection({
      status: 401, code: undefined,
      message: 'invalid authorization token: token has invalid claims: token is not valid yet',
    }));
  });
});

describe('/rtc/validate with AccessToken', () => {
  test('a join token from the SDK is accepted (query parameter and Bearer header)', async () => {
    const jwt = await joinToken();
    assert.deepEqual(await validate(jwt), { status: 200, body: 'success', contentType: 'text/plain; charset=utf-8' });
    assert.equal((await validate(jwt, { viaHeader: true })).body, 'success');
    // It creates nothing.
    assert.deepEqual((await control('GET', 'state')).rooms, []);
  });

  test('a join token signed with the wrong secret is rejected', async () => {
    const res = await validate(await joinToken({ secret: 'wrong' }));
    assert.equal(res.status, 401);
    assert.equal(res.body, 'invalid authorization token: token signature is invalid: signature is invalid');
    assert.doesNotMatch(res.body, /eyJ/, 'the token must not be echoed back');
  });

  test('grant problems map to the documented statuses and bodies', async () => {
    assert.deepEqual(await validate(await joinToken({ grant: { roomJoin: false, room: 'lobby', roomList: true } })),
      { status: 401, body: 'permissions denied', contentType: 'text/plain; charset=utf-8' });
    const noRoom = await validate(await joinToken({ grant: { roomJoin: true } }));
    assert.deepEqual([noRoom.status, noRoom.body], [400, 'no room name']);
    const missing = await fetch(`${standin.url}/rtc/validate`);
    assert.deepEqual([missing.status, await missing.text()], [401, 'no permissions to access the room']);
  });

  test('auto_create=false: a missing room is 404 unless the token may create rooms', async () => {
    await control('POST', 'config', { auto_create: false });
    const plain = await validate(await joinToken({ grant: { roomJoin: true, room: 'closed' } }));
    assert.deepEqual([plain.status, plain.body], [404, 'requested room does not exist']);
    const creator = await validate(await joinToken({ grant: { roomJoin: true, roomCreate: true, room: 'closed' } }));
    assert.deepEqual([creator.status, creator.body], [200, 'success']);
    await svc.createRoom({ name: 'closed' });
    assert.equal((await validate(await joinToken({ grant: { roomJoin: true, room: 'closed' } }))).status, 200);
  });
});

describe('room lifecycle', () => {
  test('an empty room closes after empty_timeout', async () => {
    await svc.createRoom({ name: 'short-lived', emptyTimeout: 1 });
    await svc.createRoom({ name: 'long-lived', emptyTimeout: 3600 });
    assert.ok(await waitFor(async () => (await svc.listRooms(['short-lived'])).length === 0),
      'room with empty_timeout 1 s still listed');
    assert.equal((await svc.listRooms(['long-lived'])).length, 1);
    await assert.rejects(svc.deleteRoom('short-lived'), twirpRejection({ status: 404, code: 'not_found' }));
  });

  test('after the last participant leaves the room closes after departure_timeout', async () => {
    await control('POST', 'rooms', {
      name: 'meeting', empty_timeout: 3600, departure_timeout: 1, participants: ['alice'],
    });
    await sleep(1_500);
    assert.equal((await svc.listRooms(['meeting'])).length, 1, 'occupied rooms never close');
    await control('POST', 'participants/remove', { room: 'meeting', identity: 'alice' });
    assert.ok(await waitFor(async () => (await svc.listRooms(['meeting'])).length === 0),
      'room still listed after departure_timeout');
  });
});

describe('fault injection through the SDK', () => {
  test('an HTML 503 reaches the SDK as a TwirpError carrying the text', async () => {
    await control('POST', 'faults', {
      method: 'ListRooms', status: 503, body: '<html>upstream down</html>', content_type: 'text/html', count: 1,
    });
    await assert.rejects(svc.listRooms(), twirpRejection({
      status: 503, code: undefined, message: '<html>upstream down</html>',
    }));
    assert.deepEqual(await svc.listRooms(), []); // count: 1 — the next call is normal
    assert.equal((await control('GET', 'state')).requests.ListRooms, 2);
  });

  test('a garbage 200 body makes the SDK fail to parse', async () => {
    await control('POST', 'faults', {
      method: '*', status: 200, body: '{"rooms":[', content_type: 'application/json', after: 1, count: 1,
    });
    await svc.createRoom({ name: 'ok' }); // `after: 1` lets the first call through
    await assert.rejects(svc.listRooms(), SyntaxError);
  });
});
