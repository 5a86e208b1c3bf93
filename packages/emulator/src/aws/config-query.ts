import { isJsonObject, type JsonObject } from "../estate.js";

/** A selected column: a (possibly nested) field path, or `COUNT(*)`. */
export type SelectField =
  | { kind: "path"; name: string; path: string[] }
  | { kind: "count"; name: "COUNT(*)" };

/** A parsed advanced query of the supported subset. */
export interface ConfigQuery {
  fields: SelectField[];
  /** Types named by the WHERE clause; undefined when there is none. */
  resourceTypes: string[] | undefined;
  /** The field rows are grouped by, when the query has GROUP BY. */
  groupBy: string | undefined;
}

/** The expression is outside the supported subset; becomes `InvalidExpressionException`. */
export class InvalidExpressionError extends Error {
  override readonly name = "InvalidExpressionError";
}

type Token =
  | { kind: "word"; text: string }
  | { kind: "string"; text: string }
  | { kind: "symbol"; text: string };

/**
 * Limitation: the advanced query is understood only in this subset (no other WHERE conditions,
 * no ORDER BY, no aliases, no functions besides COUNT(*)); anything else is refused.
 *
 * Parses `SELECT <fields> [WHERE resourceType = '…' | resourceType IN ('…', …)]
 * [GROUP BY <field>]`; keywords ignore case, field names do not.
 */
export function parseConfigQuery(expression: string): ConfigQuery {
  const tokens = tokenise(expression);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const next = (): Token | undefined => tokens[position++];
  const isKeyword = (token: Token | undefined, keyword: string): boolean =>
    token?.kind === "word" && token.text.toUpperCase() === keyword;
  const expectSymbol = (symbol: string): void => {
    const token = next();
    if (token?.kind !== "symbol" || token.text !== symbol) {
      throw new InvalidExpressionError(`expected "${symbol}" but found ${describe(token)}`);
    }
  };

  if (!isKeyword(next(), "SELECT")) {
    throw new InvalidExpressionError("the expression must start with SELECT");
  }

  const fields: SelectField[] = [];
  const isComma = (token: Token | undefined): boolean =>
    token?.kind === "symbol" && token.text === ",";
  fields.push(readField(next, peek, expectSymbol));
  while (isComma(peek())) {
    next();
    fields.push(readField(next, peek, expectSymbol));
  }

  let resourceTypes: string[] | undefined;
  if (isKeyword(peek(), "WHERE")) {
    next();
    const column = next();
    if (column?.kind !== "word" || column.text !== "resourceType") {
      throw new InvalidExpressionError(
        `only resourceType can be filtered here, not ${describe(column)}`,
      );
    }
    const operator = next();
    if (operator?.kind === "symbol" && operator.text === "=") {
      resourceTypes = [readString(next())];
    } else if (isKeyword(operator, "IN")) {
      expectSymbol("(");
      resourceTypes = [readString(next())];
      while (isComma(peek())) {
        next();
        resourceTypes.push(readString(next()));
      }
      expectSymbol(")");
    } else {
      throw new InvalidExpressionError(
        `expected = or IN after resourceType, found ${describe(operator)}`,
      );
    }
  }

  let groupBy: string | undefined;
  if (isKeyword(peek(), "GROUP")) {
    next();
    if (!isKeyword(next(), "BY")) throw new InvalidExpressionError("expected BY after GROUP");
    const column = next();
    if (column?.kind !== "word")
      throw new InvalidExpressionError("expected a field after GROUP BY");
    groupBy = column.text;
  }

  if (peek() !== undefined) {
    throw new InvalidExpressionError(`unsupported expression from ${describe(peek())}`);
  }

  validateGrouping(fields, groupBy);
  return { fields, resourceTypes, groupBy };
}

function readField(
  next: () => Token | undefined,
  peek: () => Token | undefined,
  expectSymbol: (symbol: string) => void,
): SelectField {
  const token = next();
  if (token?.kind === "symbol" && token.text === "*") {
    throw new InvalidExpressionError("SELECT * is not supported; name the fields");
  }
  if (token?.kind !== "word" || isReservedWord(token.text)) {
    throw new InvalidExpressionError(`expected a field name, found ${describe(token)}`);
  }
  if (token.text.toUpperCase() === "COUNT" && peek()?.text === "(") {
    expectSymbol("(");
    expectSymbol("*");
    expectSymbol(")");
    return { kind: "count", name: "COUNT(*)" };
  }
  const path = token.text.split(".");
  if (path.some((segment) => segment === "")) {
    throw new InvalidExpressionError(`"${token.text}" is not a field path`);
  }
  return { kind: "path", name: token.text, path };
}

