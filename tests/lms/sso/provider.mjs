// A real OpenID Connect provider (oidc-provider, OpenID Certified) for Safer Learning's
// single sign-on tests. It runs on 127.0.0.1 only, keeps everything in memory, and can be
// told to misbehave ("quirks") so the tests can prove the app refuses bad ID tokens.
//
//   node tests/lms/sso/provider.mjs <config.json>     (or OIDC_PROVIDER_CONFIG=<config.json>)
//
// It prints one line "READY <issuer>" on stdout once it is listening.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const SCOPE_CLAIMS = {
  email: ['email', 'email_verified'],
  profile: ['name', 'given_name', 'family_name'],
};
const PROFILE_FIELDS = ['sub', 'email', 'email_verified', 'name', 'given_name', 'family_name', 'tid'];

/** Read the config file named on the command line, so the Python fixture owns the setup. */
function readConfig() {
  const path = process.argv[2] || process.env.OIDC_PROVIDER_CONFIG;
  if (!path) throw new Error('usage: node provider.mjs <config.json> (or set OIDC_PROVIDER_CONFIG)');
  const config = JSON.parse(readFileSync(path, 'utf8'));
  config.quirks ||= {};
  config.users ||= [];
  config.clients ||= [];
  return config;
}

/** Run this process's clock behind (or ahead of) the real one, so tokens carry skewed times. */
function skewClock(seconds) {
  if (!seconds) return;
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + seconds * 1000;
}

/** Escape text for HTML, since logins and error messages are echoed back into pages. */
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A plain page with no scripts and no outside fonts, so an offline browser loads it at once. */
function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>`
    + `</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

/** A fresh RS256 signing key each run: tests never depend on a fixed key. */
function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

/** Each user's claims: profile fields plus any extra claims the test asked for. */
function userClaims(user, quirks) {
  const claims = {};
  for (const field of PROFILE_FIELDS) {
    if (user[field] !== undefined) claims[field] = user[field];
  }
  const extra = quirks.extra_claims || {};
  return { ...claims, ...user.extra_claims, ...extra[user.sub], ...extra[user.email] };
}

/** Claim names outside email/profile ride on the openid scope, so they reach the ID token. */
function openidClaims(config) {
  const names = new Set(['sub']);
  const scoped = new Set(Object.values(SCOPE_CLAIMS).flat());
  for (const user of config.users) {
    for (const name of Object.keys(userClaims(user, config.quirks))) {
      if (!scoped.has(name)) names.add(name);
    }
  }
  return [...names];
}

/** Find a user by sub or by email, which is what people type on the sign-in form. */
function findUser(users, login) {
  const wanted = String(login || '').trim().toLowerCase();
  return users.find((u) => u.sub.toLowerCase() === wanted || (u.email || '').toLowerCase() === wanted);
}

