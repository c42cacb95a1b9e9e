// A real OpenID provider (node-oidc-provider) for Attestly's SSO tests.
// Usage: PORT=... REDIRECT_URIS=uri1,uri2 node provider.js
// Test users sign in with just their name on /interaction/<uid> (no password: test only).
import http from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.REDIRECT_URIS || '').split(',').filter(Boolean);

const USERS = {
  carol: { email: 'carol@example.com', name: 'Carol Admin', groups: ['attestly-admins'] },
  dave: { email: 'dave@example.com', name: 'Dave Viewer', groups: ['staff', 'attestly-viewers'] },
  erin: { email: 'erin@example.com', name: 'Erin Nobody', groups: ['staff'] },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'attestly',
    client_secret: 'attestly-test-secret',
    redirect_uris: redirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  // Put the scope's claims in the ID token itself, as most enterprise providers do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['attestly-test-cookie-key'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const user = USERS[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: user.email, email_verified: true, name: user.name,
          preferred_username: id, groups: user.groups };
      },
    };
  },
  // A first-party test client: consent is implied.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});

const page = (uid, error) => `<!doctype html><html><head><title>Test IdP</title></head><body>
<h1>Test identity provider</h1>${error ? `<p role="alert">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label for="login">User</label><input id="login" name="login" autocomplete="off">
<button type="submit">Sign in</button></form></body></html>`;

const readBody = (req) => new Promise((resolve) => {
  let data = '';
  req.on('data', (chunk) => { data += chunk; });
  req.on('end', () => resolve(new URLSearchParams(data)));
});

const callback = provider.callback();
http.createServer(async (req, res) => {
  if (req.url === '/favicon.ico') { res.writeHead(204); return res.end(); }
  const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'POST' && match[2]) {
      const login = (await readBody(req)).get('login');
      if (!USERS[login]) {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end(page(details.uid, 'Unknown user'));
      }
      return provider.interactionFinished(req, res, { login: { accountId: login } },
        { mergeWithLastSubmission: false });
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    return res.end(page(details.uid));
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    return res.end(String(err));
  }
}).listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
