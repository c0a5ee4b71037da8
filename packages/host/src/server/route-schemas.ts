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
      if (result.success) return { value: result.data };
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
