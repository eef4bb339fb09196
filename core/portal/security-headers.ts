/**
 * The portal's security headers, in one place for both origins: `reversa serve` sends them with every
 * response (local/serve.ts) and CloudFront's response-headers policy sets them in AWS
 * (infra/constructs/portal-site.ts). Nothing may load from another origin (no CDN fonts or scripts), so
 * every directive is 'self'; the one exception is in AWS, where the web app exchanges its authorization
 * code at the Cognito domain's token endpoint (a fetch, so `connect-src` must name that origin).
 */

export interface SecurityHeaderOptions {
  /** Origins the app may fetch from besides its own (the Cognito domain in AWS). @default none */
  readonly connectSources?: readonly string[];
}

/** The Content-Security-Policy: the app's own scripts and styles only, no framing, no inline code. */
export function contentSecurityPolicy(options: SecurityHeaderOptions = {}): string {
  const connect = ["'self'", ...(options.connectSources ?? [])].join(' ');
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** HSTS for a year, subdomains included (CloudFront and `reversa serve` say the same). */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** Every header by its lower-case name, as node:http sends them. */
export function securityHeaders(options: SecurityHeaderOptions = {}): Readonly<Record<string, string>> {
  return {
    'content-security-policy': contentSecurityPolicy(options),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

/** The headers `reversa serve` sends: no other origin at all. */
export const SECURITY_HEADERS = securityHeaders();
