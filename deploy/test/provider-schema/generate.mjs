// Writes google.json: the arguments and nested blocks of every google_* resource
// and data source the OpenTofu code uses, taken from the provider's published
// schema as compiled into @cdktf/provider-google (its .jsii type manifest, which
// cdktf generates from `terraform providers schema -json`).
//
//   npm pack @cdktf/provider-google@16.12.1 && tar xzf cdktf-provider-google-16.12.1.tgz package/.jsii package/package.json
//   node deploy/test/provider-schema/generate.mjs package
//
// The package is 300 MB unpacked, so it is not a dependency: the extract is committed.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = process.argv[2];
if (!packageDir) throw new Error('usage: generate.mjs <extracted @cdktf/provider-google package folder>');
const manifest = JSON.parse(readFileSync(join(packageDir, '.jsii'), 'utf8'));
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const types = manifest.types;
const tofuDir = fileURLToPath(new URL('../../tofu/', import.meta.url));

/** Resource and data source types the .tf files name, found by a plain scan. */
function usedTypes() {
  const used = { resource: new Set(), data: new Set() };
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.tf')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/^(resource|data)\s+"(google_\w+)"/gm)) used[m[1]].add(m[2]);
      }
    }
  };
  visit(tofuDir);
  return used;
}

/** The struct a property's type holds, directly or inside a list or union, if any. */
function structOf(type) {
  if (!type) return null;
  if (type.fqn) return types[type.fqn]?.datatype ? type.fqn : null;
  if (type.collection) return type.collection.kind === 'array' ? structOf(type.collection.elementtype) : null;
  if (type.union)
    for (const t of type.union.types) {
      const s = structOf(t);
      if (s) return s;
    }
  return null;
}

/** Terraform's own name of a property: the anchor of its registry link. */
function terraformName(property) {
  const anchor = /#(\w+) /.exec(property.docs?.remarks ?? '')?.[1];
  return anchor ?? property.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function block(fqn) {
  const out = { arguments: [], required: [], blocks: {} };
  for (const property of types[fqn].properties ?? []) {
    const name = terraformName(property);
    const struct = structOf(property.type);
    if (struct) out.blocks[name] = block(struct);
    else out.arguments.push(name);
    if (!property.optional && !struct) out.required.push(name);
  }
  out.arguments.sort();
  out.required.sort();
  return out;
}

const schema = { source: `@cdktf/provider-google@${version}`, provider: '', resource: {}, data: {} };
const used = usedTypes();
for (const [fqn, type] of Object.entries(types)) {
  if (type.kind !== 'class' || !type.properties?.some((p) => p.name === 'tfResourceType' && p.static)) continue;
  const link = /hashicorp\/google\/([\d.]+)\/docs\/(resources|data-sources)\/(\w+) (\w+)\}/.exec(type.docs?.summary ?? '');
  if (!link) continue;
  schema.provider = `hashicorp/google ${link[1]}`;
  const kind = link[2] === 'resources' ? 'resource' : 'data';
  const tfType = link[4];
  if (!used[kind].has(tfType)) continue;
  schema[kind][tfType] = block(`${fqn}Config`);
}
for (const kind of ['resource', 'data']) {
  for (const name of used[kind]) if (!schema[kind][name]) throw new Error(`${kind} ${name} is not in the provider schema`);
  schema[kind] = Object.fromEntries(Object.entries(schema[kind]).sort(([a], [b]) => a.localeCompare(b)));
}
writeFileSync(fileURLToPath(new URL('google.json', import.meta.url)), `${JSON.stringify(schema, null, 1)}\n`);
console.log(
  `wrote ${Object.keys(schema.resource).length} resources, ${Object.keys(schema.data).length} data sources from ${schema.source} (${schema.provider})`,
);
