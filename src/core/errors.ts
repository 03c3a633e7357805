/**
 * Typed errors with context. Every failure kubesnap reports is a KubesnapError:
 * a stable `code`, a message that says what failed and on which thing, an optional
 * `hint` that says what to do, and the underlying `cause`. Only the CLI's top-level
 * catch and the server's handlers turn these into exit codes or responses.
 */
export type ErrorCode =
  | "NotFound"
  | "AlreadyExists"
  | "InvalidInput"
  | "AccessDenied"
  | "Unavailable"
  | "Corrupt"
  | "ReadOnly"
  | "Conflict"
  | "Timeout"
  | "Expired"
  | "Locked"
  | "Internal";

export class KubesnapError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KubesnapError";
    this.code = code;
    this.hint = options.hint;
  }
}

export function isKubesnapError(err: unknown, code?: ErrorCode): err is KubesnapError {
  return err instanceof KubesnapError && (code === undefined || err.code === code);
}

/** One line for a human: the message, then the hint after a semicolon. */
export function describeError(err: unknown): string {
  if (err instanceof KubesnapError) return err.hint ? `${err.message}; ${err.hint}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
