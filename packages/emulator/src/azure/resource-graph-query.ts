import type { JsonObject } from "../estate.js";

/** The columns of a Resource Graph `resources` row and their types, in the service's order. */
export const graphColumnTypes: Readonly<Record<string, "string" | "object">> = {
  type: "string",
  id: "string",
  sku: "object",
  name: "string",
  kind: "string",
  plan: "object",
  tags: "object",
  location: "string",
  properties: "object",
  resourceGroup: "string",
  subscriptionId: "string",
  managedBy: "string",
  identity: "object",
  zones: "object",
  tenantId: "string",
  extendedLocation: "object",
};

const graphColumns = Object.keys(graphColumnTypes);

/** One step of the pipeline after the table name. */
export type GraphStep =
  | { kind: "where"; column: string; values: string[] }
  | { kind: "project"; columns: string[] }
  | { kind: "order"; column: string; descending: boolean };

/** A parsed query of the supported subset. */
export interface GraphQuery {
  steps: GraphStep[];
  /** Columns of the result, in order. */
  columns: string[];
}

/** The query is outside the supported subset; becomes a 400 `BadRequest`. */
export class UnsupportedQueryError extends Error {
  override readonly name = "UnsupportedQueryError";
}

type Token = { kind: "word" | "string" | "symbol"; text: string };

/**
 * Limitation: only the `resources` table and the `where … =~` / `in~`, `project` and `order by`
 * operators on string columns are understood; every other KQL construct is a 400, never a guess.
 *
 * Parses `resources` followed by any of `| where <column> =~ '…'`, `| where <column> in~ (…)`,
 * `| project a, b`, `| order by <column> [asc|desc]`. KQL sorts descending unless told `asc`.
 */
export function parseGraphQuery(query: string): GraphQuery {
  const tokens = tokenise(query);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const next = (): Token | undefined => tokens[position++];
  const expect = (kind: Token["kind"], text?: string): Token => {
    const token = next();
    const matches =
      token?.kind === kind &&
      (text === undefined || token.text.toLowerCase() === text.toLowerCase());
    if (token === undefined || !matches) {
      throw new UnsupportedQueryError(`expected ${text ?? kind} but found ${describe(token)}`);
    }
    return token;
  };

  const table = next();
  if (table?.kind !== "word" || table.text.toLowerCase() !== "resources") {
    throw new UnsupportedQueryError("the query must start with the `resources` table");
  }

  let columns: string[] = [...graphColumns];
  const steps: GraphStep[] = [];
  while (peek() !== undefined) {
    expect("symbol", "|");
    const operator = next();
    const name = operator?.kind === "word" ? operator.text : "";
    if (name === "where") {
      const column = readColumn(expect("word").text, columns, true);
      const comparison = next();
      if (comparison?.text === "=~") {
        steps.push({ kind: "where", column, values: [expect("string").text] });
      } else if (comparison?.text === "in~") {
        expect("symbol", "(");
        const values = [expect("string").text];
        while (peek()?.text === ",") {
          next();
          values.push(expect("string").text);
        }
        expect("symbol", ")");
        steps.push({ kind: "where", column, values });
      } else {
        throw new UnsupportedQueryError(
          `unsupported comparison ${describe(comparison)}; use =~ or in~`,
        );
      }
    } else if (name === "project") {
      const projected = [readColumn(expect("word").text, columns, false)];
      while (peek()?.text === ",") {
        next();
        projected.push(readColumn(expect("word").text, columns, false));
      }
      columns = projected;
      steps.push({ kind: "project", columns: projected });
    } else if (name === "order") {
      expect("word", "by");
      const column = readColumn(expect("word").text, columns, true);
      const direction = peek()?.kind === "word" ? peek()?.text.toLowerCase() : undefined;
      if (direction === "asc" || direction === "desc") next();
      steps.push({ kind: "order", column, descending: direction !== "asc" });
    } else {
      throw new UnsupportedQueryError(`unsupported operator ${describe(operator)}`);
    }
  }
  return { steps, columns };
}

/** Runs the query's steps over the rows. */
export function runGraphQuery(query: GraphQuery, rows: readonly JsonObject[]): JsonObject[] {
  let result = [...rows];
  for (const step of query.steps) {
    if (step.kind === "where") {
      const wanted = new Set(step.values.map((value) => value.toLowerCase()));
      result = result.filter((row) => {
        const value = row[step.column];
        return typeof value === "string" && wanted.has(value.toLowerCase());
      });
    } else if (step.kind === "project") {
      result = result.map((row) =>
        Object.fromEntries(step.columns.map((c) => [c, row[c] ?? null])),
      );
    } else {
      const sign = step.descending ? -1 : 1;
      result.sort((left, right) => sign * compareText(left[step.column], right[step.column]));
    }
  }
  return result;
}

function compareText(left: unknown, right: unknown): number {
  const a = typeof left === "string" ? left : "";
  const b = typeof right === "string" ? right : "";
  return a < b ? -1 : a > b ? 1 : 0;
}

function readColumn(name: string, available: readonly string[], scalar: boolean): string {
  if (!available.includes(name)) {
    throw new UnsupportedQueryError(`unknown column "${name}"`);
  }
  if (scalar && graphColumnTypes[name] !== "string") {
    throw new UnsupportedQueryError(`column "${name}" cannot be compared or sorted here`);
  }
  return name;
}

function describe(token: Token | undefined): string {
  return token === undefined ? "the end of the query" : `"${token.text}"`;
}

function tokenise(query: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < query.length) {
    const rest = query.slice(index);
    const character = rest[0] ?? "";
    if (/\s/.test(character)) {
      index += 1;
      continue;
    }
    if (character === "'" || character === '"') {
      const end = query.indexOf(character, index + 1);
      if (end < 0) throw new UnsupportedQueryError("unterminated string literal");
      tokens.push({ kind: "string", text: query.slice(index + 1, end) });
      index = end + 1;
      continue;
    }
    const operator = /^(=~|in~|\||\(|\)|,)/i.exec(rest)?.[0];
    if (operator !== undefined) {
      tokens.push({ kind: "symbol", text: operator.toLowerCase() });
      index += operator.length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest)?.[0];
    if (word === undefined) throw new UnsupportedQueryError(`unexpected "${character}"`);
    tokens.push({ kind: "word", text: word });
    index += word.length;
  }
  return tokens;
}
