// Summarises a V8 .cpuprofile: self time by function and by where the code lives.
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

function place(url, root) {
  if (!url) return '(native / V8)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (path.startsWith('node:')) return `node: ${path.slice(5).split('/')[0]}`;
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + 13).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const rel = relative(root, path);
  return rel.startsWith('..') ? path : rel.replace(/^apps\/server\/dist\//, 'server: ').replace(/^packages\/([^/]+)\/dist\//, '$1: ');
}

export function summariseProfile(profile, root) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const total = profile.samples.length;
  const fns = new Map();
  const places = new Map();
  for (const [id, count] of counts) {
    const node = byId.get(id);
    const f = node.callFrame;
    const where = place(f.url, root);
    const name = `${f.functionName || '(anonymous)'} — ${where}${f.url ? `:${f.lineNumber + 1}` : ''}`;
    fns.set(name, (fns.get(name) ?? 0) + count);
    const group = f.functionName === '(garbage collector)' ? '(garbage collector)' : f.functionName === '(idle)' ? '(idle)' : where;
    places.set(group, (places.get(group) ?? 0) + count);
  }
  const top = (m, k) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([name, c]) => ({ name, percent: (100 * c) / total }));
  return { samples: total, functions: top(fns, 20), places: top(places, 15) };
}
