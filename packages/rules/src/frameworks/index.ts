export {
  FRAMEWORK_NAMES,
  type FrameworkName,
  frameworkByName,
  loadFrameworks,
  requirementsSupportedBy,
  type SupportedRequirement,
} from "./catalogue.js";
export {
  type Framework,
  type FrameworkControlMapping,
  FrameworkDataError,
  type FrameworkRequirement,
  parseFramework,
} from "./framework-schema.js";
