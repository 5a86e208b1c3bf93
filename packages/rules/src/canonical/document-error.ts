/**
 * A raw document that cannot become a canonical resource at all (no id, no account): a
 * collector fault, never a verdict. `details` holds the fields that identify the document.
 */
export class DocumentError extends Error {
  override readonly name = "DocumentError";
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown>) {
    super(message);
    this.details = details;
  }
}