function validateGrouping(fields: SelectField[], groupBy: string | undefined): void {
  const paths = fields.filter((field) => field.kind === "path");
  const counts = fields.filter((field) => field.kind === "count");
  if (groupBy === undefined) {
    if (counts.length > 0 && paths.length > 0) {
      throw new InvalidExpressionError("COUNT(*) with other fields needs GROUP BY");
    }
    return;
  }
  if (paths.length !== 1 || paths[0]?.name !== groupBy || counts.length > 1) {
    throw new InvalidExpressionError(`with GROUP BY ${groupBy}, select ${groupBy} [, COUNT(*)]`);
  }
}

function readString(token: Token | undefined): string {
  if (token?.kind !== "string") {
    throw new InvalidExpressionError(`expected a quoted string, found ${describe(token)}`);
  }
  return token.text;
}

function isReservedWord(text: string): boolean {
  return ["SELECT", "WHERE", "GROUP", "BY", "IN", "AND", "OR", "NOT", "ORDER"].includes(
    text.toUpperCase(),
  );
}

function describe(token: Token | undefined): string {
  if (token === undefined) return "the end of the expression";
  return token.kind === "string" ? `'${token.text}'` : `"${token.text}"`;
}

function tokenise(expression: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < expression.length) {
    const character = expression[index] ?? "";
    if (/\s/.test(character)) {
      index += 1;
    } else if (character === "'") {
      const end = expression.indexOf("'", index + 1);
      if (end < 0) throw new InvalidExpressionError("unterminated string literal");
      tokens.push({ kind: "string", text: expression.slice(index + 1, end) });
      index = end + 1;
    } else if ("(),=*".includes(character)) {
      tokens.push({ kind: "symbol", text: character });
      index += 1;
    } else {
      const word = /^[A-Za-z_][A-Za-z0-9_.:]*/.exec(expression.slice(index))?.[0];
      if (word === undefined) {
        throw new InvalidExpressionError(`unexpected "${character}" at position ${index}`);
      }
      tokens.push({ kind: "word", text: word });
      index += word.length;
    }
  }
  return tokens;
}

/**
 * The selected fields of one item: nested paths come back as nested objects
 * (`configuration.keyState` → `{"configuration":{"keyState":…}}`); absent values are left out.
 */
export function projectItem(item: JsonObject, fields: readonly SelectField[]): JsonObject {
  const row: JsonObject = {};
  for (const field of fields) {
    if (field.kind !== "path") continue;
    const value = readPath(item, field.path);
    if (value !== undefined) assignPath(row, field.path, value);
  }
  return row;
}

/** Rows of a GROUP BY query: one per distinct value, with `COUNT(*)` when selected. */
export function groupItems(items: readonly JsonObject[], query: ConfigQuery): JsonObject[] {
  const pathField = query.fields.find((field) => field.kind === "path");
  const counts = new Map<string, { value: unknown; count: number }>();
  for (const item of items) {
    const value = pathField === undefined ? undefined : readPath(item, pathField.path);
    const key = JSON.stringify(value ?? null);
    const entry = counts.get(key) ?? { value, count: 0 };
    entry.count += 1;
    counts.set(key, entry);
  }

  const wantsCount = query.fields.some((field) => field.kind === "count");
  return [...counts.values()].map(({ value, count }) => {
    const row: JsonObject = {};
    if (pathField !== undefined && value !== undefined) assignPath(row, pathField.path, value);
    if (wantsCount) row["COUNT(*)"] = count;
    return row;
  });
}

function readPath(source: unknown, path: readonly string[]): unknown {
  let current: unknown = source;
  for (const [index, segment] of path.entries()) {
    if (Array.isArray(current)) {
      // Config projects a path through a list element by element.
      const rest = path.slice(index);
      const values = current
        .map((element) => readPath(element, rest))
        .filter((v) => v !== undefined);
      return values;
    }
    if (!isJsonObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function assignPath(target: JsonObject, path: readonly string[], value: unknown): void {
  let current = target;
  for (const segment of path.slice(0, -1)) {
    const existing = current[segment];
    if (!isJsonObject(existing)) current[segment] = {};
    current = current[segment] as JsonObject;
  }
  const last = path[path.length - 1];
  if (last === undefined) return;
  const existing = current[last];
  current[last] = isJsonObject(existing) && isJsonObject(value) ? { ...value, ...existing } : value;
}
