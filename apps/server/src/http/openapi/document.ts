import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import { finishDocument } from './finish.js';
import { componentsTransform, routeSchemaTransform } from './zod-json.js';

const DESCRIPTION = `Floating seats, signed lease tokens and license administration for commercial software.

## Ways in

| Credential | Where it goes | Used by |
| --- | --- | --- |
| License key | \`Authorization: License <key>\` (security scheme \`licenseKey\`) | acquire, validate |
| Session secret | \`Leasehold-Session-Secret: <secret>\` (security scheme \`sessionSecret\`), with the \`sessionId\` in the body, as acquire answered them | heartbeat, release, borrow, return |
| CI workload identity token | \`Authorization: Workload <JWT>\` (security scheme \`workloadToken\`): a GitHub Actions OIDC token (or another trusted issuer’s) with this server’s public URL as audience, mapped to a license by CI mapping rules | acquire |
| User access token | \`Authorization: Bearer <token>\` (security scheme \`userToken\`) | \`/api/v1/me\`, \`/api/v1/orgs/…\`, acquire without a key |
| Admin API key | \`Authorization: Bearer lh_…\` (security scheme \`apiKey\`, with the scope each route needs) | \`/api/v1/admin/…\` |
| Browser cookie | the \`lh_session\` cookie (security scheme \`browserCookie\`); changes also need \`x-csrf-token\` | the sign-in pages, the organisation routes and the dashboard (\`lh_admin\` for a session opened with an API key) |

Older clients send the license key and the session secret in the JSON body (\`licenseKey\`, \`sessionSecret\`): that
still works, and those fields are marked \`deprecated\` and \`writeOnly\`. A credential sent both ways must be the same in
both, or the answer is \`400 VALIDATION_FAILED\`.

## Errors

Every error is \`application/problem+json\` (RFC 9457) with a \`code\` from a closed list (\`ErrorCode\`) and the
\`requestId\`; each operation lists the codes it can answer, and problems with facts of their own (\`NoSeatAvailableProblem\`,
\`ValidationProblem\` …) have their own schema. The OAuth endpoints answer OAuth's own error shape.

## Rate limits

Limited routes answer \`RateLimit-Remaining\`; over the limit they answer \`429 RATE_LIMITED\` with \`Retry-After\`.
A \`503\` carries \`Retry-After\` when the server knows when to retry.`;

const TAGS = [
  { name: 'licensing', description: 'The calls a licensed program makes: take, keep and give back a seat, borrow it offline, check a key or token.' },
  { name: 'products', description: 'The software being licensed.' },
  { name: 'plans', description: 'The terms licenses are issued under.' },
  { name: 'organisations', description: 'Customers: administration by the vendor, and self-service by their members.' },
  { name: 'licenses', description: 'Issuing and managing licenses.' },
  { name: 'sessions', description: 'The seats held now.' },
  { name: 'audit', description: 'The hash-chained audit log.' },
  { name: 'api keys', description: 'Vendor API keys and their scopes.' },
  { name: 'billing', description: 'Stripe: checkout, the customer portal and the webhook.' },
  { name: 'identity', description: 'Signing people in: browser sign-in, device sign-in for programs, tokens.' },
  { name: 'dashboard', description: 'The web dashboard and the endpoints only it calls.' },
  { name: 'usage', description: 'Seat-usage analytics from the hourly rollup.' },
  { name: 'webhooks', description: 'Signed events sent to the vendor’s and customers’ systems: endpoints, the delivery log, redelivery.' },
  { name: 'operations', description: 'Health, readiness and metrics for the platform.' },
];

const HEADERS = {
  XRequestId: {
    description: 'The request ID (the caller’s well-formed `x-request-id`, or a new `req_…`); problems repeat it as `requestId`.',
    schema: { type: 'string', examples: ['req_01jf4a2d4e5f6g7h8j9k0m1n2p'] },
  },
  RateLimitRemaining: { description: 'Requests left in the current minute of the tightest limit that applies.', schema: { type: 'integer', examples: [597] } },
  RetryAfter: { description: 'Seconds to wait before retrying, when known.', schema: { type: 'integer', minimum: 1, examples: [12] } },
  RetryAfterRequired: { description: 'Seconds to wait before retrying.', required: true, schema: { type: 'integer', minimum: 1, examples: [12] } },
  WwwAuthenticate: { description: 'The authentication scheme expected (RFC 6750).', schema: { type: 'string', examples: ['Bearer realm="leasehold-admin"'] } },
};

const SECURITY_SCHEMES = {
  licenseKey: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'A license key, `Authorization: License <key>` (the word `License`, a space, then the key as issued; it is normalised like a typed key). Older clients may send it as the body’s `licenseKey` instead.',
  },
  workloadToken: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'A CI job’s workload identity token, `Authorization: Workload <JWT>`: an OIDC token of a trusted issuer (`LEASEHOLD_CI_ISSUERS`, GitHub Actions’ `https://token.actions.githubusercontent.com` by default) whose audience is `LEASEHOLD_CI_AUDIENCE` (default: the public URL). Its signature is checked against the issuer’s JWKS (found through `/.well-known/openid-configuration`), and its claims (`repository`, `ref`, `job_workflow_ref`) are matched against the CI mapping rules.',
  },
  sessionSecret: {
    type: 'apiKey',
    in: 'header',
    name: 'Leasehold-Session-Secret',
    description:
      'The secret of the session acquire answered, for heartbeat, release, borrow and return; the session’s ID stays in the body. Older clients may send it as the body’s `sessionSecret` instead.',
  },
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'lh_…',
    description: 'A vendor API key, `Authorization: Bearer lh_…`. Each route needs one scope (listed as the requirement’s role); `*` grants all.',
  },
  userToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A signed-in person’s access token (`at+jwt`, from `POST /auth/token`), or a token of the configured external issuer.',
  },
  webhookSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      'How Leasehold signs what it sends to a webhook endpoint (Standard Webhooks): the receiver checks this header against the endpoint’s secret, with `webhook-id` and `webhook-timestamp`.',
  },
  browserCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'lh_session',
    description:
      'The browser session set by the sign-in callback. A change (any method but GET) also needs the `lh_csrf` cookie’s value in `x-csrf-token`. The dashboard’s own session, opened with an API key, is the `lh_admin` cookie with `lh_admin_csrf`, used the same way.',
  },
};

/** The options of @fastify/swagger: the document's frame, and how routes' zod schemas become it. */
export function openApiOptions(publicUrl: string, providers: () => string[]): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Leasehold API',
        version: '1.0.0',
        description: DESCRIPTION,
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      servers: [{ url: publicUrl, description: 'This server' }],
      tags: TAGS,
      // biome-ignore lint/suspicious/noExplicitAny: the swagger types lag OpenAPI 3.1 (header `examples`, license `identifier`).
      components: { securitySchemes: SECURITY_SCHEMES as any, headers: HEADERS as any },
    },
    transform: routeSchemaTransform,
    transformObject: (input) => finishDocument(componentsTransform(input) as never, providers()) as never,
  };
}
