/**
 * MCP over stdio (newline-delimited JSON-RPC) that answers every request. The SDK's own stdio
 * transport closes the connection — and so ends the server without a word — when a message is
 * larger than its buffer, and its buffer grows by copying itself on every chunk. This one:
 *
 * - keeps each message's chunks and joins them once (linear in the message size);
 * - never holds more than `maxMessageBytes` of one message: a larger one is skipped up to its
 *   newline and answered with a JSON-RPC error (InvalidRequest) naming the size limit, using the
 *   request id found at the message's start or end (where JSON writers put it);
 * - answers a line that is not JSON with a ParseError (id null), and keeps serving.
 */
import type { Readable, Writable } from 'node:stream';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';

/** Default largest message accepted: 4 MiB (a planner reply of tens of thousands of tasks). */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Bytes kept from the start and the end of a skipped message to find its id. */
const EDGE_BYTES = 4096;

const NEWLINE = 0x0a;

/** The JSON-RPC id in the start or end of a message, if one can be read there. */
/**
 * The `id` of a JSON text that is an object with a string or number id; null for an object
 * without one; undefined when the text is not JSON. O(length): JSON.parse does not recurse.
 */
function topLevelId(line: string): RequestId | null | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function findRequestId(head: string, tail: string): RequestId | null {
  const pattern = /"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\]|\\.){0,200}")/g;
  for (const text of [tail, head]) {
    const matches = [...text.matchAll(pattern)];
    // The id of a JSON-RPC request is a top-level key: in the tail the last match, in the head the first.
    const match = text === tail ? matches.at(-1) : matches[0];
    if (match?.[1] !== undefined) return JSON.parse(match[1]) as RequestId;
  }
  return null;
}

/** A server-side stdio transport with a per-message size limit; see the file comment. */
export class BoundedStdioServerTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  readonly #stdin: Readable;
  readonly #stdout: Writable;
  readonly #max: number;
  #chunks: Buffer[] = [];
  #size = 0;
  /** Set while skipping an oversized message: its first bytes, its total size so far, its last bytes. */
  #skipping: { head: string; bytes: number; tail: Buffer } | null = null;
  #started = false;

  constructor(stdin: Readable, stdout: Writable, options: { maxMessageBytes?: number } = {}) {
    this.#stdin = stdin;
    this.#stdout = stdout;
    this.#max = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  }

  readonly #onData = (chunk: Buffer | string): void => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    while (data.length > 0) {
      const nl = data.indexOf(NEWLINE);
      const piece = nl < 0 ? data : data.subarray(0, nl);
      this.#take(piece);
      if (nl < 0) break;
      this.#endOfMessage();
      data = data.subarray(nl + 1);
    }
  };

  readonly #onError = (error: Error): void => {
    this.onerror?.(error);
  };

  #take(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.#skipping !== null) {
      this.#skipping.bytes += piece.length;
      this.#skipping.tail = Buffer.concat([this.#skipping.tail, piece]).subarray(-EDGE_BYTES);
      return;
    }
    if (this.#size + piece.length > this.#max) {
      const all = Buffer.concat([...this.#chunks, piece.subarray(0, EDGE_BYTES)]);
      this.#skipping = {
        head: all.subarray(0, EDGE_BYTES).toString('utf8'),
        bytes: this.#size + piece.length,
        tail: Buffer.from(piece.subarray(-EDGE_BYTES)),
      };
      this.#chunks = [];
      this.#size = 0;
      return;
    }
    this.#chunks.push(Buffer.from(piece));
    this.#size += piece.length;
  }

  #endOfMessage(): void {
    if (this.#skipping !== null) {
      const { head, bytes, tail } = this.#skipping;
      this.#skipping = null;
      const id = findRequestId(head, tail.toString('utf8'));
      this.#replyError(id, ErrorCode.InvalidRequest, `message of ${bytes} bytes is larger than this server accepts (${this.#max} bytes); send less at once`);
      return;
    }
    const line = Buffer.concat(this.#chunks, this.#size).toString('utf8').replace(/\r$/, '');
    this.#chunks = [];
    this.#size = 0;
    if (line.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      // JSON the message schema could not check (nested too deep for it, say) is still answered
      // by its id, so the client is not left waiting; text that is not JSON gets id null.
      const id = topLevelId(line);
      if (id === undefined) this.#replyError(null, ErrorCode.ParseError, 'message is not a JSON-RPC message');
      else this.#replyError(id, ErrorCode.InvalidRequest, 'message is not a valid JSON-RPC message');
      return;
    }
    this.onmessage?.(message);
  }

  #replyError(id: RequestId | null, code: number, message: string): void {
    // JSON-RPC answers unidentifiable requests with id null; the SDK's types do not allow it.
    void this.send({ jsonrpc: '2.0', id, error: { code, message } } as unknown as JSONRPCMessage);
  }

  start(): Promise<void> {
    if (this.#started) throw new Error('transport already started');
    this.#started = true;
    this.#stdin.on('data', this.#onData);
    this.#stdin.on('error', this.#onError);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stdout.write(serializeMessage(message))) resolve();
      else this.#stdout.once('drain', resolve);
    });
  }

  close(): Promise<void> {
    this.#stdin.off('data', this.#onData);
    this.#stdin.off('error', this.#onError);
    if (this.#stdin.listenerCount('data') === 0) this.#stdin.pause();
    this.#chunks = [];
    this.#size = 0;
    this.#skipping = null;
    this.onclose?.();
    return Promise.resolve();
  }
}
