import { sql } from 'drizzle-orm';
import type { Harness } from './harness.js';

// stripe_events stays last: a billing test compares all but the event ledger.
const TABLES = [
  'organisations',
  'users',
  'memberships',
  'products',
  'plans',
  'licenses',
  'license_seat_history',
  'sessions',
  'seat_waiters',
  'ci_mappings',
  'ci_seats',
  'api_keys',
  'audit_events',
  'stripe_events',
];

/** The sign-in tables, for tests whose calls reach the identity routes too. */
const IDENTITY_TABLES = ['identities', 'tenant_links', 'refresh_tokens', 'web_sessions', 'login_states', 'device_codes', 'invitations'];

/** Every row of every table, so "changes nothing" is checked, not assumed. */
export async function snapshot(h: Harness, options: { identity?: boolean } = {}): Promise<string> {
  const parts: string[] = [];
  for (const table of options.identity ? [...TABLES, ...IDENTITY_TABLES] : TABLES) {
    // last_used_at of API keys moves with any authenticated call, by design.
    const source = table === 'api_keys' ? '(select id, name, secret_hash, scopes, organisation_id, revoked_at from api_keys)' : table;
    const result = await h.db.database.db.execute(sql.raw(`select coalesce(jsonb_agg(t order by t::text), '[]') as rows from ${source} t`));
    parts.push(JSON.stringify(result.rows));
  }
  return parts.join('\n');
}
