/**
 * How a record is laid out as JSON: which keys, in which order, when each is left out, and the
 * form of nested records. Forms are data (the instances live in `src/schema/json-forms.ts`); the
 * printer and `toOrderedJson` interpret them. Keys a form does not name are kept after the named
 * ones, in their own order, so unknown keys from newer writers survive.
 */

/** When a key is left out of the JSON. */
export type OmitRule =
  /** Always written (`null` when the value is null or missing). */
  | 'never'
  /** Left out when the value is `undefined` or `null`. */
  | 'whenNone'
  /** Left out when the value is missing or an empty array. */
  | 'whenEmpty';

/** One key of a record form. */
export interface FieldForm {
  readonly key: string;
  readonly omit: OmitRule;
  /** Form of the value when it is a record. */
  readonly record?: RecordForm;
  /** Form of each element when the value is an array of records. */
  readonly items?: RecordForm;
}

/** The ordered keys of a record. */
export interface RecordForm {
  readonly fields: readonly FieldForm[];
  /** Set of the named keys, for O(1) membership. */
  readonly known: ReadonlySet<string>;
}

/** Builds a {@link RecordForm} from its fields in order. O(fields). */
export function recordForm(fields: readonly FieldForm[]): RecordForm {
  return { fields, known: new Set(fields.map((f) => f.key)) };
}

/** True when the value of `field` is to be left out of the JSON. O(1). */
export function isOmitted(field: FieldForm, value: unknown): boolean {
  switch (field.omit) {
    case 'never':
      return false;
    case 'whenNone':
      return value === undefined || value === null;
    case 'whenEmpty':
      return value === undefined || (Array.isArray(value) && value.length === 0);
  }
}
