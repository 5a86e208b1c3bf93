import type { Provider } from "../model.js";
import type { ControlReference } from "./types.js";

/** The cloud a reference is about, or null when it applies to every cloud. */
function providerOfReference(reference: ControlReference): Provider | null {
  switch (reference.kind) {
    case "azure-policy":
      return "azure";
    case "aws-config-rule":
      return "aws";
    case "documentation":
      return reference.provider ?? null;
  }
}

/**
 * The references that apply to a subject of one cloud: its own cloud's and the neutral ones.
 * A subject of no cloud (a data-flow stage, an owner) keeps every reference.
 */
export function referencesForProvider(
  references: readonly ControlReference[],
  provider: Provider | null,
): ControlReference[] {
  if (provider === null) return [...references];
  return references.filter((reference) => {
    const own = providerOfReference(reference);
    return own === null || own === provider;
  });
}
