// A real OpenID Connect provider for hoso's tests, on a free loopback port.
// Prints "READY <issuer>" when listening. Test-only keys live in ./keys (never use them elsewhere).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import Provider from 'oidc-provider';

const here = new URL('.', import.meta.url);
const signing = createPrivateKey(readFileSync(new URL('keys/signing.pem', here)));
const jwk = { ...signing.export({ format: 'jwk' }), kid: 'test-1', alg: 'RS256', use: 'sig' };

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: 'hoso',
      client_secret: 'test-secret',
      redirect_uris: ['http://127.0.0.1/callback'],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    jwks: { keys: [jwk] },
    claims: { openid: ['sub', 'SoDinhDanh'] },
    conformIdTokenClaims: false,
    pkce: { required: () => false },
    cookies: { keys: ['hoso-test-cookie-key'] },
    // The login name is the citizen's identification number.
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, SoDinhDanh: id }),
    }),
    features: { devInteractions: { enabled: true } },
  });
  provider.proxy = false;
  server.on('request', provider.callback());
  console.log(`READY ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
