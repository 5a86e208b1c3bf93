/** A property an evidence path points at inside an excerpt, and whether it is there. */
export interface ExcerptFocus {
  key: string | number;
  found: boolean;
}

/**
 * The raw document around evidence paths, pretty-printed, with the lines of the properties
 * the verdict read marked, and a note for each property that is absent.
 */
export function JsonExcerpt({
  at,
  value,
  focus,
}: {
  at: string;
  value: unknown;
  focus: ExcerptFocus[];
}) {
  const lines = (JSON.stringify(value, null, 2) ?? "undefined").split("\n");
  // Top-level keys of the excerpt sit on lines indented by two spaces.
  const markers = focus
    .filter((item) => item.found && typeof item.key === "string")
    .map((item) => `  ${JSON.stringify(item.key)}:`);
  const absent = focus.filter((item) => !item.found);
  return (
    <figure className="json-excerpt">
      <figcaption>
        Around <code>{at === "" ? "the document root" : at}</code>
        {absent.map((item) => (
          <span key={String(item.key)} className="absent-note">
            {" "}
            — <code>{String(item.key)}</code> is absent here
          </span>
        ))}
      </figcaption>
      <pre>
        {lines.map((line, index) => (
          <span
            // biome-ignore lint/suspicious/noArrayIndexKey: lines of one fixed text.
            key={index}
            className={
              markers.some((marker) => line.startsWith(marker)) ? "json-line focus" : "json-line"
            }
          >
            {line}
          </span>
        ))}
      </pre>
    </figure>
  );
}
