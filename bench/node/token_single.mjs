// The SDK's token example (README "Creating Access Tokens"), as one process.
import { AccessToken } from 'livekit-server-sdk';

const at = new AccessToken(process.env.LIVEKIT_API_KEY, process.env.LIVEKIT_API_SECRET,
  { identity: 'alice', ttl: '1h' });
at.addGrant({ roomJoin: true, room: 'r' });
console.log(await at.toJwt());
