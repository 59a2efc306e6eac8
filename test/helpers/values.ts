/** Values made up by tests: fresh ones that never collide, and tampered ones. Plain: importable from every project. */

/** A short random suffix, so tests never collide on names, emails or identifiers. */
export const unique = () => crypto.randomUUID().slice(0, 8);

/** A distinct client address per login, so no login throttle counter is shared between tests. */
export const freshIp = () => `10.${[1, 2, 3].map(() => Math.floor(Math.random() * 254) + 1).join('.')}`;

/** Changes one character in the middle of a string, keeping it well-formed. */
export function flipAt(value: string, index: number): string {
  return `${value.slice(0, index)}${value[index] === 'A' ? 'B' : 'A'}${value.slice(index + 1)}`;
}
