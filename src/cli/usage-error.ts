/** Bad command-line input: the CLI prints the message and exits 2 instead of a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}
