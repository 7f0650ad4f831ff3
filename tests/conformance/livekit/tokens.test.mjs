// Conformance: access tokens minted by `roomctl token create` verify with the
// official SDK's TokenVerifier and carry exactly the claims that were asked for.
//
// The binary comes from ROOMCTL_BIN (ctest sets it). Without a usable binary
// these tests are skipped locally and FAIL when CI=true.
//
// Run: ROOMCTL_BIN=/path/to/roomctl node --test tests/conformance/livekit/

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { RoomConfiguration, TokenVerifier } from 'livekit-server-sdk';

const run = promisify(execFile);

const BIN = process.env.ROOMCTL_BIN;
const KEY = 'APIconformanceKey';
const SECRET = 'conformance-secret-0123456789abcdefghijklmnop';
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

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

// roomctl must see only what the test gives it: no developer config file, no
// LIVEKIT_* / ROOMCTL_* from the caller's shell.
function isolatedEnv(configHome) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('LIVEKIT_') && !k.startsWith('ROOMCTL_')) env[k] = v;
  }
  return { ...env, XDG_CONFIG_HOME: configHome, LIVEKIT_API_SECRET: SECRET, LIVEKIT_API_KEY: KEY, NO_COLOR: '1' };
}

async function roomctl(args) {
  const configHome = mkdtempSync(path.join(tmpdir(), 'roomctl-conf-'));
  try {
    return await run(BIN, args, { env: isolatedEnv(configHome), timeout: 30_000 });
  } catch (err) {
    // Keep the failure readable: exit status and stderr, never the environment.
    throw new Error(`roomctl ${args.join(' ')} failed (exit ${err.code}): ${err.stderr}`);
  } finally {
    rmSync(configHome, { recursive: true, force: true });
  }
}

async function mint(args) {
  const { stdout } = await roomctl(['token', 'create', '--api-key', KEY, ...args]);
  assert.match(stdout, /\n$/, 'stdout ends with a newline');
  const jwt = stdout.trim();
  assert.match(jwt, JWT_SHAPE, `stdout holds only the JWT, got ${JSON.stringify(stdout)}`);
  return jwt;
}

function decodeHeader(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));
}

// Every case passes --ttl so exp - nbf can be checked exactly.
const CASES = [
  {
    name: 'join + room + identity',
    args: ['--join', '--room', 'conf-join', '--identity', 'alice', '--ttl', '10m'],
    ttl: 600, sub: 'alice', video: { roomJoin: true, room: 'conf-join' },
  },
  {
    name: 'join without publishing',
    args: ['--join', '--room', 'conf-listen', '--identity', 'listener', '--no-can-publish', '--ttl', '1h'],
    ttl: 3600, sub: 'listener', video: { roomJoin: true, room: 'conf-listen', canPublish: false },
  },
  {
    name: 'admin for one room',
    args: ['--admin', '--room', 'conf-admin', '--identity', 'ops', '--ttl', '30m'],
    ttl: 1800, sub: 'ops', video: { roomAdmin: true, room: 'conf-admin' },
  },
  {
    name: 'create',
    args: ['--create', '--identity', 'svc', '--ttl', '90s'],
    ttl: 90, sub: 'svc', video: { roomCreate: true },
  },
  {
    name: 'list',
    args: ['--list', '--identity', 'svc', '--ttl', '5m'],
    ttl: 300, sub: 'svc', video: { roomList: true },
  },
  {
    name: 'create + list',
    args: ['--create', '--list', '--identity', 'svc', '--ttl', '2h'],
    ttl: 7200, sub: 'svc', video: { roomCreate: true, roomList: true },
  },
  {
    name: 'join with name, metadata and an attribute',
    args: ['--join', '--room', 'conf-meta', '--identity', 'bob', '--name', 'Bob B.',
      '--metadata', '{"role":"host"}', '--attribute', 'team=blue=green', '--ttl', '15m'],
    ttl: 900, sub: 'bob', video: { roomJoin: true, room: 'conf-meta' },
    name_: 'Bob B.', metadata: '{"role":"host"}', attributes: { team: 'blue=green' },
  },
];

describe('roomctl token create, verified by the SDK TokenVerifier', { skip: problem ?? false }, () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const before = Math.floor(Date.now() / 1000);
      const jwt = await mint(c.args);
      const after = Math.ceil(Date.now() / 1000);

      assert.equal(decodeHeader(jwt).alg, 'HS256');
      const claims = await new TokenVerifier(KEY, SECRET).verify(jwt);

      assert.equal(claims.iss, KEY);
      assert.equal(claims.sub, c.sub);
      assert.deepEqual(claims.video, c.video, 'video grant has exactly the requested keys');
      assert.equal(claims.name, c.name_);
      assert.equal(claims.metadata, c.metadata);
      assert.deepEqual(claims.attributes, c.attributes);
      assert.equal(claims.exp - claims.nbf, c.ttl, 'exp - nbf == --ttl');
      assert.ok(claims.nbf >= before - 1 && claims.nbf <= after, `nbf ${claims.nbf} is now`);

      await assert.rejects(new TokenVerifier(KEY, 'some-other-secret').verify(jwt),
        /signature verification failed/);
      await assert.rejects(new TokenVerifier('APIotherKey', SECRET).verify(jwt), /"iss" claim/);
    });
  }

  // lk's token flags: the SDK verifies the token, and @livekit/protocol's own
  // RoomConfiguration parser (strict: unknown fields throw) reads roomConfig, agents included.
  test('metadata, attributes, --grant, --room-config and agent dispatch', async () => {
    const jwt = await mint(['--join', '--room', 'conf-agent', '--identity', 'caller',
      '--valid-for', '10m', '--metadata', '{"role":"caller"}', '--attribute', 'tier=gold',
      '--attribute', 'lang=de', '--grant', '{"canSubscribeMetrics":true,"canPublishData":false}',
      '--room-config', '{"emptyTimeout":600,"maxParticipants":2}',
      '--agent', 'support-bot', '--job-metadata', '{"ticket":7}']);
    const claims = await new TokenVerifier(KEY, SECRET).verify(jwt);
    assert.equal(claims.exp - claims.nbf, 600, '--valid-for is --ttl');
    assert.equal(claims.metadata, '{"role":"caller"}');
    assert.deepEqual(claims.attributes, { tier: 'gold', lang: 'de' });
    assert.deepEqual(claims.video, { roomJoin: true, room: 'conf-agent', canPublishData: false,
      canSubscribeMetrics: true });
    const config = RoomConfiguration.fromJson(claims.roomConfig);
    assert.equal(config.emptyTimeout, 600);
    assert.equal(config.maxParticipants, 2);
    assert.equal(config.agents.length, 1);
    assert.equal(config.agents[0].agentName, 'support-bot');
    assert.equal(config.agents[0].metadata, '{"ticket":7}');
  });

  test('--json prints one document whose token and claims agree', async () => {
    const { stdout } = await roomctl(['token', 'create', '--api-key', KEY, '--json',
      '--join', '--room', 'conf-json', '--identity', 'carol', '--ttl', '10m']);
    const doc = JSON.parse(stdout);
    assert.equal(doc.schema_version, 1);
    assert.equal(doc.command, 'token create');
    assert.match(doc.token, JWT_SHAPE);
    const claims = await new TokenVerifier(KEY, SECRET).verify(doc.token);
    assert.deepEqual(doc.claims, claims);
    assert.deepEqual(claims.video, { roomJoin: true, room: 'conf-json' });
    assert.equal(Date.parse(doc.expires_at), claims.exp * 1000, 'expires_at is exp as ISO 8601');
  });
});
