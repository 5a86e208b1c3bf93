/** An estate directory or its settings cannot be served; the message names the file and field. */
export class EstateError extends Error {
  override readonly name = "EstateError";
}
