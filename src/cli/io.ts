/** What the CLI needs from its process (types and one small function: loading this costs nothing). */

/** A writable text stream (process.stdout or a test double). */
export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** The process around the CLI: streams, environment, working directory. */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Read by `import` without a file, and by `mcp`. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** The raw stdout stream for the MCP server (defaults to process.stdout). */
  readonly stdoutStream?: NodeJS.WritableStream;
  readonly env: Record<string, string | undefined>;
  readonly cwd: string;
}

/** Options every command accepts. */
export interface GlobalOptions {
  dir?: string;
  databaseUrl?: string;
  session?: string;
  json?: boolean;
}

/** Default session when neither `--session` nor `GESTURA_SESSION` is given. */
export const DEFAULT_SESSION = 'default';

/**
 * The CLI's view of the real process: its streams, environment and working directory. `stdin` is
 * opened at its first use (only `import` and `mcp` read it; opening it costs ~2 ms per call).
 */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    get stdin() {
      return process.stdin;
    },
    stdoutStream: process.stdout,
    env: process.env,
    cwd: process.cwd(),
  };
}
