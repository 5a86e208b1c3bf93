export { armKey, parseArmId } from "./arm-id.js";
export { knownArmType } from "./arm-types.js";
export {
  describeNotCollected,
  type NotCollected,
  notCollected,
  requiredParts,
} from "./collected.js";
export {
  equalsIgnoreCase,
  isAbsent,
  isRecord,
  readArray,
  readPath,
  readRecord,
  readString,
} from "./document.js";
export { DocumentError } from "./document-error.js";
export { fromArmDocument } from "./from-arm-document.js";
export { decodeBatchGetItem, fromConfigItem, isInventoried } from "./from-config-item.js";
