import { ADMIN_KEY } from './harness.js';

/** An answer from a server process: 0 when none came (refused, reset, timed out). */
export interface ProcessAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs JSON to a server process, as the admin with `admin`; a failure to answer is status 0, not a throw. */
export async function postTo(url: string, path: string, body: unknown, o: { admin?: boolean; signal?: AbortSignal } = {}): Promise<ProcessAnswer> {
  try {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(o.admin ? { authorization: `Bearer ${ADMIN_KEY}` } : {}) },
      body: JSON.stringify(body),
      signal: o.signal ?? AbortSignal.timeout(30_000),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } catch {
    return { status: 0, body: {} };
  }
}

/** Creates a product, a plan with `terms`, an organisation and a license on a server process; returns the license (with its key). */
export async function licenseOverHttp(url: string, productCode: string, terms: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const created = async (path: string, body: unknown) => {
    const answer = await postTo(url, `/api/v1/admin${path}`, body, { admin: true });
    if (answer.status !== 201) throw new Error(`${path}: expected 201, got ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const product = await created('/products', { code: productCode, name: productCode });
  const plan = await created('/plans', { productId: product.id, code: 'plan', name: 'Plan', ...terms });
  const org = await created('/organisations', { name: `${productCode} Ltd` });
  return (await created('/licenses', { organisationId: org.id, planId: plan.id })) as { id: string; key: string };
}
