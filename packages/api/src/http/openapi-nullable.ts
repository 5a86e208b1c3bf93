/**
 * Adds `null` to the `enum` of every nullable schema in an OpenAPI 3.0 document. OpenAPI 3.0.3
 * requires it: `nullable` widens the type, but an `enum` without `null` still refuses null, so
 * a nullable enum as generated would reject the values the API really sends.
 */
export function allowNullInNullableEnums<T>(document: T): T {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const schema = value as Record<string, unknown>;
    if (schema.nullable === true && Array.isArray(schema.enum) && !schema.enum.includes(null)) {
      schema.enum = [...schema.enum, null];
    }
    for (const child of Object.values(schema)) visit(child);
  };
  visit(document);
  return document;
}
