import * as z from "zod";
import { buildPolicySchema } from "./schema.js";

/**
 * The JSON Schema of the policy file for editors, generated from the same zod schema that
 * validates it (input side: what may be written, before defaults). Checks that need the
 * catalogue or the date (known regions, control ids, waiver length) are left to `validate`.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(buildPolicySchema(new Date(0)), {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
  });
  return {
    ...schema,
    $id: "https://plumbline.dev/schema/policy.schema.json",
    title: "Plumbline policy file",
  };
}
