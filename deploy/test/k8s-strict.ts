import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import type { K8sObject } from './kustomize.js';

const require = createRequire(import.meta.url);
/** Where each apiVersion's published TypeScript declarations live (the same packages the schema check uses). */
const DECLARATIONS: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'cert-manager.io/v1': '@kubernetes-models/cert-manager/cert-manager.io/v1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

const fileOf = (apiVersion: string, kind: string): string | null => {
  const pkg = DECLARATIONS[apiVersion];
  if (!pkg) return null;
  const [scopeOrName = '', maybeName = ''] = pkg.split('/');
  const name = scopeOrName.startsWith('@') ? `${scopeOrName}/${maybeName}` : scopeOrName;
  const root = dirname(require.resolve(`${name}/package.json`));
  return join(root, pkg.slice(name.length), `${kind}.d.ts`);
};

let program: ts.Program | null = null;
function checker(files: string[]): ts.TypeChecker {
  const missing = files.filter((f) => !program?.getSourceFile(f));
  if (!program || missing.length > 0) {
    const roots = [...new Set([...(program?.getRootFileNames() ?? []), ...files])];
    program = ts.createProgram(roots, { noEmit: true, skipLibCheck: true, strict: true, types: [] }, undefined, program ?? undefined);
  }
  return program.getTypeChecker();
}

/**
 * Fields that are not in the kind's published schema, e.g. a misspelt
 * `readinesProbe`: the API server drops (or, with strict field validation,
 * refuses) them, so the setting silently never applies. The model packages'
 * validators allow unknown fields; their TypeScript declarations list every
 * field, so the object is walked against those with the TypeScript checker.
 */
export function unknownFields(objects: K8sObject[]): string[] {
  const files = objects.map((o) => fileOf(o.apiVersion, o.kind)).filter((f): f is string => f !== null);
  const check = checker(files);
  return objects.flatMap((object) => unknownFieldsOf(check, object));
}

function unknownFieldsOf(check: ts.TypeChecker, object: K8sObject): string[] {
  const file = fileOf(object.apiVersion, object.kind);
  if (!file) return [];
  const source = program?.getSourceFile(file);
  const moduleSymbol = source && check.getSymbolAtLocation(source);
  const exported = moduleSymbol && check.getExportsOfModule(moduleSymbol).find((s) => s.name === `I${object.kind}`);
  if (!exported) return [`${object.kind}/${object.metadata?.name}: no declaration I${object.kind} in ${file}`];
  const problems: string[] = [];
  walk(check, object, check.getDeclaredTypeOfSymbol(exported), '', problems);
  return problems.map((p) => `${object.kind}/${object.metadata?.name}: unknown field ${p}`);
}

function walk(check: ts.TypeChecker, value: unknown, declared: ts.Type, path: string, problems: string[]): void {
  const type = check.getNonNullableType(declared);
  if (Array.isArray(value)) {
    const element = check.isArrayType(type) ? check.getTypeArguments(type as ts.TypeReference)[0] : undefined;
    if (element) for (const [i, item] of value.entries()) walk(check, item, element, `${path}[${i}]`, problems);
    return;
  }
  if (!value || typeof value !== 'object') return;
  // Maps (labels, data, annotations) and unions we cannot narrow accept any key.
  if (type.getStringIndexType() || type.isUnion()) return;
  if (check.getPropertiesOfType(type).length === 0) return;
  for (const [key, child] of Object.entries(value)) {
    const property = check.getPropertyOfType(type, key);
    if (!property) {
      problems.push(path ? `${path}.${key}` : key);
      continue;
    }
    walk(check, child, check.getTypeOfSymbol(property), path ? `${path}.${key}` : key, problems);
  }
}
