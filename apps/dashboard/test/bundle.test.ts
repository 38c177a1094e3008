import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));

/** What the browser fetches for the first page: index.html and every script and stylesheet it names. */
function firstPageBytes(): Record<string, number> {
  const html = readFileSync(`${dist}index.html`, 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/dashboard\/([^"]+\.(?:js|css))"/g)].map((m) => m[1] as string);
  const files = ['index.html', ...assets];
  return Object.fromEntries(files.map((f) => [f, gzipSync(readFileSync(`${dist}${f}`), { level: 9 }).length]));
}

describe('dashboard production bundle', () => {
  it('sends under 250 kB gzipped for the first page', () => {
    const sizes = firstPageBytes();
    expect(Object.keys(sizes).some((f) => f.endsWith('.js'))).toBe(true);
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    console.log(`first page: ${(total / 1024).toFixed(1)} kB gzipped`, sizes);
    expect(total).toBeLessThan(250 * 1024);
  });
});
