import { createRequire } from "node:module";
import { FRAMEWORK_NAMES } from "@plumbline/rules";
import { Command, CommanderError, Option } from "commander";
import type { CommandIo } from "./commands/command-io.js";
import { controlsCommand } from "./commands/controls.js";
import { demoCommand } from "./commands/demo.js";
import { emulatorCommand } from "./commands/emulator.js";
import { scanCommand } from "./commands/scan.js";
import { serveCommand } from "./commands/serve.js";
import { tokenCreateCommand, tokenListCommand, tokenRevokeCommand } from "./commands/token.js";
import { validateCommand } from "./commands/validate.js";
import { scanNowCommand, workerCommand } from "./commands/worker.js";
import { readEnvironment } from "./config.js";
import { ExitCode, UsageError } from "./errors.js";
import { createLogger } from "./logger.js";
import { createReaderAwareOutput } from "./reader-aware-output.js";

/** The version of this command, from its package manifest. */
export const PLUMBLINE_VERSION: string = (
  createRequire(import.meta.url)("../package.json") as { version: string }
).version;

/** Builds the `plumbline` program; `run` resolves to the exit code instead of exiting. */
export function buildProgram(io: CommandIo, setExitCode: (code: number) => void): Command {
  const program = new Command("plumbline")
    .description("Keeps regulated LLM landing zones on Azure and AWS compliant.")
    .version(PLUMBLINE_VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command("validate")
    .description("check a policy file; exit 0 when valid, 2 when not")
    .requiredOption("--policy <file>", "policy file (plumbline.yaml)")
    .option("--now <date>", "evaluation date (YYYY-MM-DD or RFC 3339) for waiver expiry checks")
    .action(async (options) => setExitCode(await validateCommand(options, io)));

  program
    .command("scan")
    .description("inventory the accounts of a policy, evaluate every control and report")
    .requiredOption("--policy <file>", "policy file (plumbline.yaml)")
    .option("--estate <dir>", "scan a local estate folder through the built-in emulator")
    .option("--db <url|dir>", "store: a PostgreSQL URL or a PGlite folder")
    .addOption(
      new Option("--format <format>", "output format").choices(["table", "json"]).default("table"),
    )
    .addOption(
      new Option(
        "--fail-on <severity>",
        "exit 1 when a fail at or above this severity exists",
      ).choices(["low", "medium", "high", "critical"]),
    )
    .option(
      "--strict",
      "count error verdicts as failures for --fail-on, and exit 1 when the scan is partial",
    )
    .option("--now <date>", "evaluation date (YYYY-MM-DD means 00:00 UTC, or RFC 3339)")
    .addOption(
      new Option(
        "--framework <name>",
        "table output: group findings by the requirements of this framework",
      ).choices(FRAMEWORK_NAMES),
    )
    .action(async (options) => setExitCode(await scanCommand(options, io)));

  program
    .command("controls")
    .description("list the control catalogue and the framework requirements each supports")
    .addOption(
      new Option("--format <format>", "output format")
        .choices(["table", "json", "markdown"])
        .default("table"),
    )
    .action((options) => setExitCode(controlsCommand(options, io)));

  program
    .command("emulator")
    .description("serve an estate folder over the AWS Config and Azure wire protocols")
    .requiredOption("--estate <dir>", "estate folder")
    .option("--port <port>", "loopback port (0 picks a free one)", "0")
    .action(async (options) => emulatorCommand(options, io));

  program
    .command("worker")
    .description("run scheduled scans, evaluations and alerts from the queue (REDIS_URL)")
    .requiredOption("--policy <file>", "policy file (plumbline.yaml)")
    .option("--concurrency <n>", "inventory jobs per cloud this process runs at once", "2")
    .option("--estate <dir>", "scan a local estate folder through the built-in emulator")
    .action(async (options) => setExitCode(await workerCommand(options, io)));

  program
    .command("scan-now")
    .description("enqueue a scan of every account (or the given ones) for the workers")
    .requiredOption("--policy <file>", "policy file (plumbline.yaml)")
    .option("--account <id...>", "only these accounts (subscription or AWS account ids)")
    .action(async (options) => setExitCode(await scanNowCommand(options, io)));

  program
    .command("demo")
    .description("scan the example estate and serve the dashboard with an auditor token")
    .option("--db <url|dir>", "store: a PostgreSQL URL or a PGlite folder")
    .option("--port <port>", "loopback port of the dashboard (0 picks a free one)", "8080")
    .action(async (options) => setExitCode(await demoCommand(options, io)));

  program
    .command("serve")
    .description("serve the API and the dashboard over the store")
    .requiredOption("--policy <file>", "policy file (plumbline.yaml)")
    .option("--port <port>", "port to listen on (0 picks a free one)", "8080")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--db <url|dir>", "store: a PostgreSQL URL or a PGlite folder")
    .action(async (options) => setExitCode(await serveCommand(options, io)));

  const token = program.command("token").description("create, revoke and list API tokens");
  token
    .command("create")
    .description("create an API token and print its secret once")
    .requiredOption("--role <role>", "admin or auditor")
    .option("--tenant <id...>", "a tenant the token may see (repeatable)")
    .option("--platform", "the token may see the platform's findings")
    .option("--all", "the token may see every owner, unmapped accounts included")
    .option("--expires <date>", "expiry: YYYY-MM-DD (00:00 UTC) or an RFC 3339 timestamp")
    .option("--name <name>", "a name to recognise the token by")
    .option("--policy <file>", "the policy whose tenant ids --tenant names (needed with it)")
    .option("--db <url|dir>", "store: a PostgreSQL URL or a PGlite folder")
    .action(async (options) => setExitCode(await tokenCreateCommand(options, io)));
  token
    .command("revoke <id>")
    .description("revoke an API token from now on")
    .option("--db <url|dir>", "store: a PostgreSQL URL or a PGlite folder")
    .action(async (id, options) => setExitCode(await tokenRevokeCommand(id, options, io)));
  token
    .command("list")
    .description("list API tokens (never their secrets)")
    .addOption(
      new Option("--format <format>", "output format").choices(["table", "json"]).default("table"),
    )
    .option("--db <url|dir>", "store: a PostgreSQL URL or a PGlite folder")
    .action(async (options) => setExitCode(await tokenListCommand(options, io)));

  return program;
}

/** Runs the command line and returns the exit code. */
export async function run(argv: string[], io: CommandIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usageOrInput;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`plumbline: ${error.message}\n`);
      return error.exitCode;
    }
    io.logger.error({ err: error }, "command failed");
    io.stderr.write(`plumbline: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.scanFailed;
  }
}

/** Entry point of the installed command. */
export async function main(): Promise<void> {
  let env: ReturnType<typeof readEnvironment>;
  try {
    env = readEnvironment();
  } catch (error) {
    process.stderr.write(`plumbline: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = ExitCode.usageOrInput;
    return;
  }
  const stdout = createReaderAwareOutput(process.stdout);
  const stderr = createReaderAwareOutput(process.stderr);
  const io: CommandIo = {
    stdout: stdout.stream,
    stderr: stderr.stream,
    env,
    logger: createLogger(env.PLUMBLINE_LOG_LEVEL),
    clock: () => new Date(),
    interactive: process.stderr.isTTY === true && env.CI === undefined,
  };
  const code = await run(process.argv.slice(2), io);
  // Output nobody read is not a success, whatever the command found; the code says so the
  // way a shell does for a program a closed pipe ended.
  await Promise.all([stdout.settled(), stderr.settled()]);
  const readerGone = stdout.readerGone() || stderr.readerGone();
  process.exitCode = readerGone ? ExitCode.readerGone : code;
}
