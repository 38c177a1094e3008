import { z } from 'zod';
import { id, page, pageQueryOf, timestamp } from './common.js';
import { EXAMPLE_IDS, EXAMPLE_TIMES } from './examples.js';

/** A member's role in an organisation: owners manage everything, admins manage members and seats. */
export const role = z
  .enum(['owner', 'admin', 'member'])
  .meta({ id: 'Role', description: "A member's role: owners manage everything, admins manage members and seats, members use and see them." });
export type Role = z.infer<typeof role>;

const email = z
  .string()
  .nullable()
  .describe('The e-mail address, if the provider gave one.')
  .meta({ examples: ['alice@acme.example'] });
const personName = z
  .string()
  .nullable()
  .describe('The display name, if the provider gave one.')
  .meta({ examples: ['Alice Martin'] });
const since = timestamp.describe('Member since.');

export const membership = z
  .object({
    organisationId: id('organisation').describe('The organisation.'),
    organisationName: z
      .string()
      .describe('Its name.')
      .meta({ examples: ['Acme'] }),
    role,
    since,
  })
  .meta({ id: 'Membership', description: 'An organisation the person belongs to, and their role.' });
export type Membership = z.infer<typeof membership>;

/** `GET /api/v1/me`: the signed-in person and the organisations they belong to. */
export const me = z
  .object({
    user: z
      .object({
        id: id('user').describe('The person.'),
        email,
        emailVerified: z.boolean().describe('Whether the provider verified the address.'),
        name: personName,
        createdAt: timestamp.describe('When they first signed in.'),
      })
      .describe('The signed-in person.'),
    memberships: z.array(membership).describe('The organisations they belong to.'),
  })
  .meta({
    id: 'Me',
    description: 'The signed-in person and their organisations.',
    examples: [
      {
        user: { id: EXAMPLE_IDS.user, email: 'alice@acme.example', emailVerified: true, name: 'Alice Martin', createdAt: EXAMPLE_TIMES.created },
        memberships: [{ organisationId: EXAMPLE_IDS.organisation, organisationName: 'Acme', role: 'owner', since: EXAMPLE_TIMES.created }],
      },
    ],
  });
export type Me = z.infer<typeof me>;

export const member = z.object({ userId: id('user').describe('The person.'), email, name: personName, role, since }).meta({
  id: 'Member',
  description: 'A member of an organisation.',
  examples: [{ userId: EXAMPLE_IDS.user, email: 'alice@acme.example', name: 'Alice Martin', role: 'owner', since: EXAMPLE_TIMES.created }],
});
export type Member = z.infer<typeof member>;
export const memberPage = page(member).meta({ id: 'MemberPage', description: 'A page of the members of an organisation, in the order of their user IDs.' });
export const memberQuery = pageQueryOf('user');

export const updateMember = z.strictObject({ role }).meta({ id: 'UpdateMember', description: 'The new role.', examples: [{ role: 'admin' }] });

export const createInvitation = z
  .strictObject({
    role: role.default('member'),
    /** Only a person signed in with this verified e-mail address may accept, when given. */
    email: z
      .email()
      .max(320)
      .optional()
      .describe('Only a person signed in with this verified address may accept, when given.')
      .meta({ examples: ['bob@acme.example'] }),
  })
  .meta({ id: 'CreateInvitation', description: 'Whom to invite, in which role.', examples: [{ role: 'member', email: 'bob@acme.example' }] });
export type CreateInvitation = z.infer<typeof createInvitation>;

const invitationFields = {
  id: id('invitation').describe('The invitation.'),
  organisationId: id('organisation').describe('The organisation it joins.'),
  role,
  email: z
    .string()
    .nullable()
    .describe('The only address that may accept; null: anyone with the link.')
    .meta({ examples: ['bob@acme.example'] }),
  invitedBy: id('user').describe('Who invited.'),
  createdAt: timestamp.describe('When it was made.'),
  expiresAt: timestamp.describe('When the link stops working.').meta({ examples: [EXAMPLE_TIMES.offlineGraceUntil] }),
  acceptedAt: timestamp
    .nullable()
    .describe('When it was accepted; null if not yet.')
    .meta({ examples: [null] }),
  acceptedBy: z
    .string()
    .nullable()
    .describe('Who accepted it.')
    .meta({ examples: [null] }),
  revokedAt: timestamp
    .nullable()
    .describe('When it was revoked; null if not.')
    .meta({ examples: [null] }),
};
export const invitation = z.object(invitationFields).meta({ id: 'Invitation', description: 'An invitation to join an organisation.' });
export type Invitation = z.infer<typeof invitation>;
export const invitationList = z
  .object({ data: z.array(invitation).describe('The invitations, newest first.') })
  .meta({ id: 'InvitationList', description: "An organisation's invitations." });

/** The answer to creating an invitation: the link is shown once and works once. */
export const createdInvitation = z
  .object({
    ...invitationFields,
    url: z
      .string()
      .describe('The link to send; it works once.')
      .meta({ examples: ['https://auth.coditect.ai/auth/invitations/Xq4v9Lm2Zt7Rw8Nc5Bp1Hd3Jf6Gs0Ae2Tq4Oi6Ra9'] }),
    token: z
      .string()
      .describe('The secret part of the link.')
      .meta({ examples: ['Xq4v9Lm2Zt7Rw8Nc5Bp1Hd3Jf6Gs0Ae2Tq4Oi6Ra9'] }),
  })
  .meta({ id: 'CreatedInvitation', description: 'A new invitation with its link, shown this once.' });

