import { isRecord } from "./document.js";

/** One value found in a document, with the concrete path that holds it. */
export interface FoundValue {
  path: string;
  value: unknown;
}

/**
 * Every value matching a dotted pattern in which `[*]` stands for each element of an array
 * (`properties.privateEndpointConnections[*].properties.privateEndpoint.id`). Missing steps
 * yield nothing.
 */
export function collectValues(document: unknown, pattern: string): FoundValue[] {
  let frontier: FoundValue[] = [{ path: "", value: document }];
  for (const step of pattern.split(".")) {
    const expand = step.endsWith("[*]");
    const key = expand ? step.slice(0, -3) : step;
    const next: FoundValue[] = [];
    for (const found of frontier) {
      if (!isRecord(found.value) || !Object.hasOwn(found.value, key)) continue;
      const path = found.path === "" ? key : `${found.path}.${key}`;
      const value = found.value[key];
      if (!expand) {
        next.push({ path, value });
      } else if (Array.isArray(value)) {
        value.forEach((element, index) => {
          next.push({ path: `${path}[${index}]`, value: element });
        });
      }
    }
    frontier = next;
  }
  return frontier;
}
