import { startEmulator } from "@plumbline/emulator";

/**
 * Serves an estate in a process of its own, so the benchmark's memory figures are the
 * scanner's alone. Sends the endpoints to the parent, then serves until killed.
 */
const estateDir = process.argv[2];
if (estateDir === undefined || process.send === undefined) {
  throw new Error("usage: forked with the estate folder as the only argument");
}
const emulator = await startEmulator({ estateDir });
process.send({
  awsEndpoint: emulator.awsEndpoint,
  azureEndpoint: emulator.azureEndpoint,
  caCertificate: emulator.caCertificate,
});
