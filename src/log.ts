/**
 * One JSON line per event, for Workers Logs. Fields are ids and outcomes only: never a secret,
 * code, verifier, password or token.
 */
export function logEvent(event: string, fields: Record<string, string | number | boolean | undefined> = {}): void {
  console.log(JSON.stringify({ event, ...fields }));
}
