/** What model code needs from the outside world, passed explicitly. */
import { systemClock, type Clock } from './clock.js';
import { defaultIdGenerator, type IdGenerator } from './ids.js';

/** Clock and id source used by model operations. */
export interface ModelEnv {
  readonly clock: Clock;
  readonly newId: IdGenerator;
}

/** The real clock and nanoid. */
export const defaultEnv: ModelEnv = { clock: systemClock, newId: defaultIdGenerator };
