import { z } from "zod";
import { findingFilterShape } from "./findings.js";

export const EXPORT_FORMATS = ["csv", "json", "sarif", "ocsf"] as const;

export const exportParamsSchema = z.object({ format: z.enum(EXPORT_FORMATS) });

/** The export takes the finding list's filters and sort, without pagination. */
export const exportQuerySchema = z.object(findingFilterShape);
