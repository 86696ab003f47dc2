/**
 * The three writes the page may make when the server allows them: change a task's status, add a
 * task, claim the next ready task (with a lease). Each is one library call, so the library's checks apply (a
 * completion with open subtasks is refused, and so on); its refusals come back as 400/404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { claimFor, nowTimestamp, parseLease } from '../app/claims.js';
import type { TaskManager } from '../manager.js';
import { HttpError, readJsonBody, sendJson } from './http.js';
import { DEFAULT_DASHBOARD_LEASE_MS, type ClaimResponse } from './protocol.js';
import { claimInfo } from './view-model.js';

function optional(body: Record<string, unknown>, key: string): unknown {
  const value = body[key];
  return value === undefined || value === null || value === '' ? undefined : value;
}

/** Handles a POST below /api/sessions/:sid (`rest` is the path after the session id). */
export async function handleWrite(
  manager: TaskManager,
  req: IncomingMessage,
  res: ServerResponse,
  sessionId: string,
  rest: readonly string[],
): Promise<void> {
  if (rest.length === 3 && rest[0] === 'tasks' && rest[2] === 'status') {
    const body = await readJsonBody(req);
    const task = await manager.updateTaskStatus(sessionId, rest[1] as string, body.status as string);
    return sendJson(res, 200, { id: task.id, status: task.status });
  }
  if (rest.length === 1 && rest[0] === 'tasks') {
    const body = await readJsonBody(req);
    const task = await manager.createTask(
      sessionId,
      body.name as string,
      (optional(body, 'description') ?? '') as string,
      optional(body, 'parentId') as string | undefined,
    );
    return sendJson(res, 201, { id: task.id, status: task.status });
  }
  if (rest.length === 1 && rest[0] === 'claim') {
    // Always leased: a task claimed from the page for an agent that never shows up is ready again
    // once the lease runs out.
    const body = await readJsonBody(req);
    const lease = optional(body, 'lease');
    const leaseMs = optional(body, 'leaseMs') ?? (lease === undefined ? DEFAULT_DASHBOARD_LEASE_MS : parseLease(String(lease), 'lease'));
    const { task } = await claimFor(manager, sessionId, body.agentId as string, { leaseMs: leaseMs as number });
    const claim = task === null ? null : claimInfo(task, nowTimestamp());
    const response: ClaimResponse = task === null ? { id: null } : { id: task.id, status: task.status, ...(claim === null ? {} : { claim }) };
    return sendJson(res, 200, response);
  }
  throw new HttpError(404, 'not found');
}
