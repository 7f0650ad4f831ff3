// Conformance: tokens minted by the official SDK's AccessToken are read by
// `roomctl token inspect` with identical grants, and a verified signature.
//
// The binary comes from ROOMCTL_BIN (ctest sets it). Without a usable binary
// these tests are skipped locally and FAIL when CI=true.
//
// Run: ROOMCTL_BIN=/path/to/roomctl node --test tests/conformance/livekit/

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AccessToken, TrackSource } from 'livekit-server-sdk';
import { startStandin, stopStandin } from './standin_process.mjs';

const BIN = process.env.ROOMCTL_BIN;
const KEY = 'APIinspectConformance';
const SECRET = 'inspect-conformance-secret-0123456789abcdef';
const here = path.dirname(fileURLToPath(import.meta.url));
const SOURCE_DIR = process.env.ROOMCTL_SOURCE_DIR || path.resolve(here, '..', '..', '..');

function binaryProblem() {
  if (!BIN) return 'ROOMCTL_BIN is not set';
  try {
    if (!statSync(BIN).isFile()) return `ROOMCTL_BIN=${BIN} is not a file`;
    accessSync(BIN, constants.X_OK);
  } catch {
    return `ROOMCTL_BIN=${BIN} is not an executable file`;
  }
  return null;
}

const problem = binaryProblem();
if (problem && process.env.CI === 'true') {
  test('roomctl binary is available (required when CI=true)', () => {
    assert.fail(problem);
  });
}

// roomctl sees only what the test gives it: no developer config, no LIVEKIT_*,
// TWILIO_* or ROOMCTL_* from the caller's shell.
function isolatedEnv(configHome, extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(LIVEKIT|TWILIO|ROOMCTL)_/.test(k)) env[k] = v;
  }
  return {
    ...env, XDG_CONFIG_HOME: configHome, NO_COLOR: '1',
    LIVEKIT_API_KEY: KEY, LIVEKIT_API_SECRET: SECRET, ...extra,
  };
}

// Runs `roomctl token inspect --json ...`; resolves with {code, doc, stdout, stderr}
// whatever the exit status (5 is an answer here, not a failure).
function inspect(args, { input, env = {} } = {}) {
  const configHome = mkdtempSync(path.join(tmpdir(), 'roomctl-conf-'));
  return new Promise((resolve) => {
    const child = execFile(BIN, ['token', 'inspect', '--json', ...args],
      { env: isolatedEnv(configHome, env), timeout: 30_000 },
      (err, stdout, stderr) => {
        rmSync(configHome, { recursive: true, force: true });
        const code = err ? err.code : 0;
        let doc = null;
        try { doc = JSON.parse(stdout); } catch { /* asserted by the caller */ }
        resolve({ code, doc, stdout, stderr });
      });
    // roomctl reads stdin only for `-`; otherwise it may exit before a write reaches the pipe,
    // and that EPIPE says nothing about roomctl (the exit status and output are the answer).
    child.stdin.on('error', () => {});
    if (input === undefined) child.stdin.end(); else child.stdin.end(input);
  });
}

function payloadOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

async function sdkToken(identity, grant, secret = SECRET) {
  const at = new AccessToken(KEY, secret, { identity, ttl: '10m' });
  at.addGrant(grant);
  return at.toJwt();
}

// Every grant key roomctl reads, alone and in the combinations apps use.
const CASES = [
  { name: 'join', identity: 'alice', purpose: 'join', room: 'conf-join',
    grant: { roomJoin: true, room: 'conf-join' } },
  { name: 'join with publish/subscribe/data switches', identity: 'bob', purpose: 'join',
    grant: { roomJoin: true, room: 'conf-sw', canPublish: false, canSubscribe: true,
      canPublishData: false } },
  { name: 'join with sources, metadata updates, hidden', identity: 'carol', purpose: 'join',
    grant: { roomJoin: true, room: 'conf-src',
      canPublishSources: [TrackSource.CAMERA, TrackSource.SCREEN_SHARE_AUDIO],
      canUpdateOwnMetadata: true, hidden: true } },
  { name: 'admin for one room', identity: 'ops', purpose: 'admin', room: 'conf-admin',
    grant: { roomAdmin: true, room: 'conf-admin' } },
  { name: 'create + list + record', identity: 'svc', purpose: 'create',
    grant: { roomCreate: true, roomList: true, roomRecord: true } },
  { name: 'list only', identity: undefined, purpose: 'list', grant: { roomList: true } },
  { name: 'ingress admin, recorder, agent', identity: 'agent-1', purpose: undefined,
    grant: { ingressAdmin: true, recorder: true, agent: true } },
];

