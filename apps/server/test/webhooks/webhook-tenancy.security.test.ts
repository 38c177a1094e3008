import { newId } from '@leasehold/protocol/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberships } from '../../src/db/schema.js';
import { asUser, newUser, personalOrg, type TestUser } from '../identity/support.js';
import { createHarness, expectStatus, type Harness } from '../support/harness.js';

const hook = { url: 'https://hooks.example.test/leasehold', eventTypes: ['seat.denied'] };

describe('webhook endpoints stay within their organisation', () => {
  let h: Harness;
  let owner: TestUser;
  let member: TestUser;
  let stranger: TestUser;
  let orgA: string;
  let orgB: string;
  let endpointA: string;
  let vendorEndpoint: string;

  beforeAll(async () => {
    h = await createHarness('postgres');
    owner = await newUser(h, 'Owner');
    member = await newUser(h, 'Member');
    stranger = await newUser(h, 'Stranger');
    orgA = await personalOrg(h, owner);
    orgB = await personalOrg(h, stranger);
    await h.services.database.db
      .insert(memberships)
      .values({ id: newId('membership'), organisationId: orgA, userId: member.userId, role: 'member', createdAt: h.clock.now() });
    endpointA = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${orgA}/webhook-endpoints`, hook), 201).id;
    vendorEndpoint = expectStatus(await h.admin('POST', '/webhook-endpoints', hook), 201).id;
  });
  afterAll(() => h.close());

  it("an owner's endpoint is bound to the organisation, and shown without its secret", async () => {
    const shown = expectStatus(await asUser(h, owner, 'GET', `/api/v1/orgs/${orgA}/webhook-endpoints/${endpointA}`), 200);
    expect(shown).toMatchObject({ organisationId: orgA, url: hook.url });
    expect(shown.secret).toBeUndefined();
    const list = expectStatus(await asUser(h, owner, 'GET', `/api/v1/orgs/${orgA}/webhook-endpoints`), 200);
    expect(list.data.map((e: { id: string }) => e.id)).toEqual([endpointA]);
  });

  it('a plain member may not manage them (403); a stranger is told the organisation does not exist (404)', async () => {
    expectStatus(await asUser(h, member, 'POST', `/api/v1/orgs/${orgA}/webhook-endpoints`, hook), 403);
    expectStatus(await asUser(h, member, 'GET', `/api/v1/orgs/${orgA}/webhook-endpoints`), 403);
    expectStatus(await asUser(h, stranger, 'GET', `/api/v1/orgs/${orgA}/webhook-endpoints`), 404);
    expectStatus(await asUser(h, stranger, 'PATCH', `/api/v1/orgs/${orgA}/webhook-endpoints/${endpointA}`, { status: 'disabled' }), 404);
  });

  it("another organisation's path does not reach it, nor the vendor's endpoints", async () => {
    expectStatus(await asUser(h, stranger, 'GET', `/api/v1/orgs/${orgB}/webhook-endpoints/${endpointA}`), 404);
    expectStatus(await asUser(h, stranger, 'DELETE', `/api/v1/orgs/${orgB}/webhook-endpoints/${endpointA}`), 404);
    expectStatus(await asUser(h, owner, 'GET', `/api/v1/orgs/${orgA}/webhook-endpoints/${vendorEndpoint}`), 404);
    expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${orgA}/webhook-endpoints/${vendorEndpoint}/rotate-secret`), 404);
    // The organisation's form has no organisationId to point elsewhere.
    expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${orgA}/webhook-endpoints`, { ...hook, organisationId: orgB }), 400);
  });

  it("a key bound to an organisation sees and makes only that organisation's endpoints", async () => {
    const bound = expectStatus(
      await h.admin('POST', '/api-keys', { name: 'org A hooks', scopes: ['webhooks:read', 'webhooks:write'], organisationId: orgA }),
      201,
    );
    const listed = expectStatus(await h.admin('GET', '/webhook-endpoints', undefined, bound.secret), 200);
    expect(listed.data.map((e: { id: string }) => e.id)).toEqual([endpointA]);
    expectStatus(await h.admin('GET', `/webhook-endpoints/${vendorEndpoint}`, undefined, bound.secret), 404);
    const made = expectStatus(await h.admin('POST', '/webhook-endpoints', hook, bound.secret), 201);
    expect(made.organisationId).toBe(orgA);
    expectStatus(await h.admin('POST', '/webhook-endpoints', { ...hook, organisationId: orgB }, bound.secret), 404);
    const reader = expectStatus(await h.admin('POST', '/api-keys', { name: 'reader', scopes: ['webhooks:read'] }), 201);
    expectStatus(await h.admin('POST', '/webhook-endpoints', hook, reader.secret), 403);
  });
});
