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
      // A native client: on loopback its redirect URIs match on any port (RFC 8252 7.3), so
      // hoso's pages on a random test port can be sent back to.
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback', 'http://127.0.0.1/dang-nhap/sso'],
      post_logout_redirect_uris: ['http://127.0.0.1/'],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    jwks: { keys: [jwk] },
    claims: { openid: ['sub', 'SoDinhDanh', 'HoVaTen', 'MaSoDoanhNghiep'] },
    conformIdTokenClaims: false,
    pkce: { required: () => false },
    cookies: { keys: ['hoso-test-cookie-key'] },
    // The login name is the citizen's identification number; "<number>@<tax code>" signs in an
    // organisation account of that enterprise.
    findAccount: (_ctx, id) => {
      const [citizen, organisation] = id.split('@');
      const claims = { sub: id, SoDinhDanh: citizen, HoVaTen: `Công dân ${citizen.slice(-4)}` };
      if (organisation) claims.MaSoDoanhNghiep = organisation;
      return { accountId: id, claims: () => claims };
    },
    features: { devInteractions: { enabled: true } },
  });
  provider.proxy = false;
  server.on('request', provider.callback());
  console.log(`READY ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
