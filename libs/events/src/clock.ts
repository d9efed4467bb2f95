import { z } from 'zod';

/**
 * An observation time: milliseconds since the epoch read from the deployment's one clock
 * (Redis TIME, with microsecond fraction), never a host's own wall clock. "Newer wins"
 * (DESIGN.md §3.3) compares these.
 */
export const ObservedAt = z.number().finite().nonnegative();
export type ObservedAt = z.infer<typeof ObservedAt>;
