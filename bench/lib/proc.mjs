// CPU time and memory of a server's process tree, from /proc (Linux only). CPU is what the
// kernel charged the processes, not wall time: the scheduler's per-thread runtime
// (/proc/<pid>/task/<tid>/sched, nanoseconds) where the kernel exposes it, else utime + stime
// (plus reaped children) from /proc/<pid>/stat in clock ticks (10 ms).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ): the unit of /proc/<pid>/stat times. */
export const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();
const MS_PER_TICK = 1000 / TICKS_PER_SECOND;

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process has gone
  }
}

/** `{ ppid, cpuMs }` of one process; cpuMs includes the CPU of children it has reaped. */
export function processStat(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return { ppid: Number(fields[1]), cpuMs: ticks * MS_PER_TICK };
}

/** Runtime of each live thread of `pid`, in ms, or undefined when the kernel does not expose it. */
export function threadRuntimes(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  const out = new Map();
  for (const tid of tids) {
    const sched = read(`/proc/${pid}/task/${tid}/sched`);
    const ms = sched && /^se\.sum_exec_runtime\s*:\s*([\d.]+)/m.exec(sched)?.[1];
    if (!ms) return undefined;
    out.set(tid, Number(ms));
  }
  return out;
}

export function commandLine(pid) {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
}

/** Resident memory now and its peak, in MiB. */
export function memory(pid) {
  const status = read(`/proc/${pid}/status`) ?? '';
  const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/** `root` and every process below it. */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(Number(entry));
    if (!stat) continue;
    if (!children.has(stat.ppid)) children.set(stat.ppid, []);
    children.get(stat.ppid).push(Number(entry));
  }
  const tree = [];
  const queue = [root];
  while (queue.length > 0 && tree.length < 10_000) {
    const pid = queue.shift();
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

export function isWorkerd(pid) {
  return /(^|\/)workerd$/.test(commandLine(pid)[0] ?? '');
}

/**
 * A server's processes, each with a role: `worker` for the workerd that runs the worker, `tooling`
 * for everything else (wrangler's Node process, its proxy workerd, esbuild).
 */
export class ServerProcesses {
  /**
   * @param {() => number[]} list the server's current processes
   * @param {(pid: number) => boolean} isWorker
   */
  constructor(list, isWorker) {
    this.list = list;
    this.isWorker = isWorker;
  }

  /** Cumulative CPU per process, to be subtracted with `cpuSince`. */
  snapshot() {
    const cpu = new Map();
    for (const pid of this.list()) {
      const stat = processStat(pid);
      if (stat) cpu.set(pid, { ticksMs: stat.cpuMs, threads: threadRuntimes(pid) });
    }
    return cpu;
  }

  /**
   * CPU milliseconds since `before`, by role. A process that started since counts whole. The
   * per-thread runtimes are exact but forget a thread that exits: then the tick count decides.
   */
  cpuSince(before) {
    const after = this.snapshot();
    const out = { worker: 0, tooling: 0 };
    for (const [pid, now] of after) {
      const then = before.get(pid);
      const coarse = now.ticksMs - (then?.ticksMs ?? 0);
      let ms = coarse;
      if (now.threads && (!then || then.threads)) {
        let exact = 0;
        for (const [tid, runtime] of now.threads) exact += runtime - (then?.threads.get(tid) ?? 0);
        const threadExited = then && [...then.threads.keys()].some((tid) => !now.threads.has(tid));
        ms = threadExited ? Math.max(exact, coarse) : exact;
      }
      out[this.isWorker(pid) ? 'worker' : 'tooling'] += ms;
    }
    return out;
  }

  /** RSS now and peak RSS (MiB) of the worker's process, and of the tooling's summed. */
  memory() {
    const out = { worker: { rssMiB: 0, peakRssMiB: 0 }, tooling: { rssMiB: 0, peakRssMiB: 0 } };
    for (const pid of this.list()) {
      const m = memory(pid);
      const role = out[this.isWorker(pid) ? 'worker' : 'tooling'];
      role.rssMiB += m.rssMiB;
      role.peakRssMiB += m.peakRssMiB;
    }
    return out;
  }

  describe() {
    return this.list().map((pid) => {
      const [exe, ...args] = commandLine(pid);
      const name = (exe ?? '?').split('/').pop();
      const detail = args.find((a) => a.startsWith('--socket-addr=')) ?? args.find((a) => a.endsWith('.mjs') || a.endsWith('.js')) ?? '';
      return { pid, role: this.isWorker(pid) ? 'worker' : 'tooling', command: `${name} ${detail}`.trim() };
    });
  }
}
