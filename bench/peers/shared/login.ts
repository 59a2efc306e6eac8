/**
 * What the two peer workers share with the floor (bench/floor/worker.ts): the bench's users and
 * the password check. The same in-memory directory (the demo user and `bench-user-<i>@example.com`)
 * and the same PBKDF2-SHA256 verification of the same stored hash (USER_PASSWORD_HASH, set by
 * bench/run.mjs to the seeded demo user's), so every server pays the same hash on POST /login.
 * Written out as the floor does it rather than imported, so the floor's bundle stays its own.
 */

export interface UserEnv {
  USER_EMAIL: string;
  /** `pbkdf2-sha256$<iterations>$<salt>$<hash>`, edge-auth's format and cost. */
  USER_PASSWORD_HASH: string;
  BENCH_USERS: string;
}

export const CLIENT_ID = 'demo-app';
export const REDIRECT_URI = 'com.example.demo:/callback';
export const SCOPES = ['openid', 'read:items', 'write:items'];
const BENCH_USER = /^bench-user-(\d{1,6})@example\.com$/;

const encoder = new TextEncoder();

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The PBKDF2 check every server of the bench runs: the floor's too. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split('$');
  if (scheme !== 'pbkdf2-sha256' || !iterations || !salt || !hash) throw new Error('bad USER_PASSWORD_HASH');
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: fromBase64url(salt), iterations: Number(iterations) }, key, 256);
  const expected = fromBase64url(hash);
  return expected.byteLength === 32 && crypto.subtle.timingSafeEqual(new Uint8Array(bits), expected);
}

/** The in-memory user directory: the demo user and the bench users, all with the same password hash. */
export function findUser(email: string, env: UserEnv): string | undefined {
  if (email === env.USER_EMAIL) return 'user_demo';
  const index = BENCH_USER.exec(email)?.[1];
  return index !== undefined && Number(index) < Number(env.BENCH_USERS) ? `bench_user_${index}` : undefined;
}

/** The user id for a correct email and password, else undefined; the hash runs whether or not the account exists. */
export async function checkLogin(form: URLSearchParams | FormData, env: UserEnv): Promise<string | undefined> {
  const userId = findUser(String(form.get('email') ?? '').trim().toLowerCase(), env);
  const valid = await verifyPassword(String(form.get('password') ?? ''), env.USER_PASSWORD_HASH);
  return valid && userId ? userId : undefined;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The same minimal form as the floor's; `hidden` fields are the server's own (a request handle, or none). */
export function loginPage(action: string, hidden: Record<string, string>, status = 200, headers?: HeadersInit): Response {
  const fields = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const body =
    `<!doctype html><title>Sign in</title><form method="post" action="${escapeHtml(action)}">${fields}` +
    '<label>Email <input name="email" type="email" required></label>' +
    '<label>Password <input name="password" type="password" required></label><button>Continue</button></form>';
  const out = new Headers(headers);
  out.set('Content-Type', 'text/html; charset=utf-8');
  out.set('Cache-Control', 'no-store');
  if (!out.has('Content-Security-Policy')) out.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  return new Response(body, { status, headers: out });
}

export const textPage = (status: number, text: string) =>
  new Response(text, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
