// edge-auth's own worker, unchanged, with its storage round trips counted (./counting.ts).
// Built by bench/run.mjs with the root wrangler.toml and this file as the entry point, so every
// binding and Durable Object class of edge-auth is the real one.
import worker from '../../src/index';
import { withStorageCounting } from './counting';

export * from '../../src/index';
export default withStorageCounting(worker);
