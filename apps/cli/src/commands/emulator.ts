import { runEmulatorCommand } from "@plumbline/emulator";
import { UsageError } from "../errors.js";

export interface EmulatorCommandOptions {
  estate: string;
  port: string;
}

/** `plumbline emulator`: serves an estate until interrupted. */
export async function emulatorCommand(options: EmulatorCommandOptions): Promise<void> {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: "${options.port}" is not a port number`);
  }
  await runEmulatorCommand({ estateDir: options.estate, port });
}
