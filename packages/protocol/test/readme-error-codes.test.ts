import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));
const START =
  '<!-- error-codes:start (generated from packages/protocol/src/errors.ts; UPDATE_README=1 npx vitest run packages/protocol/test/readme-error-codes.test.ts) -->';
const END = '<!-- error-codes:end -->';

/** The README's table of the closed list, as the protocol package defines it. */
function table(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, { status, title }]) => [`\`${code}\``, String(status), title]);
  const header = ['Code', 'Status', 'Meaning'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/** The error codes the README lists are exactly the closed list: a code added, removed or retitled fails here until the README follows. */
describe('README error codes', () => {
  it('match packages/protocol', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'the README lacks the generated error-code block').toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(start);
    const expected = `${START}\n\n${table()}\n\n${END}`;
    const actual = readme.slice(start, end + END.length);
    if (process.env.UPDATE_README === '1' && actual !== expected) {
      writeFileSync(README, readme.slice(0, start) + expected + readme.slice(end + END.length));
      return;
    }
    expect(actual).toBe(expected);
  });
});
