/** Task ids: nanoid by default, injectable for tests. */
import { nanoid } from 'nanoid';

/** A source of fresh, unique task ids. */
export type IdGenerator = () => string;

/**
 * The default id generator: a 21-character nanoid that does not start with `-`, so an id passed
 * on a command line is never taken for an option (1 draw in 64 is redrawn).
 */
export const defaultIdGenerator: IdGenerator = () => {
  let id = nanoid();
  while (id.startsWith('-')) id = nanoid();
  return id;
};
