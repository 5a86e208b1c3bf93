import { type Logger, pino } from "pino";

/**
 * Structured logs go to stderr, so that stdout holds only the report. Credentials, tokens and
 * webhook URLs are redacted wherever they appear in a fields object.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      name: "plumbline",
      level,
      redact: {
        paths: [
          "*.secretAccessKey",
          "*.sessionToken",
          "*.token",
          "*.authorization",
          "*.webhookUrl",
          "secretAccessKey",
          "token",
          "webhookUrl",
        ],
        censor: "[redacted]",
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}
