import type { Writable } from "node:stream";
import { type Logger, pino } from "pino";
import { emulatorAccessKeyId } from "./aws/aws-protocol.js";
import { caCertificatePath, type RunningEmulator, startEmulator } from "./emulator.js";

/** Options of `plumbline emulator --estate DIR --port N`. */
export interface RunEmulatorCommandOptions {
  /** The estate directory to serve. */
  estateDir: string;
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Where the endpoints are printed; default stdout. */
  output?: Writable;
  /** Where logs go; default info level on stderr. */
  logger?: Logger;
}

/**
 * Starts the emulator and prints its endpoints, the CA certificate path and one access key id
 * per AWS account. The returned emulator keeps the process alive until it is closed.
 */
export async function runEmulatorCommand(
  options: RunEmulatorCommandOptions,
): Promise<RunningEmulator> {
  const logger = options.logger ?? pino({ name: "emulator", level: "info" }, pino.destination(2));
  const emulator = await startEmulator({
    estateDir: options.estateDir,
    logger,
    ...(options.port === undefined ? {} : { port: options.port }),
  });

  const output = options.output ?? process.stdout;
  const lines = [
    `AWS endpoint:   ${emulator.awsEndpoint}`,
    `Azure endpoint: ${emulator.azureEndpoint}`,
    `CA certificate: ${caCertificatePath}`,
    ...emulator.accounts.aws.map(
      (account) => `AWS account ${account}: access key id ${emulatorAccessKeyId(account)}`,
    ),
    ...emulator.accounts.azure.map((subscription) => `Azure subscription ${subscription}`),
  ];
  output.write(`${lines.join("\n")}\n`);
  return emulator;
}
