import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { RequestValidationError } from './problem-details.ts';
import { unstorableFields } from './storable-input.ts';

/**
 * Routes are declared with zod schemas. Fastify gets their JSON Schema (for the OpenAPI document) and
 * validates with zod itself, through this map from each generated JSON Schema back to its zod schema,
 * so refinements that JSON Schema cannot express still hold.
 */
const zodOf = new WeakMap<object, z.ZodType>();

/** The JSON Schema (draft 7, as Fastify and OpenAPI 3 read it) of a zod schema, remembered for validation. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  zodOf.set(json, schema);
  return json;
}

/** Validates request parts with the zod schema behind each JSON Schema; answers are serialised as they are. */
export function useZodValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const zod = zodOf.get(schema as object);
    if (!zod) return () => true;
    return (data: unknown) => {
      const unstorable = unstorableFields(data, httpPart ?? 'request');
      if (unstorable.length > 0)
        return { error: new RequestValidationError(httpPart ?? 'request', unstorable) };
      const result = zod.safeParse(data);
      if (result.success) {
        // A body field the route does not declare is refused, not dropped: a client that sends
        // "admin": true, or misspells "quantity", learns so (decision 0025).
        const unknown = httpPart === 'body' ? unknownFields(data, result.data, 'body') : [];
        if (unknown.length > 0) return { error: new RequestValidationError('body', unknown) };
        return { value: result.data };
      }
      const errors = result.error.issues.map((issue) => ({
        path: [httpPart ?? 'request', ...issue.path.map(String)].join('.'),
        message: issue.message,
      }));
      return { error: new RequestValidationError(httpPart ?? 'request', errors) };
    };
  });
  // The handlers' answers are typed by their schemas already; JSON.stringify keeps every field.
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));
}

/**
 * Fields of `input` its schema did not keep in `output`: the keys a zod object strips, at any depth.
 * Where the schema turned an object into something else (a transform), there is nothing to compare.
 */
function unknownFields(input: unknown, output: unknown, path: string): { path: string; message: string }[] {
  if (Array.isArray(input) && Array.isArray(output)) {
    return input.flatMap((each, index) => unknownFields(each, output[index], `${path}.${index}`));
  }
  if (!isPlainObject(input) || !isPlainObject(output)) return [];
  const found: { path: string; message: string }[] = [];
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(output, key)) {
      found.push({ path: `${path}.${key}`, message: 'is not a field of this request' });
      continue;
    }
    found.push(...unknownFields(input[key], output[key], `${path}.${key}`));
  }
  return found;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