/** Client registrations in oidc-provider's shape, defaulting to a confidential web client. */
function clientMetadata(client) {
  return {
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris || [],
    token_endpoint_auth_method: client.token_endpoint_auth_method || 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
}

/** TTLs long enough that a skewed clock does not make cookies expire in the browser. */
function ttls(skewSeconds) {
  const margin = Math.abs(skewSeconds || 0);
  return {
    Interaction: 3600 + margin,
    Session: 14 * 24 * 3600 + margin,
    Grant: 14 * 24 * 3600 + margin,
    IdToken: 3600,
    AccessToken: 3600,
    AuthorizationCode: 60,
  };
}

/** Sign-out pages without outside fonts: Playwright clicks "Yes, sign me out" (name=logout). */
const logoutPages = {
  enabled: true,
  async logoutSource(ctx, form) {
    ctx.body = page('Sign out', `${form}<p>Do you want to sign out of the test provider?</p>`
      + '<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>'
      + '<button type="submit" form="op.logoutForm">No, stay signed in</button>');
  },
  async postLogoutSuccessSource(ctx) {
    ctx.body = page('Signed out', '<p>You have signed out of the test provider.</p>');
  },
};

/** Error page that names the error, so a failing test's screenshot says what went wrong. */
async function renderError(ctx, out) {
  ctx.type = 'html';
  const rows = Object.entries(out).map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</p>`);
  ctx.body = page('Provider error', rows.join(''));
}

/** The whole oidc-provider configuration for one test run. */
function providerConfiguration(config) {
  return {
    clients: config.clients.map(clientMetadata),
    jwks: { keys: [signingKey()] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: openidClaims(config), ...SCOPE_CLAIMS },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: ttls(config.quirks.clock_skew_seconds),
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: logoutPages },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError,
    async findAccount(ctx, sub) {
      const user = config.users.find((u) => u.sub === sub);
      if (!user) return undefined;
      return { accountId: user.sub, claims: async () => userClaims(user, config.quirks) };
    },
  };
}

/** Make every ID token name another client as its audience (the wrong_audience quirk). */
function sendIdTokensElsewhere(provider, audience) {
  const { prototype } = provider.IdToken;
  const issue = prototype.issue;
  prototype.issue = function issueForAnotherAudience(options = {}) {
    if (options.use === 'idtoken') this.client = withClientId(this.client, audience);
    return issue.call(this, options);
  };
}

/** The same client, seen through a proxy that reports a different client_id. */
function withClientId(client, clientId) {
  return new Proxy(client, {
    get(target, key) {
      if (key === 'clientId') return clientId;
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// Sign-in and consent pages. Plain HTML forms, no scripts, so Playwright can drive them:
//   sign-in:  input[name=login] (sub or email), input[name=password], button "Sign in", button "Cancel"
//   consent:  button "Continue", button "Cancel" (Cancel sends the app error=access_denied)

/** Read a urlencoded form body; the pages only ever post small forms. */
async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Send a whole HTML page with the given status. */
function sendPage(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

/** A one-button form, used for Continue and Cancel so neither needs JavaScript. */
function buttonForm(action, label) {
  return `<form method="post" action="${escapeHtml(action)}"><button type="submit">${escapeHtml(label)}</button></form>`;
}

/** The sign-in page, with an error line when the last attempt failed. */
function loginPage(uid, { login = '', error = '' } = {}) {
  const base = `/interaction/${uid}`;
  const problem = error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : '';
  return page('Sign in to the test provider', `${problem}`
    + `<form method="post" action="${base}/login" autocomplete="off">`
    + '<label for="login">Email address or user ID</label> '
    + `<input id="login" name="login" type="text" value="${escapeHtml(login)}"> `
    + '<label for="password">Password</label> <input id="password" name="password" type="password"> '
    + '<button type="submit">Sign in</button></form>'
    + buttonForm(`${base}/abort`, 'Cancel'));
}

/** The consent page: what the client asks for, then Continue or Cancel. */
function consentPage(uid, details, clientId) {
  const base = `/interaction/${uid}`;
  const scopes = (details.missingOIDCScope || []).map((s) => `<li>${escapeHtml(s)}</li>`).join('');
  return page('Allow access', `<p>${escapeHtml(clientId)} asks for:</p><ul>${scopes}</ul>`
    + buttonForm(`${base}/confirm`, 'Continue') + buttonForm(`${base}/abort`, 'Cancel'));
}

/** Check the typed login and password against the config; returns the user or undefined. */
function authenticate(users, form) {
  const user = findUser(users, form.get('login'));
  if (!user || user.password === undefined || form.get('password') !== user.password) return undefined;
  return user;
}

/** Record the consent the way oidc-provider expects: a Grant holding what was asked for. */
async function grantRequested(provider, interaction) {
  const { prompt: { details }, grantId, session, params } = interaction;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [indicator, scope] of Object.entries(details.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scope.join(' '));
  }
  return grant.save();
}

/** Show the page for the prompt oidc-provider is waiting on. */
function showPrompt(res, interaction) {
  const { uid, prompt, params } = interaction;
  if (prompt.name === 'login') return sendPage(res, 200, loginPage(uid, { login: params.login_hint }));
  if (prompt.name === 'consent') return sendPage(res, 200, consentPage(uid, prompt.details, params.client_id));
  return sendPage(res, 501, page('Not supported', `<p>prompt ${escapeHtml(prompt.name)}</p>`));
}

/** One step of an interaction: show, sign in, consent or cancel. */
async function interactionStep(provider, config, req, res, action) {
  const interaction = await provider.interactionDetails(req, res);
  const finish = (result, merge) => provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
  if (action === 'abort') {
    return finish({ error: 'access_denied', error_description: 'End-User aborted interaction' }, false);
  }
  if (req.method !== 'POST') return showPrompt(res, interaction);
  if (action === 'login' && interaction.prompt.name === 'login') {
    const form = await readForm(req);
    const user = authenticate(config.users, form);
    if (user) return finish({ login: { accountId: user.sub } }, false);
    const error = 'Enter a correct email address (or user ID) and password';
    return sendPage(res, 200, loginPage(interaction.uid, { login: form.get('login') || '', error }));
  }
  if (action === 'confirm' && interaction.prompt.name === 'consent') {
    return finish({ consent: { grantId: await grantRequested(provider, interaction) } }, true);
  }
  return sendPage(res, 400, page('Unexpected step', `<p>${escapeHtml(action)} during ${escapeHtml(interaction.prompt.name)}</p>`));
}

/** Route /interaction/<uid>[/login|/confirm|/abort] to the pages above, the rest to the provider. */
function interactionRouter(provider, config, providerHandler) {
  return async (req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    const match = /^\/interaction\/[\w-]+(?:\/(login|confirm|abort))?$/.exec(pathname);
    if (!match) return providerHandler(req, res);
    try {
      return await interactionStep(provider, config, req, res, match[1]);
    } catch (error) {
      return sendPage(res, 400, page('Sign-in failed', `<p>${escapeHtml(error.message)}</p>`));
    }
  };
}

/** Start listening first (port 0 means "any free port"), then build the provider for that issuer. */
async function main() {
  const config = readConfig();
  skewClock(config.quirks.clock_skew_seconds);
  let handle = (req, res) => { res.statusCode = 503; res.end(); };
  const server = http.createServer((req, res) => handle(req, res));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port || 0, '127.0.0.1', resolve);
  });
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, providerConfiguration(config));
  if (config.quirks.wrong_audience) {
    const audience = config.quirks.wrong_audience === true ? 'some-other-client' : config.quirks.wrong_audience;
    sendIdTokensElsewhere(provider, audience);
  }
  for (const client of config.clients) await provider.Client.find(client.client_id);
  handle = interactionRouter(provider, config, provider.callback());
  process.stdout.write(`READY ${issuer}\n`);
  for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
  // The fixture holds our stdin open; when it closes (the test run died) this process goes too.
  process.stdin.on('end', () => process.exit(0)).resume();
}

main().catch((error) => {
  const detail = error.error_description ? ` (${error.error_description})` : '';
  process.stderr.write(`oidc test provider failed to start${detail}: ${error.stack || error}\n`);
  process.exit(1);
});
