/**
 * What `npm run bench` tells the person running it while it runs, and what it leaves behind
 * when stopped: progress lines on stderr (section k of n, items done, elapsed time), the
 * machine a run was measured on (recorded with the figures), and clean-up on SIGINT/SIGTERM
 * (every process the bench started, Lean workers and their process groups included, is killed
 * before it exits, so an interrupted run leaves no Lean worker behind).
 */
import fs from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

const started = performance.now();

/** Elapsed time since the bench started, as `m:ss`. */
export function elapsed(): string {
  const s = Math.round((performance.now() - started) / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** One progress line on stderr (stdout keeps the tables and JSON). */
export function progress(line: string): void {
  process.stderr.write(`[bench ${elapsed()}] ${line}\n`);
}

/** Sections of a run, announced as `section k/n: name` with the time each took. */
export class Sections {
  private k = 0;
  private sectionStart = 0;
  private ticker?: NodeJS.Timeout;
  /** @param tickMs how often a long section says it is still running */
  constructor(private readonly names: readonly string[], private readonly tickMs = 30_000) {}

  /** Announce the next section (its name must be one of those given); until it ends, a line every `tickMs`. */
  begin(name: string, detail = ''): void {
    this.k = this.names.indexOf(name) + 1;
    this.sectionStart = performance.now();
    progress(`section ${this.k}/${this.names.length} ${name}${detail ? `: ${detail}` : ''}`);
    clearInterval(this.ticker);
    this.ticker = setInterval(() => progress(`  section ${this.k}/${this.names.length} ${name}: ${this.seconds()} s in`), this.tickMs);
    this.ticker.unref();
  }

  /** Close the current section with its duration. */
  end(name: string): void {
    clearInterval(this.ticker);
    progress(`section ${this.k}/${this.names.length} ${name} done in ${this.seconds()} s`);
  }

  private seconds(): string {
    return ((performance.now() - this.sectionStart) / 1000).toFixed(1);
  }
}

/** Counts items within a section: prints `name i/n` at most every `everyMs` and at the end. */
export function itemCounter(name: string, total: number, everyMs = 10_000): () => void {
  let done = 0;
  let last = performance.now();
  return () => {
    done++;
    if (done === total || performance.now() - last >= everyMs) {
      last = performance.now();
      progress(`  ${name} ${done}/${total}`);
    }
  };
}

/** The machine a run is measured on. */
export interface MachineInfo {
  hostname: string;
  cpus: number;
  cpuModel: string;
  memGB: number;
  /** The 1-minute load average when the run started and when it ended. */
  loadStart: number;
  loadEnd?: number;
}

/** This machine, with the load average now. */
export function machineInfo(): MachineInfo {
  return {
    hostname: os.hostname(),
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memGB: Math.round(os.totalmem() / 2 ** 30),
    loadStart: Math.round(os.loadavg()[0]! * 10) / 10,
  };
}

/** Pids of every descendant of `root` (children first found through /proc's parent links). */
export function descendants(root: number = process.pid): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 (ppid) comes after the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // the process exited meanwhile
    }
  }
  const out: number[] = [];
  const frontier = [root];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const [pid, ppid] of parentOf) if (ppid === p) (out.push(pid), frontier.push(pid));
  }
  return out;
}

/** SIGKILL every descendant of this process and its process group (Lean workers are spawned detached, each leading its own group). */
export function killDescendants(): number[] {
  const pids = descendants();
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or gone already
      }
    }
  }
  return pids;
}

/**
 * On SIGINT/SIGTERM: kill every process the bench started, say so, and exit 130 / 143. On any
 * other exit (the end, or a crash) the same clean-up runs synchronously, so no worker outlives it.
 */
export function cleanUpOnSignals(): void {
  process.on('exit', () => void killDescendants());
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    process.once(signal, () => {
      const killed = killDescendants();
      progress(`${signal}: stopped ${killed.length} child process(es) (Lean workers included); exiting`);
      process.exit(code);
    });
  }
}
