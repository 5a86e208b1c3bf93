export { emulatorAccessKeyId } from "./aws/aws-protocol.js";
export { type EmulatorOptions, type RunningEmulator, startEmulator } from "./emulator.js";
export { EstateError } from "./estate-error.js";
export { type RunEmulatorCommandOptions, runEmulatorCommand } from "./run-emulator-command.js";
export type { EstateSettings, FaultKind, FaultRule } from "./settings.js";
