/**
 * Schemas built on first use, so that importing the library builds none (zod itself is still
 * loaded with the library: a synchronous lazy load would hide it from bundlers).
 *
 * Every schema is exported as a {@link lazySchema}: an object that behaves as the zod schema it
 * stands for (methods, properties, `instanceof`, use inside other schemas), built by its builder
 * the first time anything touches it. Builders compose other schemas through {@link built}, so a
 * parse never goes through a proxy per value.
 */
import { z } from 'zod';

let builtCount = 0;

/** The zod namespace, for schema builders. */
export function zod(): typeof z {
  return z;
}

/** How many schemas have been built so far in this process (for tests of import cost). */
export function builtSchemaCount(): number {
  return builtCount;
}

const builders = new WeakMap<object, () => object>();

/**
 * A stand-in for the schema `build` returns, built the first time it is used and then used
 * directly. O(1) per access once built.
 */
export function lazySchema<T extends object>(build: () => T): T {
  let schema: T | undefined;
  const get = (): T => {
    if (schema === undefined) {
      schema = build();
      builtCount++;
    }
    return schema;
  };
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
