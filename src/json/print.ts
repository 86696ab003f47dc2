/**
 * Values to pretty-printed JSON text in the layout the Rust writer uses (serde_json's pretty
 * printer: two-space indent, `"key": value`, `[]` and `{}` when empty, raw UTF-8, no trailing
 * newline). Records follow their {@link RecordForm}; numbers read from a file keep their source text
 * (see raw-numbers.ts). Linear in the size of the output.
 */
import { rawNumberText } from './raw-numbers.js';
import { isOmitted, type RecordForm } from './record-form.js';

/** Prints `value` as pretty JSON; `form`, when given, lays out the top-level record. */
export function printJson(value: unknown, form?: RecordForm): string {
  const out: string[] = [];
  writeValue(out, value, '', form, undefined, '');
  return out.join('');
}

function writeNumber(out: string[], container: object | undefined, key: string, value: number): void {
  const raw = container === undefined ? undefined : rawNumberText(container, key, value);
  if (raw !== undefined) {
    out.push(raw);
    return;
  }
  if (!Number.isFinite(value)) throw new TypeError(`cannot write the number ${value} as JSON`);
  out.push(JSON.stringify(value));
}

function writeValue(
  out: string[],
  value: unknown,
  indent: string,
  form: RecordForm | undefined,
  container: object | undefined,
  key: string,
  items?: RecordForm,
): void {
  if (value === null || value === undefined) {
    out.push('null');
    return;
  }
  switch (typeof value) {
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      writeNumber(out, container, key, value);
      return;
    case 'object':
      break;
    default:
      throw new TypeError(`cannot write a ${typeof value} as JSON`);
  }
  const inner = indent + '  ';
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[\n');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',\n');
      out.push(inner);
      writeValue(out, value[i], inner, items, value, String(i));
    }
    out.push('\n', indent, ']');
    return;
  }
  writeObject(out, value as Record<string, unknown>, indent, inner, form);
}

function writeObject(
  out: string[],
  obj: Record<string, unknown>,
  indent: string,
  inner: string,
  form: RecordForm | undefined,
): void {
  let first = true;
  const member = (key: string, v: unknown, sub?: RecordForm, items?: RecordForm): void => {
    out.push(first ? '{\n' : ',\n', inner, JSON.stringify(key), ': ');
    first = false;
    writeValue(out, v, inner, sub, obj, key, items);
  };
  if (form !== undefined) {
    for (const field of form.fields) {
      const v = obj[field.key];
      if (isOmitted(field, v)) continue;
      member(field.key, v, field.record, field.items);
    }
  }
  for (const key of Object.keys(obj)) {
    if (form?.known.has(key)) continue;
    const v = obj[key];
    if (v === undefined) continue;
    member(key, v);
  }
  out.push(first ? '{}' : `\n${indent}}`);
}

/**
 * Prints `value` as it appears at `indent` inside `container[key]` (so raw number text recorded for
 * that slot is honoured). For printers that assemble a document piece by piece.
 */
export function printValueAt(value: unknown, indent: string, form?: RecordForm, container?: object, key = ''): string {
  const out: string[] = [];
  writeValue(out, value, indent, form, container, key);
  return out.join('');
}
