/**
 * The secrets registry: every credential arkgraph holds or obtains (client secrets, passwords, tokens, API tokens) is
 * registered here, and every text that leaves the process — error messages, log lines, stored sync runs, API answers
 * — is scrubbed of it, in every encoding a server might echo it back in. The lowest layer, so that the logger scrubs
 * as well as the HTTP client.
 */

const MAX_SECRETS = 256;
/** Each registered secret with every encoding of it that a server may echo back, longest first. */
const secrets = new Map<string, string[]>();

/**
 * The forms a secret takes on the wire and in echoes: raw, URL-encoded (`encodeURIComponent`, with upper- and
 * lower-case hex), form-encoded (spaces as `+`), JSON-escaped, and base64 / base64url. A token endpoint that echoes
 * the request body in a 400 puts `client_secret=ab%2Bc%2Fd%3De-secret` in the error, not the raw value.
 */
export function encodingsOf(value: string): string[] {
  const uri = encodeURIComponent(value);
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const json = JSON.stringify(value).slice(1, -1);
  const b64 = Buffer.from(value, 'utf8').toString('base64');
  const b64url = Buffer.from(value, 'utf8').toString('base64url');
  const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  const forms = new Set([value, uri, lowerHex(uri), form, lowerHex(form), json, b64, b64.replace(/=+$/, ''), b64url]);
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Registers a value that must never appear in an error message, a log line or a stored run (a client secret, a
 * password, a token), in every encoding of it (encodingsOf). Auth providers call this for their credentials and for
 * every token they obtain. Values shorter than 4 characters are ignored.
 */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < 4) return;
  secrets.delete(value);
  secrets.set(value, encodingsOf(value));
  if (secrets.size > MAX_SECRETS) {
    const oldest = secrets.keys().next().value;
    if (oldest !== undefined) secrets.delete(oldest);
  }
}

const SCHEME_TOKEN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
/** Query or form parameters that carry credentials: their values are redacted wherever a URL or body is shown. */
const CREDENTIAL_PARAM =
  /([?&;]|\b)((?:access|refresh|id)_?token|token|client_secret|clientsecret|password|passwd|secret|api_?key|signature)=([^&\s"'#]+)/gi;

/**
 * Removes every encoding of the registered secrets, "Bearer <x>" / "Basic <x>" values, JWT-looking strings and the
 * values of credential parameters (`access_token=…`, `client_secret=…`) from a text.
 */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const forms of secrets.values()) {
    for (const f of forms) if (out.includes(f)) out = out.split(f).join('***');
  }
  return out.replace(SCHEME_TOKEN, '$1 ***').replace(JWT, '***').replace(CREDENTIAL_PARAM, '$1$2=***');
}

/** A URL for a log line: the values of credential parameters in its query redacted (and registered secrets). */
export function redactUrl(url: string): string {
  return scrubSecrets(url);
}
