/**
 * The structure of an OpenAPI 3.0.x document, for the parts an API document uses: the
 * required fields and allowed keys of the document, info, paths, operations, parameters,
 * request bodies, responses, media types, components and security schemes, following the
 * OpenAPI 3.0.3 specification. Schema objects are checked separately, by compiling them.
 */
const extensions = { "^x-": {} };

const reference = {
  type: "object",
  required: ["$ref"],
  properties: { $ref: { type: "string", pattern: "^#/components/schemas/[A-Za-z0-9._-]+$" } },
};

const schemaOrReference = { type: "object" };

const mediaType = {
  type: "object",
  properties: { schema: schemaOrReference, example: {}, examples: { type: "object" } },
  patternProperties: extensions,
  additionalProperties: false,
};

const parameter = {
  type: "object",
  required: ["name", "in"],
  properties: {
    name: { type: "string", minLength: 1 },
    in: { enum: ["query", "header", "path", "cookie"] },
    description: { type: "string" },
    required: { type: "boolean" },
    deprecated: { type: "boolean" },
    allowEmptyValue: { type: "boolean" },
    style: { type: "string" },
    explode: { type: "boolean" },
    schema: schemaOrReference,
  },
  patternProperties: extensions,
  additionalProperties: false,
  // A path parameter must be required (OpenAPI 3.0.3, Parameter Object).
  anyOf: [
    { properties: { in: { not: { const: "path" } } } },
    { required: ["required"], properties: { required: { const: true } } },
  ],
};

const response = {
  type: "object",
  required: ["description"],
  properties: {
    description: { type: "string" },
    headers: { type: "object" },
    content: { type: "object", additionalProperties: mediaType },
    links: { type: "object" },
  },
  patternProperties: extensions,
  additionalProperties: false,
};

const operation = {
  type: "object",
  required: ["responses"],
  properties: {
    tags: { type: "array", items: { type: "string" } },
    summary: { type: "string" },
    description: { type: "string" },
    operationId: { type: "string" },
    parameters: { type: "array", items: parameter },
    requestBody: {
      type: "object",
      required: ["content"],
      properties: {
        description: { type: "string" },
        content: { type: "object", additionalProperties: mediaType },
        required: { type: "boolean" },
      },
      additionalProperties: false,
    },
    responses: {
      type: "object",
      minProperties: 1,
      patternProperties: { "^([1-5][0-9]{2}|[1-5]XX|default)$": response, ...extensions },
      additionalProperties: false,
    },
    deprecated: { type: "boolean" },
    security: { type: "array", items: { type: "object" } },
  },
  patternProperties: extensions,
  additionalProperties: false,
};

const pathItem = {
  type: "object",
  properties: Object.fromEntries(
    ["get", "put", "post", "delete", "options", "head", "patch", "trace"].map((method) => [
      method,
      operation,
    ]),
  ),
  patternProperties: extensions,
  additionalProperties: false,
};

export const openApiStructureSchema = {
  type: "object",
  required: ["openapi", "info", "paths"],
  properties: {
    openapi: { type: "string", pattern: "^3\\.0\\.\\d(-.+)?$" },
    info: {
      type: "object",
      required: ["title", "version"],
      properties: {
        title: { type: "string" },
        description: { type: "string" },
        version: { type: "string" },
      },
      patternProperties: extensions,
      additionalProperties: false,
    },
    servers: { type: "array" },
    security: { type: "array", items: { type: "object" } },
    tags: { type: "array" },
    paths: {
      type: "object",
      patternProperties: { "^/": pathItem, ...extensions },
      additionalProperties: false,
    },
    components: {
      type: "object",
      properties: {
        schemas: {
          type: "object",
          patternProperties: { "^[a-zA-Z0-9._-]+$": schemaOrReference },
          additionalProperties: false,
        },
        securitySchemes: {
          type: "object",
          additionalProperties: {
            type: "object",
            required: ["type"],
            properties: { type: { enum: ["apiKey", "http", "oauth2", "openIdConnect"] } },
          },
        },
      },
      patternProperties: extensions,
      additionalProperties: false,
    },
  },
  patternProperties: extensions,
  additionalProperties: false,
};

export { reference as openApiReferenceSchema };
