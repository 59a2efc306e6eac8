// Where a worker's CPU goes, per endpoint: V8's sampling profiler on the worker's isolate (through
// workerd's inspector), over an unminified build whose `// <module path>` markers (esbuild writes
// one before each module) name the source file or package of every sampled line. The inspector
// slows the worker a little: these are shares of time, the CPU figures come from the plain runs.
import { readFile } from 'node:fs/promises';

/** Line ranges of the unminified bundle -> the module they came from (`src/...`, or a package). */
export async function moduleMap(bundlePath) {
  const lines = (await readFile(bundlePath, 'utf8')).split('\n');
  const starts = [];
  const bytes = new Map();
  let current = '(bundler helpers)';
  lines.forEach((line, index) => {
    const marker = /^\/\/ ([\w@.\-/]+\.[cm]?[jt]sx?)$/.exec(line)?.[1];
    if (marker) {
      current = moduleName(marker);
      starts.push({ line: index, module: current });
    }
    bytes.set(current, (bytes.get(current) ?? 0) + line.length + 1);
  });
  return {
    at(lineNumber) {
      let lo = 0;
      let hi = starts.length - 1;
      let found = '(bundler helpers)';
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid].line <= lineNumber) {
          found = starts[mid].module;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      return found;
    },
    /** Unminified bytes per package (src files together), largest first. */
    composition() {
      const byPackage = new Map();
      for (const [module, size] of bytes) {
        const key = module.startsWith('src/') ? 'src (edge-auth)' : module;
        byPackage.set(key, (byPackage.get(key) ?? 0) + size);
      }
      return [...byPackage].sort((a, b) => b[1] - a[1]);
    },
  };
}

/** `src/routes/login.tsx`, or a package with the part that matters: `drizzle-orm/sqlite-core`, `hono/jsx`. */
function moduleName(path) {
  if (!path.startsWith('node_modules/')) return path;
  const parts = path.slice('node_modules/'.length).split('/');
  const pkg = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  const rest = parts.slice(parts[0].startsWith('@') ? 2 : 1).filter((p) => p !== 'dist' && p !== 'webapi' && p !== 'lib');
  if (pkg === 'drizzle-orm') return rest[0]?.endsWith('-core') ? `drizzle-orm/${rest[0]}` : 'drizzle-orm';
  if (pkg === 'hono') return rest[0] === 'jsx' || rest[0] === 'middleware' || rest[0] === 'helper' ? `hono/${rest[0]}` : 'hono';
  return pkg;
}

/** A DevTools protocol session over the inspector's WebSocket. */
export async function inspectorSession(url) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve, { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot open the inspector at ${url}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
    else waiter.resolve(message.result);
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject, method });
        setTimeout(() => {
          if (pending.delete(id)) reject(new Error(`${method}: no answer from the inspector`));
        }, 60_000).unref();
      });
    },
    close: () => socket.close(),
  };
}

/**
 * Self time of a CPU profile by where it was spent: a source module, a native call made from
 * JavaScript (`native deriveBits`), the garbage collector, or `(program)` (the runtime itself:
 * HTTP, RPC, storage, serialisation). Idle time is left out.
 */
export function attribute(profile, modules) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byPlace = new Map();
  const byFunction = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]);
    const us = profile.timeDeltas[i + 1] ?? 0; // each delta is the time until the next sample
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    let place;
    if (functionName === '(program)' || functionName === '(garbage collector)' || functionName === '(root)') place = functionName;
    else if (url === '') place = `native ${functionName || '(anonymous)'}`;
    else if (/\.m?js$/.test(url) && lineNumber >= 0) place = modules.at(lineNumber);
    else place = url;
    total += us;
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    if (place.startsWith('src/') || place.startsWith('bench/')) {
      const key = `${functionName || '(anonymous)'} (${place.replace(/^src\//, '')})`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    }
  }
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }));
  return { totalMs: total / 1000, places: sorted(byPlace), ownFunctions: sorted(byFunction) };
}
