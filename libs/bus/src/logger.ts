/**
 * The logging the bus needs, shaped so a pino logger (or a child of one) fits as is.
 * Only ids, types, topics and offsets are ever logged, never a payload.
 */
export interface BusLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const ignore = (): void => {};

export const silentLogger: BusLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A log-safe view of an error: its class, stable code and message, never its cause's data. */
export function errorFields(error: unknown): { name: string; code: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      code: typeof code === 'string' ? code : 'UNEXPECTED',
      message: error.message,
    };
  }
  return { name: typeof error, code: 'UNEXPECTED', message: String(error) };
}
