import type { IncomingMessage, ServerResponse } from 'node:http';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on POST.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

/** Every answer of the admin page carries the security headers. */
export function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    ...SECURITY_HEADERS,
    ...headers,
  });
  res.end(body);
}

export const redirect = (res: ServerResponse, to: string, headers: Record<string, string> = {}) =>
  send(res, 303, '', { location: to, ...headers });

/** What an unauthenticated or forged request gets: nothing. */
export const forbidden = (res: ServerResponse) =>
  send(res, 403, 'forbidden\n', { 'content-type': 'text/plain' });

/** An urlencoded form body of at most 8 KiB. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 8192) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}
