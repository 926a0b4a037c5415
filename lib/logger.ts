// Structured logging (pino). One logger per process; modules take a child with their name.
import { pino } from "pino";
import { env } from "./env";

export const logger = pino({
  level: env().LOG_LEVEL,
  base: { pid: process.pid },
  redact: { paths: ["*.apiKey", "*.password", "*.token", "headers.authorization"], censor: "[redacted]" },
});

export function childLogger(name: string) {
  return logger.child({ module: name });
}
