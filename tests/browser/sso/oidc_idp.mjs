// A real OpenID Connect provider (npm `oidc-provider`) for the single sign-on tests, in its own process.
//
//   node tests/browser/sso/oidc_idp.mjs CONFIG.json
//
// CONFIG.json: {"port": 8102, "clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//               "accounts": "ACCOUNTS.json"}
// ACCOUNTS.json (read again at every log-in, so a test may add people while the provider runs):
//   {"<account id>": {"email", "email_verified": true, "given_name", "surname", "mfa": false,
//                     "id_token": {"aud": "someone-else"}}}   <- optional: claims a hostile provider puts
//                                                               in the ID token, signed with its own key
// The log-in page lists the accounts as buttons: the tester picks who signs in. With "mfa" the provider
// asserts amr ["pwd", "mfa"] (and acr "mfa"), otherwise amr ["pwd"]. Consent is granted without a prompt.
// Prints "ready <issuer>" on standard output once it listens.

import { createPrivateKey, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = () => JSON.parse(readFileSync(config.accounts, "utf8"));

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingJwk = { ...privateKey.export({ format: "jwk" }), kid: "test-idp", use: "sig", alg: "RS256" };
const signingKey = createPrivateKey({ key: signingJwk, format: "jwk" });

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
    ...client,
  })),
  jwks: { keys: [signingJwk] },
  cookies: { keys: [randomBytes(16).toString("hex")] },
  claims: {
    acr: null,
    amr: null,
    auth_time: null,
    iss: null,
    sid: null,
    // amr and acr ride with the openid scope, so every ID token carries them (as Entra ID's do)
    openid: ["sub", "acr", "amr", "auth_time"],
    email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name"],
  },
  scopes: ["openid", "email", "profile"],
  acrValues: ["pwd", "mfa"],
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => false },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The tests' client is first-party: grant what it asks for without a consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId, grant.jti);
    return grant;
  },
  async findAccount(ctx, id) {
    const account = accounts()[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const name = account.name ?? [account.given_name, account.surname].filter(Boolean).join(" ");
        return {
          sub: id,
          email: account.email,
          email_verified: account.email_verified !== false,
          name,
          given_name: account.given_name,
          family_name: account.surname,
        };
      },
    };
  },
});

const b64url = (value) => Buffer.from(value).toString("base64url");

// A hostile account's ID token: the provider's own token with the account's "id_token" claims laid over
// it, signed again with the provider's key (so only those claims are wrong).
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== "/token" || !ctx.body || typeof ctx.body.id_token !== "string") return;
  const [header, payload] = ctx.body.id_token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  const overrides = accounts()[claims.sub]?.id_token;
  if (!overrides) return;
  const signed = `${header}.${b64url(JSON.stringify({ ...claims, ...overrides }))}`;
  const signature = sign("sha256", Buffer.from(signed), signingKey).toString("base64url");
  ctx.body = { ...ctx.body, id_token: `${signed}.${signature}` };
});

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function page(res, status, title, body) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, "Unknown interaction", "");
  if (req.method === "POST") {
    const form = await readForm(req);
    const accountId = form.get("account");
    const account = accounts()[accountId];
    if (!account) return page(res, 400, "No such account", "");
    const mfa = Boolean(account.mfa);
    const result = { login: { accountId, amr: mfa ? ["pwd", "mfa"] : ["pwd"], acr: mfa ? "mfa" : "pwd" } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  const buttons = Object.entries(accounts())
    .map(
      ([id, account]) =>
        `<li><button type="submit" name="account" value="${escape(id)}">Sign in as ${escape(account.email)}` +
        `${account.mfa ? " (with MFA)" : ""}</button></li>`,
    )
    .join("");
  return page(res, 200, "Test identity provider: sign in", `<form method="post"><ul>${buttons}</ul></form>`);
}

const callback = provider.callback();
createServer(async (req, res) => {
  const match = /^\/interaction\/([^/?]+)/.exec(req.url);
  if (!match) return callback(req, res);
  try {
    await interaction(req, res, match[1]);
  } catch (error) {
    page(res, 400, "Interaction failed", `<p>${escape(error.message)}</p>`);
  }
}).listen(config.port, "127.0.0.1", () => console.log(`ready ${issuer}`));
