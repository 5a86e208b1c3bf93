import { ExitCode, type ExitCodeValue, UsageError } from "../errors.js";
import { buildControlCatalogue } from "../output/control-catalogue.js";
import { formatControlsMarkdown } from "../output/controls-markdown.js";
import { formatControlsTable } from "../output/controls-table.js";
import type { CommandIo } from "./command-io.js";

const formats = ["table", "json", "markdown"] as const;

/** Output forms of `plumbline controls`. */
export type ControlsFormat = (typeof formats)[number];

export interface ControlsCommandOptions {
  /** `table` for a person, `json` for one document, `markdown` for docs/controls.md. */
  format: string;
}

function parseFormat(format: string): ControlsFormat {
  const known = formats.find((candidate) => candidate === format);
  if (known === undefined) {
    throw new UsageError(`--format: "${format}" is not one of ${formats.join(", ")}`);
  }
  return known;
}

/** `plumbline controls`: prints the control catalogue with its framework mappings. */
export function controlsCommand(options: ControlsCommandOptions, io: CommandIo): ExitCodeValue {
  const format = parseFormat(options.format);

  const catalogue = buildControlCatalogue();

  if (format === "json") {
    io.stdout.write(`${JSON.stringify(catalogue, null, 2)}\n`);
  } else if (format === "markdown") {
    io.stdout.write(formatControlsMarkdown(catalogue));
  } else {
    io.stdout.write(formatControlsTable(catalogue));
  }
  return ExitCode.ok;
}