describe('roomctl token inspect reads SDK-minted tokens', { skip: problem ?? false }, () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const jwt = await sdkToken(c.identity, c.grant);
      const payload = payloadOf(jwt);
      const args = [];
      if (c.purpose) args.push('--for', c.purpose);
      if (c.room) args.push('--room', c.room);
      const { code, doc, stdout, stderr } = await inspect([...args, jwt]);

      assert.equal(code, 0, `exit ${code}: ${stderr}`);
      assert.equal(doc.schema_version, 1);
      assert.equal(doc.command, 'token inspect');
      assert.equal(doc.provider, 'livekit');
      assert.equal(doc.signature, 'valid');
      assert.equal(doc.valid, true);
      assert.deepEqual(doc.diagnoses, []);
      assert.deepEqual(doc.grants, payload.video, 'grants are what the SDK put in `video`');
      assert.deepEqual(doc.claims, payload);
      assert.deepEqual(doc.header, { alg: 'HS256' });
      assert.equal(doc.identity, c.identity ?? '');
      assert.equal(Date.parse(doc.expires_at), payload.exp * 1000);
      assert.equal(Date.parse(doc.not_before), payload.nbf * 1000);
      assert.ok(!stdout.includes(jwt) && !stderr.includes(jwt), 'the token is never printed');
      assert.ok(!stdout.includes(SECRET) && !stderr.includes(SECRET), 'nor the secret');
    });
  }

  test('read from stdin with -', async () => {
    const jwt = await sdkToken('dave', { roomJoin: true, room: 'conf-stdin' });
    const { code, doc } = await inspect(['--for', 'join', '-'], { input: `${jwt}\n` });
    assert.equal(code, 0);
    assert.deepEqual(doc.grants, { roomJoin: true, room: 'conf-stdin' });
  });

  test('a join token with roomCreate is valid, with a warning', async () => {
    const jwt = await sdkToken('erin', { roomJoin: true, room: 'conf-rc', roomCreate: true });
    const { code, doc } = await inspect(['--for', 'join', jwt]);
    assert.equal(code, 0);
    assert.equal(doc.valid, true);
    assert.deepEqual(doc.diagnoses.map((d) => [d.code, d.severity]),
      [['join_with_room_create', 'warning']]);
  });

  test('a token signed with another secret: signature invalid, exit 5', async () => {
    const jwt = await sdkToken('mallory', { roomJoin: true, room: 'conf-bad' },
      'some-other-secret-0123456789abcdefghij');
    const { code, doc, stdout } = await inspect(['--for', 'join', jwt]);
    assert.equal(code, 5);
    assert.equal(doc.signature, 'invalid');
    assert.equal(doc.valid, false);
    assert.deepEqual(doc.diagnoses.map((d) => d.code), ['bad_signature']);
    assert.match(doc.diagnoses[0].message, /another secret/);
    assert.deepEqual(doc.grants, payloadOf(jwt).video, 'still decoded');
    assert.ok(!stdout.includes(jwt));
  });

  test('the wrong grant for the purpose: exit 5', async () => {
    const jwt = await sdkToken('frank', { roomList: true });
    const { code, doc } = await inspect(['--for', 'join', jwt]);
    assert.equal(code, 5);
    assert.deepEqual(doc.diagnoses.map((d) => d.code), ['missing_grant']);
  });
});

// ---------------------------------------------------------------------------
// --check-server against the LiveKit stand-in (auto_create off)
// ---------------------------------------------------------------------------

describe('roomctl token inspect --check-server', { skip: problem ?? false }, () => {
  let standin;
  before(async () => {
    standin = await startStandin({ keys: `${KEY}:${SECRET}`, args: ['--auto-create', 'false'] });
  });
  after(async () => { await stopStandin(standin); });

  async function seedRoom(name) {
    const res = await fetch(`${standin.url}/_standin/rooms`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    assert.equal(res.status, 200);
  }

  test('a join token for an existing room: accepted', async () => {
    await seedRoom('conf-live');
    const jwt = await sdkToken('gina', { roomJoin: true, room: 'conf-live' });
    const { code, doc, stderr } = await inspect(['--for', 'join', '--check-server', jwt],
      { env: { LIVEKIT_URL: standin.url } });
    assert.equal(code, 0, stderr);
    assert.equal(doc.server.status, 200);
    assert.equal(doc.server.refused, false);
  });

  test('a join token for a missing room: refused with the room named, exit 5', async () => {
    const jwt = await sdkToken('hank', { roomJoin: true, room: 'conf-gone' });
    const { code, doc } = await inspect(['--for', 'join', '--check-server', jwt],
      { env: { LIVEKIT_URL: standin.url } });
    assert.equal(code, 5);
    assert.equal(doc.server.status, 404);
    assert.equal(doc.server.refused, true);
    assert.match(doc.server.message, /conf-gone.*does not exist/);
    assert.ok(doc.diagnoses.some((d) => d.code === 'server_refused'));
  });

  test('another secret, not configured here: the server says so, exit 5', async () => {
    const jwt = await sdkToken('ivan', { roomJoin: true, room: 'conf-live' },
      'some-other-secret-0123456789abcdefghij');
    const { code, doc } = await inspect(['--check-server', jwt],
      { env: { LIVEKIT_URL: standin.url, LIVEKIT_API_SECRET: '' } });
    assert.equal(code, 5);
    assert.equal(doc.signature, 'not_checked');
    assert.equal(doc.server.authenticated, false);
    assert.match(doc.server.message, /secret does not match/);
  });
});
