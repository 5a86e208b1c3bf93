import { z } from "zod";
import { CONTROL_IDS } from "../controls/catalogue.js";

/** Reasons and titles are one short line each: they are printed in table cells. */
function oneLine(minimum: number) {
  return z
    .string()
    .trim()
    .min(minimum)
    .max(200)
    .refine((text) => !/[\r\n|]/.test(text), "must be one line without `|`");
}

const controlMappingSchema = z.strictObject({
  control: z.enum(CONTROL_IDS),
  reason: oneLine(10),
});

const requirementSchema = z
  .strictObject({
    id: z.string().trim().min(1),
    title: oneLine(3),
    controls: z.array(controlMappingSchema).min(1),
  })
  .superRefine((requirement, context) => {
    const seen = new Set<string>();
    for (const [index, mapping] of requirement.controls.entries()) {
      if (seen.has(mapping.control)) {
        context.addIssue({
          code: "custom",
          path: ["controls", index, "control"],
          message: `${mapping.control} is mapped twice to ${requirement.id}`,
        });
      }
      seen.add(mapping.control);
    }
  });

/**
 * One framework mapping file: which controls of the catalogue support which requirements of a
 * law, regulation or standard. Validated when the frameworks are first loaded.
 */
const frameworkSchema = z
  .strictObject({
    /** Short name used on the command line (`--framework gdpr`). */
    name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/),
    title: z.string().trim().min(3),
    /** The legal or standard citation, such as `Regulation (EU) 2016/679`. */
    citation: z.string().trim().min(3),
    url: z.url({ protocol: /^https$/ }),
    requirements: z.array(requirementSchema).min(1),
  })
  .superRefine((framework, context) => {
    const seen = new Set<string>();
    for (const [index, requirement] of framework.requirements.entries()) {
      if (seen.has(requirement.id)) {
        context.addIssue({
          code: "custom",
          path: ["requirements", index, "id"],
          message: `requirement ${requirement.id} appears twice`,
        });
      }
      seen.add(requirement.id);
    }
  });

/** A framework mapping as loaded and validated. */
export type Framework = z.infer<typeof frameworkSchema>;

/** One requirement of a framework with the controls that support it. */
export type FrameworkRequirement = Framework["requirements"][number];

/** One control supporting one requirement, with the reason in one line. */
export type FrameworkControlMapping = FrameworkRequirement["controls"][number];

/** A mapping file that does not match `frameworkSchema`; the message lists every problem. */
export class FrameworkDataError extends Error {
  override readonly name = "FrameworkDataError";
}

/** Validates one mapping file's content; `source` names the file in the error message. */
export function parseFramework(data: unknown, source: string): Framework {
  const parsed = frameworkSchema.safeParse(data);
  if (!parsed.success) {
    throw new FrameworkDataError(`${source}: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
