import { EstateError, runEmulatorCommand } from "@plumbline/emulator";
import { UsageError } from "../errors.js";
import type { CommandIo } from "./command-io.js";

export interface EmulatorCommandOptions {
  estate: string;
  port: string;
}

/** `plumbline emulator`: serves an estate until interrupted. */
export async function emulatorCommand(
  options: EmulatorCommandOptions,
  io: CommandIo,
): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: "${options.port}" is not a port number`);
  }
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
