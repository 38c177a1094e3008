import { z } from 'zod';
import { id, timestamp } from './common.js';

/** A member's role in an organisation: owners manage everything, admins manage members and seats. */
export const role = z.enum(['owner', 'admin', 'member']);
export type Role = z.infer<typeof role>;

export const membership = z.object({
  organisationId: id('organisation'),
  organisationName: z.string(),
  role,
  since: timestamp,
});
export type Membership = z.infer<typeof membership>;

/** `GET /api/v1/me`: the signed-in person and the organisations they belong to. */
export const me = z.object({
  user: z.object({
    id: id('user'),
    email: z.string().nullable(),
    emailVerified: z.boolean(),
    name: z.string().nullable(),
    createdAt: timestamp,
  }),
  memberships: z.array(membership),
});
export type Me = z.infer<typeof me>;

export const member = z.object({
  userId: id('user'),
  email: z.string().nullable(),
  name: z.string().nullable(),
  role,
  since: timestamp,
});
export type Member = z.infer<typeof member>;
export const memberList = z.object({ data: z.array(member) });

export const updateMember = z.strictObject({ role });

export const createInvitation = z.strictObject({
  role: role.default('member'),
  /** Only a person signed in with this verified e-mail address may accept, when given. */
  email: z.email().max(320).optional(),
});
export type CreateInvitation = z.infer<typeof createInvitation>;

export const invitation = z.object({
  id: id('invitation'),
  organisationId: id('organisation'),
  role,
  email: z.string().nullable(),
  invitedBy: id('user'),
  createdAt: timestamp,
  expiresAt: timestamp,
  acceptedAt: timestamp.nullable(),
  acceptedBy: z.string().nullable(),
  revokedAt: timestamp.nullable(),
});
export type Invitation = z.infer<typeof invitation>;
export const invitationList = z.object({ data: z.array(invitation) });

/** The answer to creating an invitation: the link is shown once and works once. */
export const createdInvitation = invitation.extend({ url: z.string(), token: z.string() });

export const acceptInvitation = z.strictObject({ token: z.string().min(20).max(200) });

/** RFC 8628 §3.1: the device authorization request, as form fields or JSON. */
export const deviceCodeRequest = z.object({
  client_id: z.string().min(1).max(100),
  scope: z.string().max(500).optional(),
});

/** RFC 8628 §3.2. */
export const deviceCodeResponse = z.object({
  device_code: z.string(),
  user_code: z.string(),
  verification_uri: z.string(),
  verification_uri_complete: z.string(),
  expires_in: z.number().int(),
  interval: z.number().int(),
});

/** `POST /auth/token`: the device code grant and the refresh token grant. */
export const tokenRequest = z.object({
  grant_type: z.string().min(1).max(100),
  device_code: z.string().max(200).optional(),
  refresh_token: z.string().max(200).optional(),
  client_id: z.string().max(100).optional(),
});

/** RFC 6749 §5.1. */
export const tokenResponse = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  scope: z.string().optional(),
});
export type TokenResponse = z.infer<typeof tokenResponse>;

/** RFC 6749 §5.2 and RFC 8628 §3.5: OAuth errors keep their own shape, not problem+json. */
export const oauthError = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

export const logoutRequest = z.object({
  refresh_token: z.string().max(200).optional(),
  client_id: z.string().max(100).optional(),
  csrf_token: z.string().max(200).optional(),
});
export const logoutResponse = z.object({ revoked: z.boolean() });
