import { EstateError, runEmulatorCommand } from "@plumbline/emulator";
import { UsageError } from "../errors.js";
import type { CommandIo } from "./command-io.js";
import { parsePort } from "./runtime.js";

export interface EmulatorCommandOptions {
  estate: string;
  port: string;
}

/** `plumbline emulator`: serves an estate until interrupted. */
export async function emulatorCommand(
  options: EmulatorCommandOptions,
  io: CommandIo,
): Promise<void> {
  const port = parsePort(options.port);
  try {
    await runEmulatorCommand({
      estateDir: options.estate,
      port,
      output: io.stdout,
      logger: io.logger.child({ component: "emulator" }),
    });
  } catch (error) {
    if (error instanceof EstateError) {
      throw new UsageError(`--estate: ${error.message}`);
    }
    if ((error as { code?: unknown }).code === "EADDRINUSE") {
      throw new UsageError(`--port: port ${port} is already in use on 127.0.0.1`);
    }
    throw error;
  }
}
