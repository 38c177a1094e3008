import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

// biome-ignore lint/suspicious/noExplicitAny: hcl2json returns untyped JSON.
type Json = any;

/** One OpenTofu module (or environment) folder, every .tf file parsed and merged by block type. */
export interface TfModule {
  dir: string;
  blocks: Record<string, Record<string, Json>>;
}

/**
 * Parses each .tf file of a folder with HashiCorp's own HCL parser (compiled
 * to WebAssembly in @cdktf/hcl2json): a syntax error fails here.
 */
export async function loadModule(dir: string): Promise<TfModule> {
  const blocks: Record<string, Record<string, Json>> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const parsed = await parse(file, readFileSync(join(dir, file), 'utf8'));
    for (const [type, entries] of Object.entries(parsed as Record<string, Record<string, Json>>)) {
      blocks[type] = { ...blocks[type], ...entries };
    }
  }
  return { dir, blocks };
}

/** A project id literal: `projects/<id>/`, `<id>.svc.id.goog`, `@<id>.iam.gserviceaccount.com`, or a `project` argument set to a literal. */
const PROJECT_ID_LITERAL =
  /(projects\/[a-z][a-z0-9-]{4,28}[a-z0-9](\/|$)|(^|[^}\w-])[a-z][a-z0-9-]{4,28}[a-z0-9]\.svc\.id\.goog|@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com)/;

/**
 * The rules every module and environment keeps: variables typed, described
 * and used; outputs described; no project id written out; module calls pass
 * only declared variables and every required one.
 */
export function checkModule(module: TfModule, modulesByPath: Map<string, TfModule> = new Map()): string[] {
  const problems: string[] = [];
  const variables = Object.entries(module.blocks.variable ?? {}) as [string, Json[]][];
  const { variable: _variables, ...rest } = module.blocks;
  const body = JSON.stringify(rest);

  for (const [name, [definition]] of variables) {
    if (!definition?.description?.trim()) problems.push(`variable ${name} has no description`);
    if (!definition?.type) problems.push(`variable ${name} has no type`);
    if (!new RegExp(`\\bvar\\.${name}\\b`).test(body)) problems.push(`variable ${name} is never used`);
  }
  for (const [name, [definition]] of Object.entries(module.blocks.output ?? {}) as [string, Json[]][]) {
    if (!definition?.description?.trim()) problems.push(`output ${name} has no description`);
  }

  walk(rest, [], (path, value) => {
    const key = path.at(-1);
    if ((key === 'project' || key === 'project_id') && !/^\$\{/.test(value)) {
      problems.push(`${path.join('.')} is a literal project id "${value}"`);
    } else if (PROJECT_ID_LITERAL.test(value.replace(/\$\{[^}]*\}/g, '${}'))) {
      problems.push(`${path.join('.')} hard-codes a project id: "${value}"`);
    }
  });

  for (const [name, [call]] of Object.entries(module.blocks.module ?? {}) as [string, Json[]][]) {
    const target = modulesByPath.get(join(module.dir, call.source));
    if (!target) {
      problems.push(`module ${name}: source ${call.source} not found`);
      continue;
    }
    const declared = target.blocks.variable ?? {};
    for (const argument of Object.keys(call)) {
      if (['source', 'depends_on', 'providers', 'count', 'for_each', 'version'].includes(argument)) continue;
      if (!(argument in declared)) problems.push(`module ${name}: ${argument} is not a variable of ${call.source}`);
    }
    for (const [variable, [definition]] of Object.entries(declared) as [string, Json[]][]) {
      if (!('default' in definition) && !(variable in call)) problems.push(`module ${name}: required ${variable} not passed`);
    }
  }
  return problems;
}

function walk(value: Json, path: string[], visit: (path: string[], value: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(item, [...path, String(i)], visit);
  } else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k], visit);
}
