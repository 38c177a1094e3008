import { newId } from '@leasehold/protocol/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS } from '../support/databases.js';
import { acquireBody, createHarness, expectStatus, type Harness, seedLicense } from '../support/harness.js';
import { asUser, newUser, personalOrg, type TestUser } from './support.js';

type Role = 'owner' | 'admin' | 'member';

/** Every organisation route checks membership and role; nobody reaches another organisation's data. */
for (const driver of DRIVERS) {
  describe(`organisation self-service on ${driver}`, () => {
    let h: Harness;
    let owner: TestUser;
    let admin: TestUser;
    let member: TestUser;
    let outsider: TestUser;
    let org: string;
    let otherOrg: string;
    let licenseId: string;
    let licenseKey: string;
    let product: string;
    let otherSession: string;

    /** Brings a person into `org` in a role, through an invitation made by the owner. */
    async function join(user: TestUser, role: Role) {
      const invite = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${org}/invitations`, { role }), 201);
      expect(invite.url).toBe(`https://licenses.example.test/auth/invitations/${invite.token}`);
      expectStatus(await asUser(h, user, 'POST', '/api/v1/invitations/accept', { token: invite.token }), 200);
    }

    beforeAll(async () => {
      h = await createHarness(driver);
      [owner, admin, member, outsider] = [await newUser(h, 'Owner'), await newUser(h, 'Admin'), await newUser(h, 'Member'), await newUser(h, 'Outsider')];
      org = await personalOrg(h, owner);
      otherOrg = await personalOrg(h, outsider);
      await join(admin, 'admin');
      await join(member, 'member');
      // A license of the organisation (issued by the vendor), and one of the outsider's.
      const seed = await seedLicense(h, { seats: 5 });
      product = seed.productCode;
      const mine = expectStatus(await h.admin('POST', '/licenses', { organisationId: org, planId: seed.planId }), 201);
      licenseId = mine.id;
      licenseKey = mine.key;
      const theirs = expectStatus(await h.admin('POST', '/licenses', { organisationId: otherOrg, planId: seed.planId }), 201);
      otherSession = expectStatus(await h.licensing('acquire', { ...acquireBody(seed, 'machine-theirs-1'), licenseKey: theirs.key }), 200).sessionId;
    });
    afterAll(() => h.close());

    const acquire = async () =>
      expectStatus(await h.licensing('acquire', { product, licenseKey, fingerprint: `machine-${Math.random().toString(36).slice(2, 12)}` }), 200)
        .sessionId as string;

    /** Each route, the least role it needs, and a fresh request for it. */
    const routes: { name: string; least: Role; request: () => Promise<['GET' | 'POST' | 'PATCH' | 'DELETE', string, unknown?]> }[] = [
      { name: 'list members', least: 'member', request: async () => ['GET', `/api/v1/orgs/${org}/members`] },
      { name: 'list licenses', least: 'member', request: async () => ['GET', `/api/v1/orgs/${org}/licenses`] },
      { name: 'list sessions', least: 'member', request: async () => ['GET', `/api/v1/orgs/${org}/sessions`] },
      { name: 'free a seat', least: 'admin', request: async () => ['POST', `/api/v1/orgs/${org}/sessions/${await acquire()}/release`] },
      { name: 'invite', least: 'admin', request: async () => ['POST', `/api/v1/orgs/${org}/invitations`, { role: 'member' }] },
      { name: 'list invitations', least: 'admin', request: async () => ['GET', `/api/v1/orgs/${org}/invitations`] },
      {
        name: 'revoke an invitation',
        least: 'admin',
        request: async () => {
          const invite = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${org}/invitations`, { role: 'member' }), 201);
          return ['DELETE', `/api/v1/orgs/${org}/invitations/${invite.id}`];
        },
      },
      {
        name: 'remove a member',
        least: 'admin',
        request: async () => {
          const extra = await newUser(h, 'Extra');
          await join(extra, 'member');
          return ['DELETE', `/api/v1/orgs/${org}/members/${extra.userId}`];
        },
      },
      { name: 'change a role', least: 'owner', request: async () => ['PATCH', `/api/v1/orgs/${org}/members/${member.userId}`, { role: 'member' }] },
    ];
    const rank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

    it.each(routes)('$name: 401 without a token, 404 for outsiders, 403 below $least, allowed from $least', async ({ least, request }) => {
      const [method, url, body] = await request();
      const anonymous = await h.app.inject({ method, url, ...(body ? { payload: body as object } : {}) });
      expect(anonymous.statusCode).toBe(401);
      const stranger = await asUser(h, outsider, method, url, body);
      expect(stranger.statusCode).toBe(404);
      expect(stranger.json().code).toBe('NOT_FOUND');
      for (const [role, user] of [
        ['member', member],
        ['admin', admin],
        ['owner', owner],
      ] as const) {
        const [m, u, b] = role === 'member' ? [method, url, body] : await request();
        const response = await asUser(h, user, m, u, b);
        if (rank[role] < rank[least]) {
          expect(response.statusCode, `${role}: ${response.body}`).toBe(403);
          expect(response.json().code).toBe('FORBIDDEN');
        } else {
          expect(response.statusCode, `${role}: ${response.body}`).toBeLessThan(300);
        }
      }
    });

    it("never shows or touches another organisation's data", async () => {
      const licenses = expectStatus(await asUser(h, owner, 'GET', `/api/v1/orgs/${org}/licenses`), 200);
      expect(licenses.data.map((l: { id: string }) => l.id)).toEqual([licenseId]);
      // A seat of this organisation taken just now: the list must show it, and only this organisation's.
      const ours = await acquire();
      const sessions = expectStatus(await asUser(h, owner, 'GET', `/api/v1/orgs/${org}/sessions`), 200);
      const shown = sessions.data.map((s: { id: string }) => s.id);
      expect(shown).toContain(ours);
      expect(shown).not.toContain(otherSession);
      expect(sessions.data.every((s: { organisationId: string }) => s.organisationId === org)).toBe(true);
      // A member sees only the seats they took themselves; owners and admins see theirs among all.
      const membersSeat = expectStatus(
        await asUser(h, member, 'POST', '/api/v1/licenses/acquire', { product, fingerprint: 'machine-member-1' }),
        200,
      ).sessionId;
      const asMember = expectStatus(await asUser(h, member, 'GET', `/api/v1/orgs/${org}/sessions`), 200);
      expect(asMember.data.map((s: { id: string }) => s.id)).toEqual([membersSeat]);
      // Who holds it is named as their account is: the portal shows the address, not an ID.
      expect(asMember.data[0]).toMatchObject({ userId: member.userId, userEmail: member.email });
      expect(sessions.data.find((s: { id: string }) => s.id === ours)).toMatchObject({ userId: null, userEmail: null });
      for (const who of [owner, admin]) {
        const all = expectStatus(await asUser(h, who, 'GET', `/api/v1/orgs/${org}/sessions`), 200).data.map((s: { id: string }) => s.id);
        expect(all).toEqual(expect.arrayContaining([ours, membersSeat]));
      }
      // Freeing another organisation's seat through one's own organisation answers as missing and frees nothing.
      const steal = await asUser(h, owner, 'POST', `/api/v1/orgs/${org}/sessions/${otherSession}/release`);
      expect(steal.statusCode).toBe(404);
      const live = expectStatus(await h.admin('GET', `/sessions?organisationId=${otherOrg}`), 200);
      expect(live.data.map((s: { id: string }) => s.id)).toContain(otherSession);
      // Another organisation's ID in the path: the owner here is an outsider there.
      for (const path of ['members', 'licenses', 'sessions', 'invitations']) {
        expect((await asUser(h, owner, 'GET', `/api/v1/orgs/${otherOrg}/${path}`)).statusCode, path).toBe(404);
      }
      expect((await asUser(h, owner, 'GET', `/api/v1/orgs/${newId('organisation')}/members`)).statusCode).toBe(404);
      expect((await asUser(h, owner, 'DELETE', `/api/v1/orgs/${otherOrg}/members/${outsider.userId}`)).statusCode).toBe(404);
    });

    it('pages the member list on the server, for members and for the vendor alike', async () => {
      for (const path of [`/api/v1/orgs/${org}/members`, `/api/v1/admin/organisations/${org}/members`]) {
        const get = (query: string) =>
          path.startsWith('/api/v1/admin') ? h.admin('GET', `${path.slice('/api/v1/admin'.length)}${query}`) : asUser(h, member, 'GET', `${path}${query}`);
        const all = expectStatus(await get('?limit=500'), 200).data.map((m: { userId: string }) => m.userId);
        expect(all).toEqual(expect.arrayContaining([owner.userId, admin.userId, member.userId]));
        expect(all).toEqual([...all].sort());
        // Two at a time, following the cursors, gives the same people in the same order.
        const paged: string[] = [];
        let cursor: string | null = null;
        do {
          const page = expectStatus(await get(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`), 200);
          expect(page.data.length).toBeLessThanOrEqual(2);
          paged.push(...page.data.map((m: { userId: string }) => m.userId));
          cursor = page.nextCursor;
        } while (cursor);
        expect(paged).toEqual(all);
        // A cursor that is no user ID is refused with its reason.
        const bad = await get('?cursor=not-a-user');
        expect(bad.statusCode).toBe(400);
        expect(bad.json().detail).toMatch(/cursor/);
      }
    });

    it('lets admins manage members but not owners or admins, and not invite owners', async () => {
      const peer = await newUser(h, 'Peer');
      await join(peer, 'admin');
      expect((await asUser(h, admin, 'DELETE', `/api/v1/orgs/${org}/members/${peer.userId}`)).statusCode).toBe(403);
      expect((await asUser(h, admin, 'DELETE', `/api/v1/orgs/${org}/members/${owner.userId}`)).statusCode).toBe(403);
      expect((await asUser(h, admin, 'POST', `/api/v1/orgs/${org}/invitations`, { role: 'owner' })).statusCode).toBe(403);
      // Anyone may leave.
      expectStatus(await asUser(h, peer, 'DELETE', `/api/v1/orgs/${org}/members/${peer.userId}`), 200);
    });

    it('keeps the last owner', async () => {
      const leave = await asUser(h, owner, 'DELETE', `/api/v1/orgs/${org}/members/${owner.userId}`);
      expect(leave.statusCode).toBe(409);
      expect(leave.json().code).toBe('LAST_OWNER');
      expect((await asUser(h, owner, 'PATCH', `/api/v1/orgs/${org}/members/${owner.userId}`, { role: 'admin' })).json().code).toBe('LAST_OWNER');
      // With a second owner, the first may step down and the second may remove them... but not be removed last.
      const second = await newUser(h, 'Second');
      await join(second, 'owner');
      expectStatus(await asUser(h, owner, 'PATCH', `/api/v1/orgs/${org}/members/${owner.userId}`, { role: 'admin' }), 200);
      expect((await asUser(h, second, 'DELETE', `/api/v1/orgs/${org}/members/${second.userId}`)).json().code).toBe('LAST_OWNER');
      expectStatus(await asUser(h, second, 'PATCH', `/api/v1/orgs/${org}/members/${owner.userId}`, { role: 'owner' }), 200);
      expectStatus(await asUser(h, owner, 'DELETE', `/api/v1/orgs/${org}/members/${second.userId}`), 200);
      const members = expectStatus(await asUser(h, owner, 'GET', `/api/v1/orgs/${org}/members`), 200);
      expect(members.data.filter((m: { role: string }) => m.role === 'owner')).toHaveLength(1);
    });

    it('makes invitations single-use, expiring, revocable and bound to their address', async () => {
      const newcomer = await newUser(h, 'Newcomer');
      const once = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${org}/invitations`, { role: 'member' }), 201);
      expectStatus(await asUser(h, newcomer, 'POST', '/api/v1/invitations/accept', { token: once.token }), 200);
      const latecomer = await newUser(h, 'Late');
      expect((await asUser(h, latecomer, 'POST', '/api/v1/invitations/accept', { token: once.token })).statusCode).toBe(404);

      const expiring = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${org}/invitations`, { role: 'member' }), 201);
      h.clock.advance(7 * 86_400 + 1);
      // Access tokens last 15 minutes: the owner signs in again.
      owner.accessToken = await h.services.identity.accessTokens.issue({ userId: owner.userId, clientId: 'leasehold-cli', scope: '' }, h.clock.now());
      const fresh = await newUser(h, 'Fresh');
      expect((await asUser(h, fresh, 'POST', '/api/v1/invitations/accept', { token: expiring.token })).statusCode).toBe(404);

      const revoked = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${org}/invitations`, { role: 'member' }), 201);
      expectStatus(await asUser(h, owner, 'DELETE', `/api/v1/orgs/${org}/invitations/${revoked.id}`), 200);
      expect((await asUser(h, fresh, 'POST', '/api/v1/invitations/accept', { token: revoked.token })).statusCode).toBe(404);

      const addressed = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${org}/invitations`, { role: 'member', email: fresh.email }), 201);
      const someoneElse = await newUser(h, 'Else');
      expect((await asUser(h, someoneElse, 'POST', '/api/v1/invitations/accept', { token: addressed.token })).statusCode).toBe(403);
      expectStatus(await asUser(h, fresh, 'POST', '/api/v1/invitations/accept', { token: addressed.token }), 200);

      const me = expectStatus(await asUser(h, fresh, 'GET', '/api/v1/me'), 200);
      expect(me.memberships.map((m: { organisationId: string }) => m.organisationId)).toContain(org);
    });

    it('opens invitation links in a browser: sign in, then accept with the CSRF token', async () => {
      const guest = await newUser(h, 'Guest');
      const invite = expectStatus(await asUser(h, owner, 'POST', `/api/v1/orgs/${org}/invitations`, { role: 'member' }), 201);
      const path = new URL(invite.url).pathname;
      expect((await h.app.inject({ method: 'GET', url: path })).body).toContain('Sign in');
      const page = await h.app.inject({ method: 'GET', url: path, headers: { cookie: guest.cookie } });
      expect(page.body).toContain(guest.csrf);
      const form = { 'content-type': 'application/x-www-form-urlencoded', cookie: guest.cookie };
      expect((await h.app.inject({ method: 'POST', url: path, headers: form, payload: 'csrf_token=forged' })).statusCode).toBe(403);
      expect((await h.app.inject({ method: 'POST', url: path, headers: form, payload: `csrf_token=${guest.csrf}` })).statusCode).toBe(200);
    });

    it('audits membership changes with the acting person', async () => {
      const events = expectStatus(await h.admin('GET', `/audit?organisationId=${org}&action=membership.removed`), 200);
      expect(events.data.length).toBeGreaterThan(0);
      expect(events.data[0].actorType).toBe('user');
    });
  });
}
