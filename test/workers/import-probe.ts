/** Reports what importing the library builds: prints one JSON line. */
const library = await import('../../src/index.js');
const { builtSchemaCount } = await import('../../src/schema/lazy.js');
const afterImport = builtSchemaCount();
const parsed = library.TaskStatusSchema.safeParse('InProgress').success;
const afterUse = builtSchemaCount();
const { z } = await import('zod');
const composes = library.TaskSchema instanceof z.ZodObject && z.array(library.TaskSchema).safeParse([]).success;
console.log(JSON.stringify({ afterImport, parsed, afterUse, composes }));
