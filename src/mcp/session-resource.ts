/**
 * The session files as MCP resources: `gestura-tasks://sessions/{session}` is the session's JSON
 * text exactly as stored (what `gestura-tasks export` prints: the bytes of the file the library
 * writes). Resources are bounded like tool results: a file larger than one part
 * ({@link RESOURCE_PART_BYTES}) is not cut into invalid JSON; the resource then gives a short note
 * naming its parts, `gestura-tasks://sessions/{session}/parts/{n}` (1-based), whose UTF-8 bytes
 * joined in order are exactly the file.
 */
import { McpError, ErrorCode, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { encodeTaskList, type TaskManager } from '../index.js';

/** Most bytes one resource read returns (the same budget as one tool result). */
export const RESOURCE_PART_BYTES = 60_000;
/** Sessions named by a resource listing; any other can still be read by its URI. */
const SESSIONS_LISTED = 200;

const SCHEME = 'gestura-tasks://sessions/';

/** The URI of a session's resource. */
export function sessionResourceUri(session: string): string {
  return `${SCHEME}${encodeURIComponent(session)}`;
}

/** The URI of part `n` (1-based) of a session's resource. */
export function sessionPartUri(session: string, n: number): string {
  return `${sessionResourceUri(session)}/parts/${n}`;
}

/** Byte offsets cutting `bytes` into parts of at most `max` bytes, never inside a UTF-8 character. */
function partBounds(bytes: Uint8Array, max: number): number[] {
  const bounds = [0];
  let at = 0;
  while (at < bytes.length) {
    let end = Math.min(at + max, bytes.length);
    // Step back over continuation bytes (10xxxxxx) so the cut falls between characters.
    while (end < bytes.length && end > at + 1 && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    bounds.push(end);
    at = end;
  }
  return bounds;
}

function variable(value: string | string[] | undefined, name: string): string {
  const raw = Array.isArray(value) ? value.join(',') : (value ?? '');
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new McpError(ErrorCode.InvalidParams, `malformed ${name} in the resource URI`);
  }
}

/** The stored text of `session` as bytes; an MCP error when the session has no stored list. */
async function sessionBytes(manager: TaskManager, session: string): Promise<Buffer> {
  if (!(await manager.listSessions()).includes(session)) {
    throw new McpError(ErrorCode.InvalidParams, `no stored session '${session}'`);
  }
  return Buffer.from(encodeTaskList(await manager.loadTaskList(session)), 'utf8');
}

/** Registers the session resources on `server`. */
export function registerSessionResources(server: McpServer, manager: TaskManager): void {
  server.registerResource(
    'session',
    new ResourceTemplate(`${SCHEME}{session}`, {
      list: async () => {
        const sessions = await manager.listSessions();
        return {
          resources: sessions.slice(0, SESSIONS_LISTED).map((session) => ({
            uri: sessionResourceUri(session),
            name: session,
            title: `Session ${session}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'Session file',
      description: `A session's task list exactly as stored (JSON). Files over ${RESOURCE_PART_BYTES.toLocaleString('en-US')} bytes are given in parts.`,
      mimeType: 'application/json',
    },
    async (uri, vars): Promise<ReadResourceResult> => {
      const session = variable(vars.session, 'session');
      const bytes = await sessionBytes(manager, session);
      if (bytes.length <= RESOURCE_PART_BYTES) {
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: bytes.toString('utf8') }] };
      }
      const parts = partBounds(bytes, RESOURCE_PART_BYTES).length - 1;
      const text =
        `The session file is ${bytes.length.toLocaleString('en-US')} bytes, more than one read returns. ` +
        `Read it in ${parts} parts, ${sessionPartUri(session, 1)} to ${sessionPartUri(session, parts)}; ` +
        'their texts joined in order are the file. Or use the tools (task_tree, list_tasks) for a bounded view.';
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
    },
  );

  server.registerResource(
    'session_part',
    new ResourceTemplate(`${SCHEME}{session}/parts/{part}`, { list: undefined }),
    { title: 'Part of a session file', description: 'Part n (1-based) of a session file too large for one read.', mimeType: 'application/json' },
    async (uri, vars): Promise<ReadResourceResult> => {
      const session = variable(vars.session, 'session');
      const part = variable(vars.part, 'part');
      const bytes = await sessionBytes(manager, session);
      const bounds = partBounds(bytes, RESOURCE_PART_BYTES);
      const n = /^[1-9]\d{0,8}$/.test(part) ? Number(part) : 0;
      if (n < 1 || n >= bounds.length) {
        throw new McpError(ErrorCode.InvalidParams, `no part '${part}': the session file has ${Math.max(bounds.length - 1, 1)} part(s)`);
      }
      const text = bytes.subarray(bounds[n - 1], bounds[n]).toString('utf8');
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text }] };
    },
  );
}
