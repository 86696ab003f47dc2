/**
 * zod and the schemas, loaded and built on first use, so that importing the library costs no
 * schema work and no zod (about half the import time otherwise).
 *
 * Every schema is exported as a {@link lazySchema}: an object that behaves as the zod schema it
 * stands for (methods, properties, `instanceof`, use inside other schemas), built by its builder
 * the first time anything touches it. Builders compose other schemas through {@link built}, so a
 * parse never goes through a proxy per value.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as Zod from 'zod';

let zodModule: typeof Zod | undefined;

/** The zod namespace (`z`), loaded synchronously the first time a schema is built. */
export function zod(): typeof Zod.z {
  zodModule ??= loadZod();
  return zodModule.z;
}

function loadZod(): typeof Zod {
  const require = createRequire(import.meta.url);
  let entry = 'zod';
  try {
    // The ES module build: the very instance an `import 'zod'` elsewhere in the program gets
    // (Node 20.19 and later load ES modules with `require`).
    entry = fileURLToPath(import.meta.resolve('zod'));
  } catch {
    // No import.meta.resolve (some test runners and bundlers): the package's own entry.
  }
  return require(entry) as typeof Zod;
}

const builders = new WeakMap<object, () => object>();

/**
 * A stand-in for the schema `build` returns, built the first time it is used and then used
 * directly. O(1) per access once built.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let schema: T | undefined;
  const get = (): T => (schema ??= build());
  const proxy = new Proxy({} as T, {
    get: (_target, key) => Reflect.get(get(), key),
    set: (_target, key, value) => Reflect.set(get(), key, value),
    has: (_target, key) => Reflect.has(get(), key),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(get(), key);
      // A proxy may only report properties its (empty) target could have: configurable ones.
      if (descriptor !== undefined) descriptor.configurable = true;
      return descriptor;
    },
    defineProperty: (_target, key, descriptor) => Reflect.defineProperty(get(), key, descriptor),
    deleteProperty: (_target, key) => Reflect.deleteProperty(get(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(get()),
  });
  builders.set(proxy, get);
  return proxy;
}

/** The schema behind `schema` (built now if need be), for composing schemas in builders. */
export function built<T extends object>(schema: T): T {
  const get = builders.get(schema);
  return get === undefined ? schema : (get() as T);
}
