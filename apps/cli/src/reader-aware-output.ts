import { Writable } from "node:stream";

/** An output stream that outlives the reader of the stream it writes to. */
export interface ReaderAwareOutput {
  /** Writes to the underlying stream until its reader has gone, then drops what it is given. */
  readonly stream: Writable;
  /** Resolves once everything written so far has reached the pipe, or been dropped. */
  settled(): Promise<void>;
  /** Whether the reader went away (a closed pipe) before everything was written. */
  readerGone(): boolean;
}

function isClosedPipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "EPIPE";
}

/**
 * Wraps stdout or stderr so that `plumbline … | head` ends quietly. Node ignores SIGPIPE and
 * reports a reader that went away as an EPIPE error event on the stream; unhandled, it ends the
 * process with a stack trace, and a command waiting for "drain" would fail instead. Here the
 * closed pipe is remembered, later writes are dropped at once, and the command finishes its
 * work (closing the store cleanly); once the output has settled, the caller picks the exit code.
 */
export function createReaderAwareOutput(target: Writable): ReaderAwareOutput {
  let gone = false;
  target.on("error", (error: unknown) => {
    if (isClosedPipe(error)) {
      gone = true;
      return;
    }
    // Any other failure of a standard stream is unexpected: end as Node would without us.
    throw error;
  });

  const stream = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, encoding: BufferEncoding, done: () => void) {
      if (gone) {
        done();
        return;
      }
      // The failure is not passed on: the command carries on and its output goes nowhere.
      target.write(chunk, encoding, (error) => {
        if (isClosedPipe(error)) gone = true;
        done();
      });
    },
  });
  return {
    stream,
    // Writes complete in order, so an empty one completes after every earlier one.
    settled: () => new Promise((resolve) => stream.write("", () => resolve())),
    readerGone: () => gone,
  };
}
