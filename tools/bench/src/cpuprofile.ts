/** Pure: where a V8 CPU profile (node --cpu-prof) spent its time, by package and function. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CpuShare {
  name: string;
  ms: number;
  percent: number;
}

/** A short owner for a script URL: the npm package, node's own module, or the repo's part. */
export function ownerOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm) return pnpm[1] as string;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (nm) return nm[1] as string;
  const node = /^node:(?:internal\/)?([^/]+)/.exec(url);
  if (node) return `node:${node[1]}`;
  const repo = /\/(libs|services|tools)\/([^/]+)\//.exec(url);
  if (repo) return `${repo[1]}/${repo[2]}`;
  return url;
}

/**
 * Self time per owner and per function within [fromMs, toMs] of the profile (ms since its
 * start), largest first. GC, idle and "(program)" are owners of their own.
 */
export function cpuProfileSummary(
  profile: CpuProfile,
  fromMs = 0,
  toMs = Number.POSITIVE_INFINITY,
  top = 12,
): { windowMs: number; busyMs: number; byOwner: CpuShare[]; byFunction: CpuShare[] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let t = 0;
  let busy = 0;
  let first = Number.NaN;
  let last = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    t += dt;
    if (t < fromMs || t > toMs) continue;
    if (Number.isNaN(first)) first = t;
    last = t;
    const node = byId.get(profile.samples[i] as number);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const owner = ownerOf(url, functionName);
    // The time until the next sample is this sample's.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    owners.set(owner, (owners.get(owner) ?? 0) + ms);
    if (owner !== '(idle)') busy += ms;
    const fn = `${functionName || '(anonymous)'} ${owner}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  }
  const windowMs = Number.isNaN(first) ? 0 : last - first;
  const list = (m: Map<string, number>) =>
    [...m]
      .filter(([name]) => name !== '(idle)' && !name.startsWith('(idle) '))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({
        name,
        ms: Math.round(ms),
        percent: busy > 0 ? Math.round((1000 * ms) / busy) / 10 : 0,
      }));
  return {
    windowMs: Math.round(windowMs),
    busyMs: Math.round(busy),
    byOwner: list(owners),
    byFunction: list(functions),
  };
}

/** The parts of a V8 heap snapshot (.heapsnapshot) read here. */
export interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } };
  nodes: number[];
  strings: string[];
}

export interface HeapShare {
  name: string;
  count: number;
  bytes: number;
}

/** Pure: the heap's self sizes by node type and constructor name, largest first. */
export function heapSnapshotSummary(
  heap: HeapSnapshot,
  top = 15,
): { totalBytes: number; nodes: number; byName: HeapShare[] } {
  const fields = heap.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = (heap.snapshot.meta.node_types[typeAt] ?? []) as string[];
  const groups = new Map<string, HeapShare>();
  let total = 0;
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt] as number] ?? '?';
    const size = heap.nodes[i + sizeAt] as number;
    total += size;
    let name = heap.strings[heap.nodes[i + nameAt] as number] ?? '?';
    // Strings and code are named by their content: group them by type only.
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '';
    if (type === 'code' || type === 'number' || type === 'regexp') name = '';
    if (name.length > 60) name = `${name.slice(0, 57)}...`;
    const key = `${type}${name ? `: ${name}` : ''}`;
    const g = groups.get(key) ?? { name: key, count: 0, bytes: 0 };
    g.count++;
    g.bytes += size;
    groups.set(key, g);
  }
  return {
    totalBytes: total,
    nodes: heap.nodes.length / width,
    byName: [...groups.values()].sort((a, b) => b.bytes - a.bytes).slice(0, top),
  };
}
