import { sign as createSignature, verify as verifySignature, type KeyObject } from 'node:crypto'

/**
 * Synchronous verification of a compact JWS (a JWT) with node:crypto, for the one case the
 * request path cannot afford jose for: a token not yet in the verified-token cache. jose 6
 * verifies through WebCrypto, which is asynchronous and, for Ed25519, measured about a
 * third slower per token than `crypto.verify` (docs/performance.md). The signature check is
 * OpenSSL's; what is here is the JWS envelope (RFC 7515 §5.2) and the JWT claim rules,
 * held to jose's behaviour by `test/unit/jws.test.ts`, which runs both on the same tokens.
 */

export type JwsAlgorithm = 'EdDSA' | 'ES256' | 'RS256'

export interface JwsHeader {
  alg: string
  kid?: string
  typ?: string
  [name: string]: unknown
}

/** Why a token was refused, for the caller's own error (and Flask-JWT-Extended's texts). */
export type JwsRefusal = 'malformed' | 'alg_not_allowed' | 'signature' | 'claim' | 'expired'

export class JwsError extends Error {
  constructor(
    message: string,
    readonly reason: JwsRefusal,
    /** The claim that failed, for `claim`. */
    readonly claim?: string,
  ) {
    super(message)
    this.name = 'JwsError'
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/

/** What node:crypto needs for each algorithm, and which keys may carry it. */
const ALGORITHMS: Record<
  JwsAlgorithm,
  { digest: string | null; dsaEncoding?: 'ieee-p1363'; fits: (key: KeyObject) => boolean }
> = {
  EdDSA: { digest: null, fits: (key) => key.asymmetricKeyType === 'ed25519' },
  ES256: {
    digest: 'sha256',
    dsaEncoding: 'ieee-p1363',
    fits: (key) =>
      key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1',
  },
  RS256: {
    digest: 'sha256',
    fits: (key) =>
      key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048,
  },
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  if (!BASE64URL.test(part) || part.length % 4 === 1)
    throw new JwsError(`${what} is not base64url`, 'malformed')
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    throw new JwsError(`${what} is not JSON`, 'malformed')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwsError(`${what} is not a JSON object`, 'malformed')
  }
  return value as Record<string, unknown>
}

/** The parts of a compact JWS, its header decoded and checked; nothing verified yet. */
export function parseCompactJws(
  token: string,
  algorithms: readonly string[],
): { header: JwsHeader; signingInput: string; payloadPart: string; signature: Buffer } {
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  if (first < 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
    throw new JwsError('not a compact JWS', 'malformed')
  }
  const header = decodeJson(token.slice(0, first), 'header')
  const alg = header['alg']
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw new JwsError('alg not allowed', 'alg_not_allowed')
  }
  // No extension is understood, so none may be critical (RFC 7515 §4.1.11).
  if ('crit' in header) throw new JwsError('unsupported critical header', 'malformed')
  const kid = header['kid']
  if (kid !== undefined && typeof kid !== 'string')
    throw new JwsError('kid is not a string', 'malformed')
  const signaturePart = token.slice(second + 1)
  if (!BASE64URL.test(signaturePart)) throw new JwsError('signature is not base64url', 'malformed')
  return {
    header: header as JwsHeader,
    signingInput: token.slice(0, second),
    payloadPart: token.slice(first + 1, second),
    signature: Buffer.from(signaturePart, 'base64url'),
  }
}

/** Checks the signature with `key`; returns the payload, unchecked claims. */
export function verifyParsedJws(
  parsed: ReturnType<typeof parseCompactJws>,
  key: KeyObject,
): Record<string, unknown> {
  const spec = ALGORITHMS[parsed.header.alg as JwsAlgorithm]
  if (spec === undefined || !spec.fits(key)) throw new JwsError('key does not fit alg', 'signature')
  const valid = verifySignature(
    spec.digest,
    Buffer.from(parsed.signingInput),
    spec.dsaEncoding ? { key, dsaEncoding: spec.dsaEncoding } : key,
    parsed.signature,
  )
  if (!valid) throw new JwsError('signature verification failed', 'signature')
  return decodeJson(parsed.payloadPart, 'payload')
}

export interface ClaimRules {
  issuer: string
  audience: string
  /** RFC 9068 `typ`; compared like jose: case-insensitive, `application/` optional. */
  typ: string
  /** Seconds of clock skew accepted on exp and nbf. */
  leeway: number
  /** Epoch seconds. */
  now: number
  required: readonly string[]
}

function normalizeTyp(value: string): string {
  const lower = value.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

/** RFC 7519 §4.1 checks, as jose's jwtVerify applies them. */
export function checkClaims(
  header: JwsHeader,
  payload: Record<string, unknown>,
  rules: ClaimRules,
): void {
  if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp(rules.typ)) {
    throw new JwsError('unexpected typ', 'claim', 'typ')
  }
  for (const claim of rules.required) {
    if (!(claim in payload)) throw new JwsError(`missing ${claim}`, 'claim', claim)
  }
  if (payload['iss'] !== rules.issuer) throw new JwsError('unexpected iss', 'claim', 'iss')
  const aud = payload['aud']
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
  if (!audiences.includes(rules.audience)) throw new JwsError('unexpected aud', 'claim', 'aud')
  for (const claim of ['iat', 'nbf', 'exp']) {
    const value = payload[claim]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      throw new JwsError(`${claim} is not a number`, 'claim', claim)
    }
  }
  const nbf = payload['nbf'] as number | undefined
  if (nbf !== undefined && nbf > rules.now + rules.leeway)
    throw new JwsError('not yet valid', 'claim', 'nbf')
  const exp = payload['exp'] as number | undefined
  if (exp !== undefined && exp <= rules.now - rules.leeway)
    throw new JwsError('expired', 'expired', 'exp')
}

/**
 * A compact JWS of `payload` (RFC 7515 §7.1), signed synchronously with node:crypto: the
 * header as given, then the payload, each JSON in base64url. Byte for byte what jose's
 * `SignJWT` makes for the same header and claims (EdDSA and RS256 signatures are
 * deterministic), 2.4× as fast for EdDSA and 1.3× for RS256: jose signs through WebCrypto, a promise per
 * token (decision 0011; `test/unit/jws.test.ts` holds it to jose).
 * @throws JwsError when the key does not fit the algorithm
 */
export function signCompactJws(
  header: { alg: JwsAlgorithm; typ?: string; kid?: string },
  payload: Record<string, unknown>,
  key: KeyObject,
): string {
  const spec = ALGORITHMS[header.alg]
  if (spec === undefined || !spec.fits(key)) {
    throw new JwsError('key does not fit alg', 'signature')
  }
  const signingInput = `${base64url(header)}.${base64url(payload)}`
  const signature = createSignature(
    spec.digest,
    Buffer.from(signingInput),
    spec.dsaEncoding ? { key, dsaEncoding: spec.dsaEncoding } : key,
  )
  return `${signingInput}.${signature.toString('base64url')}`
}

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
