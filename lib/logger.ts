// Structured logging (pino). One logger per process; modules take a child with their name.
// On a terminal the lines are formatted by pino-pretty (readable, one line each); when standard
// output is piped or redirected (a log collector, a container runtime, the tests) they stay one JSON
// object per line. LOG_FORMAT overrides the choice. pino-pretty runs as a synchronous stream in this
// thread, not as a pino transport: transports start a worker thread that loads its module by
// file name, which a bundle (Next.js's server build) cannot provide, and a synchronous stream
// loses no line when the process exits at once.
import { pino, type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { env, type Env } from "./env";

export type LogFormat = "pretty" | "json";

/** LOG_FORMAT when set; otherwise pretty on a terminal, JSON when piped or redirected. */
export function logFormat(setting: Env["LOG_FORMAT"], stdoutIsTTY: boolean | undefined): LogFormat {
  return setting ?? (stdoutIsTTY ? "pretty" : "json");
}

export function createLogger(
  options: { level: Env["LOG_LEVEL"]; format: LogFormat; destination?: DestinationStream | NodeJS.WritableStream },
): Logger {
  const base = {
    level: options.level,
    base: { pid: process.pid },
    redact: { paths: ["*.apiKey", "*.password", "*.token", "headers.authorization"], censor: "[redacted]" },
  };
  if (options.format === "json") {
    return options.destination ? pino(base, options.destination as DestinationStream) : pino(base);
  }
  const stream = pretty({
    sync: true,
    destination: options.destination ?? 1,
    translateTime: "SYS:HH:MM:ss.l",
    // "INFO (1234): [crawl] message {"day":"2024-05-01"}": one line per event, the module in front
    // of the message, other fields after it (not one line per field, which floods a terminal).
    messageFormat: "{if module}[{module}] {end}{msg}",
    ignore: "hostname,module",
    singleLine: true,
    // Colours only for a terminal (and not under NO_COLOR); a pretty file stays plain text.
    colorize: options.destination === undefined && pretty.isColorSupported,
  });
  return pino(base, stream);
}

export const logger = createLogger({
  level: env().LOG_LEVEL,
  format: logFormat(env().LOG_FORMAT, process.stdout.isTTY),
});

export function childLogger(name: string) {
  return logger.child({ module: name });
}