export const acceptInvitation = z
  .strictObject({
    token: z
      .string()
      .min(20)
      .max(200)
      .describe('The token of the invitation link.')
      .meta({ examples: ['Xq4v9Lm2Zt7Rw8Nc5Bp1Hd3Jf6Gs0Ae2Tq4Oi6Ra9'] }),
  })
  .meta({ id: 'AcceptInvitation', description: 'The invitation to accept.' });

/** RFC 8628 §3.1: the device authorization request, as form fields or JSON. */
export const deviceCodeRequest = z
  .object({
    client_id: z
      .string()
      .min(1)
      .max(100)
      .describe('The program asking to sign in.')
      .meta({ examples: ['leasehold-cli'] }),
    scope: z.string().max(500).optional().describe('Space-separated scopes; ignored today.'),
  })
  .meta({ id: 'DeviceCodeRequest', description: 'RFC 8628 §3.1 device authorization request.', examples: [{ client_id: 'leasehold-cli' }] });

/** RFC 8628 §3.2. */
export const deviceCodeResponse = z
  .object({
    device_code: z
      .string()
      .describe('The code the program polls `/auth/token` with; keep it secret.')
      .meta({ examples: ['GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS'] }),
    user_code: z
      .string()
      .describe('The code the person checks on the confirmation page.')
      .meta({ examples: ['WDJB-MJHT'] }),
    verification_uri: z
      .string()
      .describe('The page where the person confirms.')
      .meta({ examples: ['https://auth.coditect.ai/auth/device'] }),
    verification_uri_complete: z
      .string()
      .describe('The same page with the code filled in.')
      .meta({ examples: ['https://auth.coditect.ai/auth/device?user_code=WDJB-MJHT'] }),
    expires_in: z
      .number()
      .int()
      .describe('Seconds until the codes expire.')
      .meta({ examples: [600] }),
    interval: z
      .number()
      .int()
      .describe('Seconds to wait between polls.')
      .meta({ examples: [5] }),
  })
  .meta({ id: 'DeviceCodeResponse', description: 'RFC 8628 §3.2 device authorization response.' });

/** `POST /auth/token`: the device code grant and the refresh token grant. */
export const tokenRequest = z
  .object({
    grant_type: z
      .string()
      .min(1)
      .max(100)
      .describe('`urn:ietf:params:oauth:grant-type:device_code` or `refresh_token`.')
      .meta({ examples: ['urn:ietf:params:oauth:grant-type:device_code'] }),
    device_code: z
      .string()
      .max(200)
      .optional()
      .describe('For the device code grant.')
      .meta({ examples: ['GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS'] }),
    refresh_token: z.string().max(200).optional().describe('For the refresh token grant.'),
    client_id: z
      .string()
      .max(100)
      .optional()
      .describe('The program; must match the one the code or token was issued to.')
      .meta({ examples: ['leasehold-cli'] }),
  })
  .meta({
    id: 'TokenRequest',
    description: 'RFC 6749 token request: the device code grant or the refresh token grant.',
    examples: [
      { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS', client_id: 'leasehold-cli' },
    ],
  });

/** RFC 6749 §5.1. */
export const tokenResponse = z
  .object({
    access_token: z.string().describe('A short-lived access token (JWT, `typ: at+jwt`) for `Authorization: Bearer`.'),
    refresh_token: z.string().describe('A refresh token; each use answers a new one and retires this one.'),
    token_type: z.literal('Bearer').describe('Always `Bearer`.'),
    expires_in: z
      .number()
      .int()
      .describe('Seconds until the access token expires.')
      .meta({ examples: [900] }),
    scope: z.string().optional().describe('The granted scopes.'),
  })
  .meta({ id: 'TokenResponse', description: 'RFC 6749 §5.1 token response.' });
export type TokenResponse = z.infer<typeof tokenResponse>;

/** RFC 6749 §5.2 and RFC 8628 §3.5: OAuth errors keep their own shape, not problem+json. */
export const oauthError = z
  .object({
    error: z
      .enum([
        'invalid_request',
        'invalid_client',
        'invalid_grant',
        'unsupported_grant_type',
        'authorization_pending',
        'slow_down',
        'access_denied',
        'expired_token',
      ])
      .describe('The OAuth error code; while the person has not yet approved a device sign-in it is `authorization_pending` (or `slow_down`: poll less often).')
      .meta({ examples: ['authorization_pending'] }),
    error_description: z.string().optional().describe('What went wrong, for people.'),
  })
  .meta({ id: 'OAuthError', description: 'An OAuth error (RFC 6749 §5.2, RFC 8628 §3.5): OAuth clients expect this shape, not problem+json.' });

export const logoutRequest = z
  .object({
    refresh_token: z.string().max(200).optional().describe("A program's refresh token: its whole family is revoked."),
    client_id: z
      .string()
      .max(100)
      .optional()
      .describe('The program the token was issued to.')
      .meta({ examples: ['leasehold-cli'] }),
    csrf_token: z.string().max(200).optional().describe('For a browser sign-out by cookie, if not sent as `x-csrf-token`.'),
  })
  .meta({ id: 'LogoutRequest', description: 'What to sign out: a refresh token, the browser session of the cookie, or both.' });
export const logoutResponse = z
  .object({ revoked: z.boolean().describe('Whether anything was revoked.') })
  .meta({ id: 'LogoutResponse', description: 'The sign-out took effect.', examples: [{ revoked: true }] });

export const acceptedInvitation = z.object({ organisationId: id('organisation').describe('The organisation joined.'), role }).meta({
  id: 'AcceptedInvitation',
  description: 'The person joined the organisation.',
  examples: [{ organisationId: EXAMPLE_IDS.organisation, role: 'member' }],
});

export const memberRemoved = z
  .object({ removed: z.literal(true).describe('Always true: the person is no longer a member.') })
  .meta({ id: 'MemberRemoved', description: 'The membership ended.', examples: [{ removed: true }] });
