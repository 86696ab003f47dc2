/** Task ids: nanoid by default, injectable for tests. */
import { nanoid } from 'nanoid';

/** A source of fresh, unique task ids. */
export type IdGenerator = () => string;

/** The default id generator: 21-character nanoid. */
export const defaultIdGenerator: IdGenerator = () => nanoid();
