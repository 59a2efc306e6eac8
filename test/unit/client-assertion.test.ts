import { describe, expect, it } from 'vitest';
import { assertionProblem } from '../../src/oauth/client-assertion';

const NOW = 1_800_000_000;
const AUDIENCES = ['https://auth.example.com', 'https://auth.example.com/oauth/token'];
const good = { iss: 'c1', sub: 'c1', aud: 'https://auth.example.com/oauth/token', exp: NOW + 60, jti: 'j1' };

describe('client assertion claims (RFC 7523 section 3)', () => {
  it('accepts the issuer or an endpoint as aud, alone or in a list', () => {
    expect(assertionProblem(good, 'c1', AUDIENCES, NOW)).toBeUndefined();
    expect(assertionProblem({ ...good, aud: ['https://x.example', 'https://auth.example.com'] }, 'c1', AUDIENCES, NOW)).toBeUndefined();
    expect(assertionProblem({ ...good, exp: NOW + 300 }, 'c1', AUDIENCES, NOW)).toBeUndefined();
  });

  it.each([
    ['iss of another client', { ...good, iss: 'c2' }, /iss and sub/],
    ['sub of another client', { ...good, sub: 'c2' }, /iss and sub/],
    ['another aud', { ...good, aud: 'https://auth.example.com/other' }, /aud/],
    ['no aud', { ...good, aud: undefined }, /aud/],
    ['no exp', { ...good, exp: undefined }, /exp is required/],
    ['exp too far ahead', { ...good, exp: NOW + 301 }, /300 seconds/],
    ['no jti', { ...good, jti: undefined }, /jti/],
    ['an empty jti', { ...good, jti: '' }, /jti/],
    ['an oversized jti', { ...good, jti: 'j'.repeat(257) }, /jti/],
  ])('refuses %s', (_name, claims, reason) => {
    expect(assertionProblem(claims, 'c1', AUDIENCES, NOW)).toMatch(reason);
  });
});
