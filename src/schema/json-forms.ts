/**
 * Key order and omission rules of the persisted records, as data for the JSON printer: the order
 * and omissions of the Rust writer, so files round-trip byte for byte (README, "The file format").
 * Keys left out when absent use `whenNone` / `whenEmpty`; keys written as `null` or always written
 * use `never`. The session file's own top level is laid out by the store's codec.
 */
import { recordForm } from '../json/record-form.js';

/** Layout of a background job. */
const BACKGROUND_JOB_FORM = recordForm([
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

/** Layout of a memory event. */
const MEMORY_EVENT_FORM = recordForm([
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
const VERIFICATION_PROFILE_FORM = recordForm(
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
const EXECUTION_EVIDENCE_FORM = recordForm([
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
