import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { machineJiffies, processStat } from './probes.js';

const round = (x: number) => Math.round(x * 10) / 10;

/** A pid from a file of the stack (<stackDir>/<part>.pid); 0 when unknown. */
export function stackPid(stackDir: string, part: string): number {
  try {
    return Number(readFileSync(join(stackDir, `${part}.pid`), 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
}

/**
 * CPU ticks so far per group: a root process and all its descendants (plus what its reaped
 * children used: Dovecot's imap processes come and go). Machine-wide busy ticks beside.
 */
export function cpuByGroup(roots: Record<string, number>): Record<string, number> {
  const procs = new Map<number, { ppid: number; ticks: number; childTicks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      procs.set(Number(entry), processStat(readFileSync(`/proc/${entry}/stat`, 'utf8')));
    } catch {
      // exited meanwhile
    }
  }
  const groupOf = new Map<number, string>();
  const find = (pid: number, depth = 0): string | undefined => {
    if (groupOf.has(pid)) return groupOf.get(pid);
    const root = Object.entries(roots).find(([, r]) => r === pid)?.[0];
    if (root !== undefined) return root;
    const p = procs.get(pid);
    if (!p || p.ppid <= 1 || depth > 20) return undefined;
    return find(p.ppid, depth + 1);
  };
  const out: Record<string, number> = Object.fromEntries(Object.keys(roots).map((k) => [k, 0]));
  for (const [pid, p] of procs) {
    const g = find(pid);
    if (g === undefined) continue;
    groupOf.set(pid, g);
    out[g] = (out[g] ?? 0) + p.ticks + (Object.values(roots).includes(pid) ? p.childTicks : 0);
  }
  const m = machineJiffies(readFileSync('/proc/stat', 'utf8'));
  out.machineBusy = m.busy;
  out.machineTotal = m.total;
  out.machineIrq = m.irq;
  return out;
}

/** CPU per group between two cpuByGroup() readings, in % of one core. */
export function cpuShare(
  a: Record<string, number>,
  b: Record<string, number>,
): Record<string, number> {
  const cores = cpus().length;
  const wall = ((b.machineTotal ?? 0) - (a.machineTotal ?? 0)) / cores;
  const out: Record<string, number> = {};
  let known = 0;
  for (const k of Object.keys(b)) {
    if (k.startsWith('machine')) continue;
    const d = (b[k] ?? 0) - (a[k] ?? 0);
    known += d;
    out[k] = round((100 * d) / wall);
  }
  const busy = (b.machineBusy ?? 0) - (a.machineBusy ?? 0);
  const irq = (b.machineIrq ?? 0) - (a.machineIrq ?? 0);
  out.kernelIrqSoftirq = round((100 * irq) / wall);
  out.otherProcesses = round((100 * (busy - known - irq)) / wall);
  out.machineBusyOfAllCores = round((100 * busy) / wall / cores);
  return out;
}
