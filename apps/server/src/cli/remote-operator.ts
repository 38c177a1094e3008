import { parseArgs } from 'node:util';
import { isId } from '@leasehold/protocol/ids';

/** The environment variable that carries the operator's admin API key for commands sent to a running server. */
export const OPERATOR_KEY_VARIABLE = 'LEASEHOLD_ADMIN_KEY';

type Call = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: Record<string, unknown> }>;

function client(baseUrl: string, key: string): Call {
  return async (method, path, body) => {
    const response = await fetch(`${baseUrl}/api/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
}

const refused = (answer: { status: number; body: Record<string, unknown> }): number => {
  console.error(`The server refused (${answer.status} ${String(answer.body.code ?? '')}): ${String(answer.body.detail ?? JSON.stringify(answer.body))}`);
  return 1;
};

/**
 * The operator commands that change or read the database, sent to the running server's
 * admin API (on loopback) instead of opening its embedded data directory behind its
 * back. Same arguments and output as when run without a server; audited as the key's owner.
 */
export async function runThroughServer(baseUrl: string, key: string, command: string, args: string[]): Promise<number> {
  const call = client(baseUrl, key);
  const [sub, ...rest] = args;
  switch (`${command} ${sub ?? ''}`.trim()) {
    case 'migrate':
      console.log('The running server applied the migrations when it started; nothing to do.');
      return 0;
    case 'audit verify': {
      const answer = await call('GET', '/audit/verify');
      if (answer.status !== 200) return refused(answer);
      const verdict = answer.body;
      if (verdict.ok) {
        console.log(`Audit chain intact: ${verdict.events} events, head ${verdict.headHash}.`);
        return 0;
      }
      console.error(`Audit chain broken at event ${verdict.firstBadSeq}: ${verdict.reason}. ${verdict.events} events before it verify.`);
      return 1;
    }
    case 'licenses create': {
      const { values } = parseArgs({
        args: rest,
        options: { org: { type: 'string' }, plan: { type: 'string' }, seats: { type: 'string' }, expires: { type: 'string' } },
      });
      const answer = await call('POST', '/licenses', {
        organisationId: values.org,
        planId: values.plan,
        ...(values.seats ? { seats: Number(values.seats) } : {}),
        ...(values.expires ? { expiresAt: values.expires } : {}),
      });
      if (answer.status !== 201) return refused(answer);
      console.log(`License ${answer.body.id} issued. Key (shown once): ${answer.body.key}`);
      return 0;
    }
    case 'licenses list': {
      const { values } = parseArgs({ args: rest, options: { org: { type: 'string' }, status: { type: 'string' } } });
      const query = new URLSearchParams({
        limit: '500',
        ...(values.org ? { organisationId: values.org } : {}),
        ...(values.status ? { status: values.status } : {}),
      });
      const answer = await call('GET', `/licenses?${query}`);
      if (answer.status !== 200) return refused(answer);
      for (const l of answer.body.data as Record<string, unknown>[]) {
        console.log(
          `${l.id}  ${String(l.status).padEnd(9)}  ${l.seatsInUse}/${l.seats} seats  org ${l.organisationId}  expires ${l.expiresAt ?? 'never'}  key …${l.keyHint}`,
        );
      }
      if (answer.body.nextCursor) console.log('(first 500 shown)');
      return 0;
    }
    case 'licenses suspend':
    case 'licenses reinstate':
    case 'licenses revoke': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { reason: { type: 'string' } } });
      const id = positionals[0];
      if (!isId('license', id)) {
        console.error('Give a license ID like lic_…');
        return 2;
      }
      const answer = await call('POST', `/licenses/${id}/${sub}`, values.reason ? { reason: values.reason } : {});
      if (answer.status !== 200) return refused(answer);
      console.log(`License ${answer.body.id} is now ${answer.body.status}.`);
      return 0;
    }
    default:
      console.error(
        `"${[command, sub].filter(Boolean).join(' ')}" does not go through a running server; it changed nothing. ` +
          'Use the admin API (/docs), or stop the server (SIGTERM) and run the command then.',
      );
      return 3;
  }
}
