import { AssignerProtocol, type Assignment, type PartitionAssigner } from 'kafkajs';

export interface MemberOwnership {
  memberId: string;
  /** Partitions the member holds now (from its join metadata). */
  owned: readonly number[];
}

/**
 * Pure: a balanced assignment (sizes differ by at most one) that leaves every member as
 * much of what it holds as balance allows. A rebalance then moves only the partitions it
 * must: a member joining or leaving does not make the others reconnect their mailboxes.
 */
export function stickyAssign(
  partitions: readonly number[],
  members: readonly MemberOwnership[],
): Map<string, number[]> {
  const result = new Map<string, number[]>();
  if (members.length === 0) return result;
  const all = new Set(partitions);
  const base = Math.floor(all.size / members.length);
  let extra = all.size % members.length;
  // The members that already hold more get the extra slots: fewer moves.
  const order = [...members].sort(
    (a, b) => b.owned.length - a.owned.length || a.memberId.localeCompare(b.memberId),
  );
  const quota = new Map<string, number>();
  for (const m of order) {
    quota.set(m.memberId, base + (extra > 0 ? 1 : 0));
    if (extra > 0) extra--;
    result.set(m.memberId, []);
  }
  const taken = new Set<number>();
  for (const m of order) {
    const mine = result.get(m.memberId) as number[];
    for (const p of [...m.owned].sort((a, b) => a - b)) {
      if (mine.length >= (quota.get(m.memberId) ?? 0)) break;
      if (all.has(p) && !taken.has(p)) {
        mine.push(p);
        taken.add(p);
      }
    }
  }
  const free = [...all].filter((p) => !taken.has(p)).sort((a, b) => a - b);
  for (const m of order) {
    const mine = result.get(m.memberId) as number[];
    while (mine.length < (quota.get(m.memberId) ?? 0) && free.length > 0) {
      mine.push(free.shift() as number);
    }
    mine.sort((a, b) => a - b);
  }
  return result;
}

function decodeOwned(metadata: Buffer): Assignment {
  try {
    const userData = AssignerProtocol.MemberMetadata.decode(metadata)?.userData;
    if (!userData || userData.length === 0) return {};
    return JSON.parse(userData.toString('utf8')) as Assignment;
  } catch {
    return {};
  }
}

/**
 * kafkajs ships only a round-robin assigner. This one carries each member's current
 * partitions in its join metadata (userData) and assigns with stickyAssign. `owned` is
 * read at every join.
 */
export function stickyAssigner(owned: () => Assignment): PartitionAssigner {
  return ({ cluster }) => ({
    name: 'VmsyncStickyAssigner',
    version: 1,
    async assign({ members, topics }) {
      const perMember = new Map<string, Assignment>(
        members.map((m) => [m.memberId, {} as Assignment]),
      );
      for (const topic of topics) {
        const partitions = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
        const assigned = stickyAssign(
          partitions,
          members.map((m) => ({
            memberId: m.memberId,
            owned: decodeOwned(m.memberMetadata)[topic] ?? [],
          })),
        );
        for (const [memberId, ps] of assigned) {
          const a = perMember.get(memberId);
          if (a && ps.length > 0) a[topic] = ps;
        }
      }
      return [...perMember].map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment,
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return {
        name: 'VmsyncStickyAssigner',
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: 1,
          topics,
          userData: Buffer.from(JSON.stringify(owned())),
        }),
      };
    },
  });
}
