import { METHODS, type OpenApiFragment } from './operation-doc.js';

/**
 * The same problem answer (same codes, same headers) recurs across operations: each
 * becomes one named response under `components/responses`, named after its codes.
 */
export function shareProblemResponses(doc: OpenApiFragment): void {
  const uses = new Map<string, number>();
  const each = (visit: (operation: OpenApiFragment, status: string, response: OpenApiFragment) => void) => {
    for (const item of Object.values<OpenApiFragment>(doc.paths))
      for (const method of METHODS) {
        const operation = item[method];
        if (!operation) continue;
        for (const [status, response] of Object.entries<OpenApiFragment>(operation.responses)) {
          if (status === 'default' || Number(status) >= 400) visit(operation, status, response);
        }
      }
  };
  each((_o, _s, response) => {
    const text = JSON.stringify(response);
    uses.set(text, (uses.get(text) ?? 0) + 1);
  });
  const names = new Map<string, string>();
  const shared: Record<string, OpenApiFragment> = {};
  const pascal = (code: string) => code.toLowerCase().replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
  each((operation, status, response) => {
    const text = JSON.stringify(response);
    const codes = [...text.matchAll(/#\/components\/examples\/([A-Z_]+)/g)].map((m) => m[1] as string);
    if ((uses.get(text) ?? 0) < 2 || codes.length === 0) return;
    let name = names.get(text);
    if (!name) {
      const base = codes.map(pascal).join('Or');
      name = base;
      for (let n = 2; shared[name]; n++) name = `${base}${n}`;
      names.set(text, name);
      shared[name] = response;
    }
    operation.responses[status] = { $ref: `#/components/responses/${name}` };
  });
  doc.components.responses = Object.fromEntries(Object.entries(shared).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The zod type provider emits every registered schema twice (`X` for answers,
 * `XInput` for requests). Keeps the ones the paths use, under one name where both
 * forms are the same.
 */
export function tidyComponents(doc: OpenApiFragment): void {
  const rename = (from: string, to: string) => {
    const text = JSON.stringify(doc).replaceAll(`"#/components/schemas/${from}"`, `"#/components/schemas/${to}"`);
    Object.assign(doc, JSON.parse(text));
  };
  prune(doc);
  for (const name of Object.keys(doc.components.schemas).filter((n) => n.endsWith('Input'))) {
    const base = name.slice(0, -'Input'.length);
    const all = doc.components.schemas as Record<string, OpenApiFragment>;
    const normalise = (s: OpenApiFragment) => JSON.stringify(s).replace(/(#\/components\/schemas\/\w+?)Input"/g, '$1"');
    if (!all[base] || normalise(all[base]) === normalise(all[name] as OpenApiFragment)) {
      rename(name, base);
      const now = doc.components.schemas as Record<string, OpenApiFragment>;
      now[base] = now[base] ?? (now[name] as OpenApiFragment);
      delete now[name];
    }
  }
  prune(doc);
  doc.components.schemas = Object.fromEntries(Object.entries(doc.components.schemas).sort(([a], [b]) => a.localeCompare(b)));
}

/** Removes components no path reaches. */
function prune(doc: OpenApiFragment): void {
  const all = doc.components.schemas as Record<string, OpenApiFragment>;
  const reached = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
          const name = child.slice('#/components/schemas/'.length);
          if (!reached.has(name)) {
            reached.add(name);
            visit(all[name]);
          }
        } else visit(child);
      }
    }
  };
  const { schemas: _schemas, ...rest } = doc.components;
  visit(doc.paths);
  visit(rest);
  visit(doc.webhooks);
  for (const name of Object.keys(all)) if (!reached.has(name)) delete all[name];
}
