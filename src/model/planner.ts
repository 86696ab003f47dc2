/**
 * Planner replies to requirement breakdown specs. Never throws anything but TaskError, whatever the
 * text (README, guarantee 11), and takes time linear in the length of the text: nesting deeper than
 * a task file may hold is refused before anything is built.
 */
import { InvalidInputError, TaskSerializationError } from '../errors.js';
import { JsonSyntaxError, parseJsonText } from '../json/parse.js';
import { RequirementBreakdownTaskSpecSchema, type RequirementBreakdownTaskSpec } from '../schema/breakdown.js';
import { built, lazySchema, zod } from '../schema/lazy.js';
import { asciiLowercase, rustTrim } from './text.js';
import { optionalString, requireString } from './validate.js';
import { formatZodIssue } from './zod-issues.js';

const SpecArraySchema = lazySchema(() => zod().array(built(RequirementBreakdownTaskSpecSchema)));

function parseSpecArray(text: string): RequirementBreakdownTaskSpec[] {
  let value: unknown;
  try {
    value = parseJsonText(text, { untrusted: true });
  } catch (error) {
    const reason = error instanceof JsonSyntaxError ? error.message : String(error);
    throw new TaskSerializationError(`planner response is not valid JSON: ${reason}`, { cause: error });
  }
  const parsed = SpecArraySchema.safeParse(value);
  if (!parsed.success) {
    const { text: detail, path } = formatZodIssue(parsed.error);
    throw new TaskSerializationError(`planner response has an invalid task spec at ${detail}`, {
      fieldPath: path,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/**
 * Specs from a planner reply: the whole trimmed text as a JSON array, failing that the slice from
 * the first `[` to the last `]`; then normalised ({@link normalizeRequirementBreakdown}).
 */
export function parseRequirementBreakdownResponse(text: string): RequirementBreakdownTaskSpec[] {
  if (typeof text !== 'string') throw new InvalidInputError(`planner response must be a string, got ${typeof text}`);
  const trimmed = rustTrim(text);
  let specs: RequirementBreakdownTaskSpec[];
  try {
    specs = parseSpecArray(trimmed);
  } catch (error) {
    const start = trimmed.indexOf('[');
    if (start < 0) throw new TaskSerializationError('planner response did not contain a JSON array');
    const end = trimmed.lastIndexOf(']');
    if (end < start) throw new TaskSerializationError('planner response did not contain a closing JSON array bracket');
    // The slice is the whole text: parsing it again would fail the same way.
    if (start === 0 && end === trimmed.length - 1) throw error;
    specs = parseSpecArray(trimmed.slice(start, end + 1));
  }
  return normalizeRequirementBreakdown(specs);
}

/**
 * Trims names, descriptions and parent names (an empty parent name means none), trims and
 * lower-cases priorities, and checks the rules of a breakdown: at least one spec, names non-empty and
 * unique, descriptions non-empty, no self-parenting, parents among the names.
 */
export function normalizeRequirementBreakdown(specs: readonly RequirementBreakdownTaskSpec[]): RequirementBreakdownTaskSpec[] {
  if (specs.length === 0) throw new InvalidInputError('requirement breakdown did not include any task specs');
  const names = new Set<string>();
  const normalized = specs.map((spec) => {
    // Well-formed text only, checked as createTask checks it: every way in validates alike.
    const name = rustTrim(requireString(spec.name, 'requirement breakdown task name'));
    const description = rustTrim(requireString(spec.description, `description of requirement breakdown task '${name}'`));
    const parentName = optionalString(spec.parent_name, `parent name of requirement breakdown task '${name}'`);
    const parent = parentName === null ? '' : rustTrim(parentName);
    requireString(spec.priority, `priority of requirement breakdown task '${name}'`);
    if (name === '') throw new InvalidInputError('requirement breakdown included a task with an empty name');
    if (description === '') throw new InvalidInputError(`requirement breakdown task '${name}' is missing a description`);
    if (names.has(name)) throw new InvalidInputError(`requirement breakdown contains duplicate task name '${name}'`);
    names.add(name);
    return {
      name,
      description,
      priority: asciiLowercase(rustTrim(spec.priority)),
      is_blocking: spec.is_blocking,
      parent_name: parent === '' ? null : parent,
    };
  });
  for (const spec of normalized) {
    if (spec.parent_name === null) continue;
    if (spec.parent_name === spec.name) throw new InvalidInputError(`requirement breakdown task '${spec.name}' cannot parent itself`);
    if (!names.has(spec.parent_name)) {
      throw new InvalidInputError(`requirement breakdown task '${spec.name}' references unknown parent '${spec.parent_name}'`);
    }
  }
  return normalized;
}

/** The description a spec's task gets: description, then priority and blocking lines. */
export function specTaskDescription(spec: RequirementBreakdownTaskSpec): string {
  let out = spec.description;
  if (spec.priority !== '') out += `\n\nPriority: ${spec.priority}`;
  if (spec.is_blocking) out += '\nBlocking: yes';
  return out;
}
