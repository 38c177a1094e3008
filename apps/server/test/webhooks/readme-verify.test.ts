import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/webhooks/webhook-signature.js';

const readme = readFileSync(fileURLToPath(new URL('../../../../README.md', import.meta.url)), 'utf8');
const block = (language: string, marker: string) => {
  const found = [...readme.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1] as string).find((b) => b.includes(marker));
  if (!found) throw new Error(`no ${language} block with ${marker} in the README`);
  return found;
};

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

describe("the README's signature checks", () => {
  const body = JSON.stringify({ type: 'license.created', timestamp: '2030-01-01T00:00:00.000Z', data: { licenseId: 'lic_x', note: 'é' } });
  const signed = signedHeaders([SECRET, OLD_SECRET], 'evt_01jf4a2d5g7j9m1p3s5v7y9b1d', new Date(), body);

  it('the Python one accepts what Leasehold signs, with either secret of a rotation, and refuses a changed body or secret', () => {
    const program = `${block('python', 'def verify_webhook')}
import json, sys
cases = json.load(sys.stdin)
print(json.dumps([verify_webhook(c["secret"], c["headers"], c["body"].encode()) for c in cases]))`;
    const cases = [
      { secret: SECRET, headers: signed, body },
      { secret: OLD_SECRET, headers: signed, body },
      { secret: SECRET, headers: signed, body: body.replace('lic_x', 'lic_y') },
      { secret: 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', headers: signed, body },
      { secret: SECRET, headers: { ...signed, 'webhook-timestamp': String(Number(signed['webhook-timestamp']) - 3600) }, body },
    ];
    const out = execFileSync('python3', ['-c', program], { input: JSON.stringify(cases), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([true, true, false, false, false]);
  });

  it('the TypeScript one (the standardwebhooks package) accepts it too', () => {
    expect(block('ts', 'standardwebhooks')).toContain('webhook.verify(rawBody, headers)');
    expect(new Webhook(SECRET).verify(body, signed)).toMatchObject({ type: 'license.created' });
    expect(new Webhook(OLD_SECRET).verify(body, signed)).toMatchObject({ type: 'license.created' });
    expect(() => new Webhook(SECRET).verify(`${body} `, signed)).toThrow();
  });
});
