/**
 * Key order and omission rules of every persisted record (SPEC A2), as data for the JSON printer.
 * "omitted" keys use `whenNone` / `whenEmpty`; keys written as `null` or always written use `never`.
 */
import { recordForm } from '../json/record-form.js';

/** Layout of a background job. */
export const BACKGROUND_JOB_FORM = recordForm([
  { key: 'status', omit: 'never' },
  { key: 'job_id', omit: 'whenNone' },
  { key: 'message', omit: 'whenNone' },
]);

/** Layout of a task. */
export const TASK_FORM = recordForm([
  { key: 'id', omit: 'never' },
  { key: 'name', omit: 'never' },
  { key: 'description', omit: 'never' },
  { key: 'status', omit: 'never' },
  { key: 'parent_id', omit: 'never' },
  { key: 'blocked_by', omit: 'whenEmpty' },
  { key: 'background_job', omit: 'whenNone', record: BACKGROUND_JOB_FORM },
  { key: 'sort_order', omit: 'never' },
  { key: 'phase', omit: 'whenNone' },
  { key: 'created_at', omit: 'never' },
  { key: 'updated_at', omit: 'never' },
  { key: 'session_id', omit: 'never' },
  { key: 'source', omit: 'never' },
  { key: 'orchestrator_task_id', omit: 'never' },
  { key: 'agent_id', omit: 'never' },
  { key: 'metadata', omit: 'never' },
]);

/** Layout of a task list (a session file). */
export const TASK_LIST_FORM = recordForm([
  { key: 'session_id', omit: 'never' },
  { key: 'tasks', omit: 'never', items: TASK_FORM },
  { key: 'current_task_id', omit: 'whenNone' },
]);

/** Layout of a memory event. */
export const MEMORY_EVENT_FORM = recordForm([
  { key: 'phase', omit: 'never' },
  { key: 'summary', omit: 'never' },
  { key: 'scope', omit: 'whenNone' },
  { key: 'memory_type', omit: 'whenNone' },
  { key: 'memory_file_path', omit: 'whenNone' },
  { key: 'recorded_at', omit: 'never' },
]);

/** Layout of a memory lifecycle. */
export const MEMORY_LIFECYCLE_FORM = recordForm([
  { key: 'events', omit: 'whenEmpty', items: MEMORY_EVENT_FORM },
  { key: 'last_memory_file_path', omit: 'whenNone' },
]);

/** Layout of a verification profile (every key always written). */
export const VERIFICATION_PROFILE_FORM = recordForm(
  [
    'execution_kind',
    'requires_mutation',
    'requires_build',
    'requires_test',
    'requires_external_evidence',
    'requires_launch_evidence',
    'parallel_safe',
  ].map((key) => ({ key, omit: 'never' as const })),
);

/** Layout of a piece of execution evidence. */
export const EXECUTION_EVIDENCE_FORM = recordForm([
  { key: 'kind', omit: 'never' },
  { key: 'summary', omit: 'never' },
  { key: 'tool_name', omit: 'whenNone' },
  { key: 'command', omit: 'whenNone' },
  { key: 'success', omit: 'never' },
  { key: 'recorded_at', omit: 'never' },
]);

/** Layout of an execution state. */
export const EXECUTION_STATE_FORM = recordForm([
  { key: 'verification_profile', omit: 'never', record: VERIFICATION_PROFILE_FORM },
  { key: 'saw_tool_activity', omit: 'never' },
  { key: 'saw_mutation', omit: 'never' },
  { key: 'saw_diagnostic_progress', omit: 'never' },
  { key: 'saw_contradiction', omit: 'never' },
  { key: 'saw_blocker', omit: 'never' },
  { key: 'build_succeeded', omit: 'never' },
  { key: 'test_succeeded', omit: 'never' },
  { key: 'last_runtime_note', omit: 'whenNone' },
  { key: 'evidence', omit: 'whenEmpty', items: EXECUTION_EVIDENCE_FORM },
]);

/** Layout of a requirement breakdown task spec. */
export const BREAKDOWN_SPEC_FORM = recordForm([
  { key: 'name', omit: 'never' },
  { key: 'description', omit: 'never' },
  { key: 'priority', omit: 'never' },
  { key: 'is_blocking', omit: 'never' },
  { key: 'parent_name', omit: 'never' },
]);
