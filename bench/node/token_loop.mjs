// Peer of `roomctl token create --count N --join --room r --identity 'u-{i}'`:
// AccessToken + toJwt() in a loop, one JSON line per token.
import { AccessToken } from 'livekit-server-sdk';

const n = Number(process.env.COUNT || '100000');
const out = [];
for (let i = 1; i <= n; i++) {
  const at = new AccessToken(process.env.LIVEKIT_API_KEY, process.env.LIVEKIT_API_SECRET,
    { identity: `u-${i}`, ttl: '1h' });
  at.addGrant({ roomJoin: true, room: 'r' });
  out.push(JSON.stringify({ token: await at.toJwt() }));
  if (out.length === 10000) { process.stdout.write(out.join('\n') + '\n'); out.length = 0; }
}
if (out.length) process.stdout.write(out.join('\n') + '\n');
