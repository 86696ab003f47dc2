/**
 * The MCP adapters registered on the SDK's own McpServer (as the server wires them): a client
 * sees the original texts, sloppy arguments get through the SDK, and the resume prompt works.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { MemoryTaskStore, TaskManager, estimateTokens, resumeSessionPrompt, taskToolsForMcp } from '../src/index.js';

function counterIds(): () => string {
  let n = 0;
  return () => `id-${++n}`;
}

describe('task tool on an MCP server', () => {
  it('passes sloppy arguments through the SDK and answers with the original texts', async () => {
    const manager = new TaskManager('unused', { store: new MemoryTaskStore(), newId: counterIds() });
    const server = new McpServer({ name: 'test', version: '0.0.0' });
    for (const tool of taskToolsForMcp(manager, { sessionId: 'main', names: ['task', 'task_update_status'] })) {
      server.registerTool(tool.name, { description: tool.description, inputSchema: tool.zodInputSchema }, (args) => tool.handler(args));
    }
    server.registerPrompt('resume_session', { description: 'Where the session stands' }, async () => ({
      messages: [{ role: 'user', content: { type: 'text', text: await resumeSessionPrompt(manager, 'main', 500) } }],
    }));
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = new Client({ name: 'c', version: '0.0.0' });
    await client.connect(clientTransport);

    const listed = await client.listTools();
    const task = listed.tools.find((t) => t.name === 'task')!;
    expect((task.inputSchema.properties as Record<string, { enum?: string[] }>).operation!.enum).toContain('get_hierarchy');
    expect(task.inputSchema).not.toHaveProperty('oneOf');

    const call = async (name: string, args: Record<string, unknown>): Promise<CallToolResult> =>
      (await client.callTool({ name, arguments: args })) as CallToolResult;
    const textOf = (r: CallToolResult): string => (r.content[0] as { text: string }).text;

    expect(textOf(await call('task', { operation: 'Create', name: 'Plan', desc: 7 }))).toBe("Created task 'Plan' (ID: id-1)\nDescription: 7\nStatus: NotStarted");
    const updated = await call('task_update_status', { taskId: 'id-1', state: 'In Progress' });
    expect([textOf(updated), updated.isError ?? false]).toEqual(['Updated task id-1 status to InProgress', false]);
    const refused = await call('task', { operation: 'delete' });
    expect([textOf(refused), refused.isError]).toEqual(["Missing required field 'task_id' for delete operation", true]);
    expect(textOf(await call('task', { operation: 'list', session: 'elsewhere' }))).toBe('No tasks found for this session');

    const prompt = await client.getPrompt({ name: 'resume_session' });
    const text = (prompt.messages[0]!.content as { text: string }).text;
    expect(text).toContain("Current task: none.");
    expect(text).toContain("'Plan' [in_progress] (ID: id-1)");
    expect(estimateTokens(text)).toBeLessThanOrEqual(500);
    await client.close();
  });
});
