// Conformance: the LiveKit stand-in's /rtc WebSocket signalling
// (tests/standin/livekit_signal.py) against official code: Node's own WebSocket client
// (undici; Node 20 needs --experimental-websocket), messages decoded and encoded with
// @livekit/protocol's generated SignalResponse / SignalRequest (the official schema), and the
// room state read back through livekit-server-sdk's RoomServiceClient.
//
// Run: node --experimental-websocket --test tests/conformance/livekit/
//      (after npm ci --prefix tests/conformance/livekit)

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import {
  DisconnectReason, LeaveRequest, ParticipantInfo_State, Ping, SignalRequest, SignalResponse,
} from '@livekit/protocol';
import { startStandin, stopStandin } from './standin_process.mjs';

const KEY = 'devkey';
const SECRET = 'secret';

let standin;
let svc;

async function control(route, body) {
  const res = await fetch(`${standin.url}/_standin/${route}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `control ${route}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function token(identity, room, grant = {}) {
  const at = new AccessToken(KEY, SECRET, { identity, name: `${identity} name`, ttl: '5m' });
  at.addGrant({ roomJoin: true, room, ...grant });
  return at.toJwt();
}

// A WebSocket to /rtc that queues every decoded SignalResponse and remembers how it closed.
function connect(jwt, query = '') {
  assert.equal(typeof WebSocket, 'function', 'no global WebSocket: run node with --experimental-websocket');
  const ws = new WebSocket(`ws://127.0.0.1:${standin.port}/rtc?access_token=${jwt}${query}`);
  ws.binaryType = 'arraybuffer';
  const conn = { ws, messages: [], waiters: [], closed: null, error: false };
  ws.addEventListener('message', (ev) => {
    assert.ok(ev.data instanceof ArrayBuffer, 'signalling messages are binary frames');
    conn.messages.push(SignalResponse.fromBinary(new Uint8Array(ev.data)));
    conn.waiters.splice(0).forEach((w) => w());
  });
  ws.addEventListener('error', () => {
    conn.error = true;
    conn.waiters.splice(0).forEach((w) => w());
  });
  ws.addEventListener('close', (ev) => {
    conn.closed = { code: ev.code, wasClean: ev.wasClean };
    conn.waiters.splice(0).forEach((w) => w());
  });
  return conn;
}

// The next SignalResponse (or null once the socket closed without one), within 5 s.
async function next(conn) {
  const deadline = Date.now() + 5_000;
  while (conn.messages.length === 0 && conn.closed === null) {
    assert.ok(Date.now() < deadline, 'no signalling message within 5 s');
    await Promise.race([new Promise((r) => conn.waiters.push(r)), sleep(200)]);
  }
  return conn.messages.shift() ?? null;
}

async function closed(conn) {
  const deadline = Date.now() + 5_000;
  while (conn.closed === null) {
    assert.ok(Date.now() < deadline, 'socket not closed within 5 s');
    await Promise.race([new Promise((r) => conn.waiters.push(r)), sleep(200)]);
  }
  return conn.closed;
}

function sendLeave(conn) {
  const req = new SignalRequest({
    message: { case: 'leave', value: new LeaveRequest({ reason: DisconnectReason.CLIENT_INITIATED }) },
  });
  conn.ws.send(req.toBinary());
}

// A raw HTTP GET /rtc (optionally with upgrade headers): status, body.
function rawGet(jwt, { upgrade }) {
  const headers = upgrade
    ? { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64') }
    : {};
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: standin.port,
      path: `/rtc?access_token=${jwt}`, headers, timeout: 5_000 });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve({ status: res.statusCode, body: '' }); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

before(async () => {
  standin = await startStandin({ keys: `${KEY}:${SECRET}` });
  svc = new RoomServiceClient(standin.url, KEY, SECRET);
});

after(async () => {
  await stopStandin(standin);
});

beforeEach(async () => {
  await control('reset', {});
});

describe('/rtc signalling', () => {
  test('first message is a JoinResponse the official schema decodes, and the participant is in the room', async () => {
    const conn = connect(await token('alice', 'sig-room'), '&protocol=16&sdk=js');
    const first = await next(conn);
    assert.equal(first?.message.case, 'join');
    const join = first.message.value;
    assert.equal(join.room.name, 'sig-room');
    assert.match(join.room.sid, /^RM_/);
    assert.equal(join.participant.identity, 'alice');
    assert.equal(join.participant.name, 'alice name');
    assert.match(join.participant.sid, /^PA_/);
    assert.equal(join.participant.state, ParticipantInfo_State.JOINING);
    assert.equal(join.serverInfo.version, '1.13.5');
    assert.equal(join.serverVersion, '1.13.5');
    assert.ok(join.serverInfo.protocol >= 16);
    assert.ok(join.pingInterval > 0 && join.pingTimeout > join.pingInterval);
    assert.deepEqual(join.otherParticipants, []);

    const listed = await svc.listParticipants('sig-room');
    assert.deepEqual(listed.map((p) => [p.identity, p.sid, p.state]),
      [['alice', join.participant.sid, ParticipantInfo_State.JOINING]]);

    sendLeave(conn);
    const answer = await next(conn);
    assert.equal(answer?.message.case, 'leave');
    assert.equal(answer.message.value.reason, DisconnectReason.CLIENT_INITIATED);
    assert.deepEqual(await closed(conn), { code: 1000, wasClean: true });
    assert.deepEqual(await svc.listParticipants('sig-room'), []);
  });

  test('ping_req is answered with pong_resp carrying the ping timestamp', async () => {
    const conn = connect(await token('pinger', 'sig-room'));
    assert.equal((await next(conn))?.message.case, 'join');
    conn.ws.send(new SignalRequest({ message: { case: 'pingReq', value: new Ping({ timestamp: 1234n }) } }).toBinary());
    const pong = await next(conn);
    assert.equal(pong?.message.case, 'pongResp');
    assert.equal(pong.message.value.lastPingTimestamp, 1234n);
    assert.ok(pong.message.value.timestamp > 0n);
    conn.ws.close(1000);
    await closed(conn);
    assert.ok(await waitForEmpty('sig-room'), 'a client close removes the participant');
  });

  test('a second join with the same identity kicks the first with DUPLICATE_IDENTITY', async () => {
    const first = connect(await token('dup', 'sig-room'));
    assert.equal((await next(first))?.message.case, 'join');
    const second = connect(await token('dup', 'sig-room'));
    const secondJoin = await next(second);
    assert.equal(secondJoin?.message.case, 'join');

    const kicked = await next(first);
    assert.equal(kicked?.message.case, 'leave');
    assert.equal(kicked.message.value.reason, DisconnectReason.DUPLICATE_IDENTITY);
    assert.equal((await closed(first)).code, 1000);
    const listed = await svc.listParticipants('sig-room');
    assert.deepEqual(listed.map((p) => p.sid), [secondJoin.message.value.participant.sid]);
    second.ws.close(1000);
    await closed(second);
  });

  test('a full room answers 101, then leave JOIN_FAILURE and close', async () => {
    await svc.createRoom({ name: 'small', maxParticipants: 1 });
    const inside = connect(await token('first', 'small'));
    assert.equal((await next(inside))?.message.case, 'join');

    const late = connect(await token('second', 'small'));
    const refused = await next(late);
    assert.equal(refused?.message.case, 'leave');
    assert.equal(refused.message.value.reason, DisconnectReason.JOIN_FAILURE);
    assert.equal((await closed(late)).code, 1000);
    assert.deepEqual((await svc.listParticipants('small')).map((p) => p.identity), ['first']);
    inside.ws.close(1000);
    await closed(inside);
  });

  test('a hidden participant is listed but not shown to others', async () => {
    const ghost = connect(await token('ghost', 'sig-room', { hidden: true }));
    assert.equal((await next(ghost))?.message.case, 'join');
    const seen = connect(await token('visible', 'sig-room'));
    const join = await next(seen);
    assert.equal(join?.message.case, 'join');
    assert.deepEqual(join.message.value.otherParticipants, []);
    const listed = await svc.listParticipants('sig-room');
    assert.deepEqual(listed.map((p) => [p.identity, p.permission?.hidden ?? false]).sort(),
      [['ghost', true], ['visible', false]]);
    for (const c of [ghost, seen]) { c.ws.close(1000); await closed(c); }
  });

  test('RemoveParticipant sends leave PARTICIPANT_REMOVED', async () => {
    const conn = connect(await token('removed', 'sig-room'));
    assert.equal((await next(conn))?.message.case, 'join');
    await svc.removeParticipant('sig-room', 'removed');
    const leave = await next(conn);
    assert.equal(leave?.message.case, 'leave');
    assert.equal(leave.message.value.reason, DisconnectReason.PARTICIPANT_REMOVED);
    assert.equal((await closed(conn)).code, 1000);
  });

  test('a GET /rtc without Upgrade answers 404 with an empty body, even with a valid token', async () => {
    const res = await rawGet(await token('plain', 'sig-room'), { upgrade: false });
    assert.equal(res.status, 404);
    assert.equal(res.body, '');
  });

  test('a missing room with auto_create off is refused with 404 before the upgrade', async () => {
    await control('config', { auto_create: false });
    const jwt = await token('nobody', 'no-such-room');
    const res = await rawGet(jwt, { upgrade: true });
    assert.equal(res.status, 404);
    assert.equal(res.body, 'requested room does not exist');

    // The official client fails the handshake (Node 20's undici fires `error` and, with the
    // server keeping the HTTP connection alive as Go's does, no `close`).
    const conn = connect(jwt);
    const deadline = Date.now() + 5_000;
    while (!conn.error && conn.closed === null) {
      assert.ok(Date.now() < deadline, 'the refused handshake did not fail the WebSocket');
      await Promise.race([new Promise((r) => conn.waiters.push(r)), sleep(200)]);
    }
    assert.ok(conn.error);
    assert.deepEqual(conn.messages, [], 'no message on a refused handshake');
    conn.ws.close();
    assert.deepEqual(await svc.listRooms(), []);

    // roomCreate bypasses the check, as on the server.
    const creator = connect(await token('creator', 'no-such-room', { roomCreate: true }));
    assert.equal((await next(creator))?.message.case, 'join');
    creator.ws.close(1000);
    await closed(creator);
  });

  test('a bad token is the auth middleware 401, before the upgrade check', async () => {
    const res = await rawGet('not-a-jwt', { upgrade: true });
    assert.equal(res.status, 401);
    assert.equal(res.body, 'invalid authorization token');
  });
});

async function waitForEmpty(room) {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if ((await svc.listParticipants(room)).length === 0) return true;
    await sleep(100);
  }
  return false;
}
