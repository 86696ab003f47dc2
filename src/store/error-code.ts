/** The `code` of a Node.js system error (`ENOENT`, `ELOCKED`, …), or undefined. */
export function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}
