import type { Logger } from "./controller.js";

/**
 * Structured JSON logs, one object per line, as log collectors expect. Callers pass names
 * and reasons, never object contents; fields whose name suggests a secret are masked as a
 * last line of defence.
 */
export function jsonLogger(
  stream: NodeJS.WritableStream = process.stderr,
  now: () => Date = () => new Date(),
): Logger {
  const write = (level: string, msg: string, fields: Record<string, unknown> = {}) => {
    const safe: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields))
      safe[key] = SECRET_FIELD.test(key) ? "[redacted]" : value;
    stream.write(`${JSON.stringify({ time: now().toISOString(), level, msg, ...safe })}\n`);
  };
  return {
    info: (msg, fields) => write("info", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}

const SECRET_FIELD = /secret|password|token|credential|key/i;
