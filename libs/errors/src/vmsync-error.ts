/**
 * The one error base of vmsync. `code` is stable (operators grep for it, tests assert on
 * it); `retriable` tells retry loops whether trying again can help — programming errors
 * and bad input are never retriable.
 */
export class VmsyncError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(
    code: string,
    message: string,
    options: { retriable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VmsyncError';
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** True when trying the same operation again may succeed. Unknown errors are not retried. */
export function isRetriable(error: unknown): boolean {
  return error instanceof VmsyncError && error.retriable;
}
