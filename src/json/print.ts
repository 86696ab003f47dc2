/**
 * Values to pretty-printed JSON text in the layout the Rust writer uses (serde_json's pretty
 * printer: two-space indent, `"key": value`, `[]` and `{}` when empty, raw UTF-8, no trailing
 * newline). Records follow their {@link RecordForm}; numbers read from a file keep their source text
 * (see raw-numbers.ts). O(size of the output).
 *
 * A document nested deeper than {@link MAX_DOCUMENT_DEPTH} levels is never printed (it could not be
 * read back): the printer throws a {@link JsonDepthError} instead. That also bounds its recursion.
 */
import { MAX_DOCUMENT_DEPTH, depthReason, pathOf } from './depth.js';
import { rawNumberText } from './raw-numbers.js';
import { isOmitted, type RecordForm } from './record-form.js';

/** A value too deeply nested to be written. */
export class JsonDepthError extends Error {
  /** Field path of the first value too deep, relative to the printed value. */
  readonly path: string;

  constructor(path: string, depth: number) {
    super(depthReason(path, depth, MAX_DOCUMENT_DEPTH));
    this.name = 'JsonDepthError';
    this.path = path;
  }
}

/** Prints `value` as pretty JSON; `form`, when given, lays out the top-level record. */
export function printJson(value: unknown, form?: RecordForm): string {
  return printValueAt(value, '', form);
}

/**
 * Prints `value` as it appears at `indent` inside `container[key]` (so raw number text recorded for
 * that slot is honoured). For printers that assemble a document piece by piece: the indent tells
 * how deep in the document the value sits (two spaces a level), which the depth limit counts.
 */
export function printValueAt(value: unknown, indent: string, form?: RecordForm, container?: object, key = ''): string {
  const printer = new Printer(indent.length >> 1);
  printer.value(value, indent, form, container, key);
  return printer.out.join('');
}

class Printer {
  readonly out: string[] = [];
  /** Keys from the printed value down to the container being written, for error paths. */
  private readonly keys: (string | number)[] = [];

  /** `levelsAbove`: open containers of the document around the printed value. */
  constructor(private readonly levelsAbove: number) {}

  private number(container: object | undefined, key: string, value: number): void {
    const raw = container === undefined ? undefined : rawNumberText(container, key, value);
    if (raw !== undefined) {
      this.out.push(raw);
      return;
    }
    if (!Number.isFinite(value)) throw new TypeError(`cannot write the number ${value} as JSON`);
    this.out.push(JSON.stringify(value));
  }

  value(value: unknown, indent: string, form: RecordForm | undefined, container: object | undefined, key: string, items?: RecordForm): void {
    const out = this.out;
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
        this.number(container, key, value);
        return;
      case 'object':
        break;
      default:
        throw new TypeError(`cannot write a ${typeof value} as JSON`);
    }
    const depth = this.levelsAbove + this.keys.length + 1;
    if (depth > MAX_DOCUMENT_DEPTH) throw new JsonDepthError(pathOf(this.keys), depth);
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
        const item: unknown = value[i];
        if (item !== null && typeof item === 'object') {
          this.keys.push(i);
          this.value(item, inner, items, value, String(i));
          this.keys.pop();
        } else {
          this.value(item, inner, items, value, String(i));
        }
      }
      out.push('\n', indent, ']');
      return;
    }
    this.object(value as Record<string, unknown>, indent, inner, form);
  }

  private member(obj: Record<string, unknown>, first: boolean, inner: string, key: string, v: unknown, sub?: RecordForm, items?: RecordForm): void {
    this.out.push(`${first ? '{\n' : ',\n'}${inner}${JSON.stringify(key)}: `);
    if (v !== null && typeof v === 'object') {
      this.keys.push(key);
      this.value(v, inner, sub, obj, key, items);
      this.keys.pop();
    } else {
      this.value(v, inner, sub, obj, key, items);
    }
  }

  private object(obj: Record<string, unknown>, indent: string, inner: string, form: RecordForm | undefined): void {
    let first = true;
    if (form !== undefined) {
      for (const field of form.fields) {
        const v = obj[field.key];
        if (isOmitted(field, v)) continue;
        this.member(obj, first, inner, field.key, v, field.record, field.items);
        first = false;
      }
    }
    for (const key of Object.keys(obj)) {
      if (form?.known.has(key)) continue;
      const v = obj[key];
      if (v === undefined) continue;
      this.member(obj, first, inner, key, v);
      first = false;
    }
    this.out.push(first ? '{}' : `\n${indent}}`);
  }
}
