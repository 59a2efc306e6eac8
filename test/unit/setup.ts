import { afterEach, beforeEach, vi } from 'vitest';
import { T0 } from './clock';

// Only `Date` is faked: the pure modules never schedule timers, and real ones keep Vitest's own timeouts working.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
});

afterEach(() => {
  vi.useRealTimers();
});
