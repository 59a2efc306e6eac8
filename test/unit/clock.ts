/**
 * The unit project's frozen clock: the state machines take `now` explicitly, and every test passes
 * an instant derived from T0; setup.ts also freezes `Date` at T0, so nothing reads real time.
 */
export const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
