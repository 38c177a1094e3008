import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { globalRegistry, type z } from 'zod';

type OverrideContext = { zodSchema: z.core.$ZodType; jsonSchema: z.core.JSONSchema.BaseSchema };

/**
 * How zod schemas become JSON Schema in the document. zod drops `examples` from the
 * request form of any schema with a transform inside (a license key is normalised),
 * yet the examples are valid requests: they are put back from the schema's metadata.
 */
function override({ zodSchema, jsonSchema }: OverrideContext): void {
  // As the type provider does: unrepresentable members of a union are left out.
  if (jsonSchema.anyOf) jsonSchema.anyOf = jsonSchema.anyOf.filter((s) => Object.keys(s).length > 0);
  const examples = globalRegistry.get(zodSchema)?.examples;
  if (examples && !jsonSchema.examples) jsonSchema.examples = examples as unknown[];
}

const zodToJsonConfig = { override: override as never };
export const routeSchemaTransform: SwaggerTransform = createJsonSchemaTransform({ zodToJsonConfig });
export const componentsTransform: SwaggerTransformObject = createJsonSchemaTransformObject({ zodToJsonConfig });
