import { readFileSync } from 'node:fs';
import type { TfModule } from './hcl.js';

interface Block {
  arguments: string[];
  required: string[];
  blocks: Record<string, Block>;
}
interface ProviderSchema {
  source: string;
  provider: string;
  resource: Record<string, Block>;
  data: Record<string, Block>;
}

/** The google provider's arguments and blocks, extracted by provider-schema/generate.mjs. */
export const GOOGLE_SCHEMA = JSON.parse(readFileSync(new URL('provider-schema/google.json', import.meta.url), 'utf8')) as ProviderSchema;

/** Arguments every resource takes, whatever its provider. */
const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection']);

/**
 * Checks every google_* resource and data source of a module against the
 * provider schema: an argument or block the provider does not have fails, and
 * so does a missing required argument. Other providers' types are not checked.
 */
export function checkAgainstProvider(module: TfModule, schema: ProviderSchema = GOOGLE_SCHEMA): string[] {
  const problems: string[] = [];
  for (const kind of ['resource', 'data'] as const) {
    for (const [type, instances] of Object.entries(module.blocks[kind] ?? {})) {
      if (!type.startsWith('google_')) continue;
      const definition = schema[kind][type];
      for (const [name, bodies] of Object.entries(instances as Record<string, unknown[]>)) {
        const where = `${kind}.${type}.${name}`;
        if (!definition) {
          problems.push(`${where}: ${type} is not a ${kind} of ${schema.provider}`);
          continue;
        }
        for (const body of bodies) checkBody(body as Record<string, unknown>, definition, where, problems, true);
      }
    }
  }
  return problems;
}

function checkBody(body: Record<string, unknown>, definition: Block, where: string, problems: string[], topLevel: boolean): void {
  for (const [key, value] of Object.entries(body)) {
    if (topLevel && META_ARGUMENTS.has(key)) continue;
    if (key === 'dynamic') {
      for (const [name, uses] of Object.entries(value as Record<string, { content?: Record<string, unknown>[] }[]>)) {
        const nested = definition.blocks[name];
        if (!nested) problems.push(`${where}: dynamic ${name} is not a block here`);
        else for (const use of uses) for (const content of use.content ?? []) checkBody(content, nested, `${where}.${name}`, problems, false);
      }
    } else if (definition.blocks[key]) {
      const nested = definition.blocks[key];
      for (const item of Array.isArray(value) ? value : [value]) checkBody(item as Record<string, unknown>, nested, `${where}.${key}`, problems, false);
    } else if (!definition.arguments.includes(key)) {
      problems.push(`${where}: unknown argument ${key}`);
    }
  }
  for (const required of definition.required) {
    if (!(required in body)) problems.push(`${where}: required argument ${required} is missing`);
  }
}
