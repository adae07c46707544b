// A real OpenID Connect provider for the single sign-on tests (npm package oidc-provider).
//
// Usage: node tests/oidc/provider.mjs CONFIG.json
// CONFIG holds: port, jwks (private keys), clients (oidc-provider client metadata) and accounts
// ({login: {sub, password, email, email_verified, name}}). Prints "ready <issuer>" when it listens.
// The login and consent pages are plain HTML forms, so a test can drive them with an HTTP client.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const bySub = new Map(Object.values(config.accounts).map((a) => [a.sub, a]));

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: config.jwks,
  cookies: { keys: ['tests-only-cookie-key-0123456789'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { methods: ['S256'], required: () => true },
  features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 60, Session: 3600, Interaction: 600, Grant: 3600 },
  async findAccount(ctx, sub) {
    const account = bySub.get(sub);
    if (!account) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email: account.email, email_verified: account.email_verified, name: account.name };
      },
    };
  },
});
provider.proxy = false;

function escape(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function formBody(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return Object.fromEntries(new URLSearchParams(raw));
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>`
    + `<body><h1>${title}</h1>${body}</body></html>`;
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    if (prompt.name === 'login') {
      ctx.body = page('Sign in', `<form method="post" action="/interaction/${escape(details.uid)}">`
        + '<input type="hidden" name="prompt" value="login">'
        + '<label>Login <input name="login"></label><label>Password <input type="password" name="password"></label>'
        + '<button type="submit">Sign in</button></form>');
    } else {
      ctx.body = page('Consent', `<form method="post" action="/interaction/${escape(details.uid)}">`
        + '<input type="hidden" name="prompt" value="consent">'
        + `<p>${escape(params.client_id)} asks for ${escape(params.scope)}</p>`
        + '<button type="submit">Allow</button></form>');
    }
    return undefined;
  }
  const form = await formBody(ctx.req);
  let result;
  if (prompt.name === 'login') {
    const account = config.accounts[form.login];
    if (!account || account.password !== form.password) {
      ctx.status = 401;
      ctx.type = 'html';
      ctx.body = page('Sign in', '<p>Wrong login or password.</p>');
      return undefined;
    }
    result = { login: { accountId: account.sub } };
  } else {
    const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    grant.addOIDCScope(params.scope);
    result = { consent: { grantId: await grant.save() } };
  }
  return provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
});

provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
