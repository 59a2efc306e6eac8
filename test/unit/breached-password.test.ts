import { describe, expect, it } from 'vitest';
import { breachCount, rangeQuery } from '../../src/oauth/breached-password';

describe('the Pwned Passwords range query (k-anonymity)', () => {
  it('sends only the first five hex digits of the SHA-1, upper case, and keeps the rest', async () => {
    // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
    expect(await rangeQuery('password')).toEqual({ prefix: '5BAA6', suffix: '1E4C9B93F3F0682250B6CF8331B7EE68FD8' });
  });

  it('finds the suffix in the answer, and counts a padding line (count 0) or a missing suffix as never seen', () => {
    const body = '0018A45C4D1DEF81644B54AB7F969B88D65:3\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD9:0\r\n';
    expect(breachCount(body, '1E4C9B93F3F0682250B6CF8331B7EE68FD8')).toBe(10_434_004);
    expect(breachCount(body, '1E4C9B93F3F0682250B6CF8331B7EE68FD9')).toBe(0);
    expect(breachCount(body, 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF')).toBe(0);
    expect(breachCount('', 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF')).toBe(0);
  });
});
