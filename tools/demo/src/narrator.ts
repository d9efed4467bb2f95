import type { ServiceProcess } from '@vmsync/testkit';

const ACTIONS: Record<string, string> = {
  'ensure-read': 'email marked read',
  'ensure-unread': 'email marked unread',
  'ensure-trash': 'email moved to Trash',
  'ensure-inbox': 'email moved back to the Inbox',
  'ensure-heard': 'voicemail marked heard',
  'ensure-unheard': 'voicemail marked unheard',
  'ensure-deleted': 'voicemail moved to Deleted',
  'ensure-saved': 'voicemail restored (Old)',
};

/**
 * Prints every command the actuators carry out, as it happens, with vmsync's own
 * latency: from the moment the watcher observed the user's change to the moment the
 * actuator had changed the other side.
 */
export class Narrator {
  readonly #seen = new Map<ServiceProcess, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly actuators: ServiceProcess[]) {}

  /** Prints on its own from now on (after the scenario, while the user explores). */
  start(): void {
    this.#timer = setInterval(() => this.flush(), 50);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.flush();
  }

  /** Prints what was carried out since the last call. */
  flush(): void {
    for (const service of this.actuators) {
      const logs = service.logs();
      const from = this.#seen.get(service) ?? 0;
      for (const line of logs.slice(from)) {
        if (line.msg !== 'command carried out') continue;
        const action = ACTIONS[String(line.action)] ?? String(line.action);
        const outcome = String(line.outcome);
        const latency = Number(line.latencyMs);
        const what = outcome === 'applied' ? action : `${action}: ${outcome}`;
        console.log(
          `      \u21b3 vmsync: ${what} (${latency.toFixed(0)} ms after the change was observed)`,
        );
      }
      this.#seen.set(service, logs.length);
    }
  }
}
