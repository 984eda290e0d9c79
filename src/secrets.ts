/**
 * The secrets registry: every credential arkgraph holds or obtains (client secrets, passwords, tokens, API tokens) is
 * registered here, and every text that leaves the process — error messages, log lines, stored sync runs, API answers
 * — is scrubbed of it, in every encoding a server might echo it back in. The lowest layer, so that the logger scrubs
 * as well as the HTTP client.
 */

/** Tokens obtained while running are kept up to this many (the newest); configured credentials are all kept. */
const MAX_TOKENS = 256;
/** Configured credentials (client secrets, passwords, API tokens) with their encodings, kept for the process's life. */
const credentials = new Map<string, string[]>();
/** Tokens obtained at run time (access tokens, sessions), newest last, with their encodings. */
const tokens = new Map<string, string[]>();

const hex4 = (c: string, upper: boolean) => {
  const h = c.charCodeAt(0).toString(16).padStart(4, '0');
  return `\\u${upper ? h.toUpperCase() : h}`;
};

/**
 * The forms a secret takes on the wire and in echoes: raw, URL-encoded (`encodeURIComponent`, with upper- and
 * lower-case hex), form-encoded (spaces as `+`), JSON-escaped (as JSON.stringify writes it, with `/` as `\/`, with
 * `\uXXXX` for the characters .NET's System.Text.Json escapes by default or for every non-alphanumeric one, and
 * escaped twice, as inside a JSON log line), and base64 / base64url. A token endpoint that echoes the request body in
 * a 400 puts `client_secret=ab%2Bc%2Fd%3De-secret` in the error, not the raw value.
 */
export function encodingsOf(value: string): string[] {
  const uri = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const json = JSON.stringify(value).slice(1, -1);
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  const b64url = Buffer.from(value, 'utf8').toString('base64url');
  const lowerHex = (t: string) => t.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const dotnet = (upper: boolean) => value.replace(/[+&<>'"`\\]|[^\x20-\x7e]/g, (c) => hex4(c, upper));
  const allEscaped = (upper: boolean) => value.replace(/[^A-Za-z0-9]/g, (c) => hex4(c, upper));
  const forms = new Set([
    value,
    uri,
    lowerHex(uri),
    form,
    lowerHex(form),
    json,
    json.replaceAll('/', '\\/'),
    JSON.stringify(json).slice(1, -1),
    dotnet(true),
    dotnet(false),
    allEscaped(true),
    allEscaped(false),
    b64,
    b64.replace(/=+$/, ''),
    b64url,
  ]);
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Registers a value that must never appear in an error message, a log line or a stored run, in every encoding of it
 * (encodingsOf). `credential` (the default): a configured client secret, password or API token, kept for the life
 * of the process, so a server that has run a thousand syncs still scrubs the tokens it was started with; `token`: one
 * obtained at run time, of which the newest MAX_TOKENS are kept. Values shorter than 4 characters are ignored.
 */
export function registerSecret(value: string | undefined, kind: 'credential' | 'token' = 'credential'): void {
  if (!value || value.length < 4) return;
  if (kind === 'credential') {
    if (!credentials.has(value)) credentials.set(value, encodingsOf(value));
    return;
  }
  tokens.delete(value);
  tokens.set(value, encodingsOf(value));
  if (tokens.size > MAX_TOKENS) {
    const oldest = tokens.keys().next().value;
    if (oldest !== undefined) tokens.delete(oldest);
  }
}

const SCHEME_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
const CREDENTIAL_NAMES = '(?:access|refresh|id)_?token|token|client_?secret|password|passwd|secret|api_?key|signature';
/** JSON members that carry credentials (`"client_secret":"…"`): their values are redacted too. */
const CREDENTIAL_MEMBER = new RegExp(`("(?:${CREDENTIAL_NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
/** Query or form parameters that carry credentials: their values are redacted wherever a URL or body is shown. */
const CREDENTIAL_PARAM =
  /([?&;]|\b)((?:access|refresh|id)_?token|token|client_secret|clientsecret|password|passwd|secret|api_?key|signature)=([^&\s"'#]+)/gi;

/**
 * Removes every encoding of the registered secrets, "Bearer <x>" / "Basic <x>" values, JWT-looking strings and the
 * values of credential parameters (`access_token=…`, `client_secret=…`) and JSON members (`"password":"…"`).
 */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const registry of [credentials, tokens]) {
    for (const forms of registry.values()) {
      for (const f of forms) if (out.includes(f)) out = out.split(f).join('***');
    }
  }
  return out
    .replace(SCHEME_TOKEN, '$1 ***')
    .replace(JWT, '***')
    .replace(CREDENTIAL_MEMBER, '$1"***"')
    .replace(CREDENTIAL_PARAM, '$1$2=***');
}
