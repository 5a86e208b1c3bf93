/**
 * A JSON document whose array of items is written as pages arrive: `open`, the items separated
 * by commas, then `close`. Only one page is held at a time.
 */
export async function* jsonArrayStream<T>(
  open: string,
  pages: AsyncIterable<T[]>,
  toJson: (item: T) => unknown,
  close: string,
): AsyncGenerator<string> {
  yield open;
  let first = true;
  for await (const page of pages) {
    if (page.length === 0) continue;
    const text = page.map((item) => JSON.stringify(toJson(item))).join(",");
    yield first ? text : `,${text}`;
    first = false;
  }
  yield close;
}
