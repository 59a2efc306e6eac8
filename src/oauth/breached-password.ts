/**
 * The k-anonymity range query of Have I Been Pwned's Pwned Passwords: only the first five hex
 * digits of the password's SHA-1 leave the worker; the service answers every suffix it knows
 * under that prefix (padded with zero counts, `Add-Padding`), and the match is made here.
 */
export async function rangeQuery(password: string): Promise<{ prefix: string; suffix: string }> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(password)));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('').toUpperCase();
  return { prefix: hex.slice(0, 5), suffix: hex.slice(5) };
}

/** How often the range answer says the suffix was seen in breaches (0: never, or a padding line). */
export function breachCount(rangeBody: string, suffix: string): number {
  for (const line of rangeBody.split('\n')) {
    const [candidate, count] = line.trim().split(':');
    if (candidate?.toUpperCase() === suffix) return Number.parseInt(count ?? '0', 10) || 0;
  }
  return 0;
}
