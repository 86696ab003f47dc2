/** Talking to the dashboard server: JSON reads, token-carrying writes, the event-stream URL. */
import { TOKEN_HEADER } from '../protocol.js';

/** The write token from the page address (`?token=…`), or null. It stays in the address, so a reload keeps it. */
export const token: string | null = new URLSearchParams(location.search).get('token');

/** A failed request, with the server's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function reply<T>(response: Response): Promise<T> {
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = body !== null && typeof body === 'object' && 'error' in body ? String(body.error) : response.statusText;
    throw new ApiError(response.status, message);
  }
  return body as T;
}

/** GET `path` as JSON. */
export async function getJson<T>(path: string): Promise<T> {
  return reply<T>(await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' }));
}

/** POST `body` to `path` with the token. */
export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (token !== null) headers[TOKEN_HEADER] = token;
  return reply<T>(await fetch(path, { method: 'POST', headers, body: JSON.stringify(body) }));
}

/** `/api/sessions/<sid>` and deeper, with every segment encoded. */
export function sessionPath(sessionId: string, ...rest: string[]): string {
  return ['/api/sessions', sessionId, ...rest].map((s, i) => (i === 0 ? s : encodeURIComponent(s))).join('/');
}
