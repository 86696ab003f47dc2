/** Reports what importing the library loads: prints one JSON line. */
const zodLoaded = (): boolean => '__zod_globalConfig' in globalThis;
const library = await import('../../src/index.js');
const afterImport = zodLoaded();
const parsed = library.TaskStatusSchema.safeParse('InProgress').success;
const afterUse = zodLoaded();
const { z } = await import('zod');
const sameZod = library.TaskSchema instanceof z.ZodObject && z.array(library.TaskSchema).safeParse([]).success;
console.log(JSON.stringify({ afterImport, parsed, afterUse, sameZod }));
