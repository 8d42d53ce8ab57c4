/**
 * Texts the functions put where people and other services read them — error messages, state
 * output, records, events, logs — are kept short ({@link boundText}) and free of credentials
 * ({@link redactSecrets}). Visual Layer's own words may echo whatever it was sent, and may be of any
 * length: Step Functions refuses state over 256 KB, DynamoDB items over 400 KB.
 */

/** The most UTF-8 bytes one text may carry into state, a record, an event or a log line. */
export const MAX_TEXT = 4096;

/** What a removed credential is replaced with. */
export const REDACTED = '[redacted]';

/**
 * The text as it is when it fits in `maxBytes` UTF-8 bytes; otherwise its beginning, cut between
 * whole characters (half a surrogate pair is not valid UTF-8 for DynamoDB or JSON readers), followed
 * by a note that says it was cut and how long it was, `maxBytes` bytes at most in all.
 */
export function boundText(text: string, maxBytes = MAX_TEXT): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const long = ` … [cut: ${text.length} characters in all]`;
  // A tiny bound keeps only a short mark: the note must fit too.
  const note = Buffer.byteLength(long) * 2 <= maxBytes ? long : ' …';
  const room = Math.max(0, maxBytes - Buffer.byteLength(note));
  let used = 0;
  let kept = '';
  for (const character of text) {
    used += Buffer.byteLength(character);
    if (used > room) break;
    kept += character;
  }
  return `${kept}${note}`;
}

const knownSecrets = new Set<string>();

/**
 * Remembers a credential this function holds (the API secret, a ready-made token), so that
 * {@link redactSecrets} removes it from any text, whatever surrounds it. Short values are ignored:
 * they would redact ordinary words.
 */
export function rememberSecret(value: string): void {
  if (value.length >= 8) knownSecrets.add(value);
}

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT_LIKE = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g;
// `apiSecret: x`, `"api_secret":"x"`, `password=x`, `token=x`: a key that names a credential, then its
// value. The key must start a word (an ARN's `:secret:` is not a key) and `<placeholders>` stay.
const SECRET_FIELD =
  /(?<=^|[\s"'{,;&?(])((?:[\w-]*secret|[\w-]*token|password|passwd|authorization|jwt)["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|<|\[redacted\])[^\s"',;&<)}]+/gi;

/**
 * The text without credentials: bearer and basic tokens, anything shaped like a JWT, values of
 * fields named like a secret, token or password, and every value given to {@link rememberSecret}.
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of knownSecrets) out = out.split(secret).join(REDACTED);
  return out
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT_LIKE, REDACTED)
    .replace(SECRET_FIELD, `$1${REDACTED}`);
}

/** {@link redactSecrets}, then {@link boundText}: for any text that came from outside. */
export function cleanText(text: string, max = MAX_TEXT): string {
  return boundText(redactSecrets(text), max);
}
