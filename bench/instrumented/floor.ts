// The floor worker with its storage round trips counted, to show it does what bench/floor/worker.ts says.
import worker from '../floor/worker';
import { withStorageCounting } from './counting';

export * from '../floor/worker';
export default withStorageCounting(worker);
