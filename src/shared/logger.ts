import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/** Fields that must never reach a log line: message bodies and secrets. */
export const REDACT_PATHS = ["*.text", "*.body", "*.password", "*.pin", "text", "body", "password", "pin"];

export interface RootLoggerOptions {
  level?: string;
  /** Human-readable output (npm start / CLI); JSON lines otherwise (journald). */
  pretty?: boolean;
  /** Where JSON goes; default stdout. The CLI logs to stderr so stdout stays machine-readable. */
  destination?: 1 | 2;
}

/** Builds the one root logger; everything else derives `log.child({ mod, link })`. */
export function createRootLogger(opts: RootLoggerOptions = {}): Logger {
  const base: LoggerOptions = {
    level: opts.level ?? process.env["RAKELGW_LOG_LEVEL"] ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { app: "rakelgw" },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const fd = opts.destination ?? 1;
  if (opts.pretty) {
    return pino({
      ...base,
      transport: { target: "pino-pretty", options: { destination: fd, colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,app" } },
    });
  }
  return pino(base, pino.destination({ fd, sync: false }));
}

/** A logger that discards everything (unit tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
