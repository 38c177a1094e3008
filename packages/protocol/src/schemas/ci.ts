import { z } from 'zod';
import { id, page, pageQueryOf, timestamp } from './common.js';
import { EXAMPLE_IDS, EXAMPLE_TIMES } from './examples.js';

/** GitHub Actions' OIDC issuer, the one trusted unless configured otherwise. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** A claim pattern: the claim's value with `*` standing for any run of characters. */
const pattern = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[A-Za-z0-9._\-/@:*]+$/, { message: 'must be letters, digits, . _ - / @ : and * (any run of characters)' });
const claimPattern = (what: string, example: string) => pattern.describe(what).meta({ examples: [example] });
const optionalPattern = (what: string, example: string) =>
  pattern
    .nullable()
    .describe(what)
    .meta({ examples: [example] });

const ciMode = z
  .enum(['enforce', 'advisory'])
  .describe(
    '`enforce`: over the CI pool the acquire is refused (409). `advisory` (forks, untrusted refs): the pool is not enforced; the seat is granted, and an acquire over the pool is logged (audit `ci.pool-exceeded`) and answered with a warning. The license’s own seats are never exceeded in either mode.',
  );

const mappingFields = {
  licenseId: id('license').describe('The license CI jobs matching this rule take seats from.'),
  issuer: z
    .url({ protocol: /^https?$/ })
    .max(255)
    .describe('The OIDC issuer of the workload tokens, one of those the server trusts.')
    .meta({ examples: [GITHUB_ACTIONS_ISSUER] }),
  repository: claimPattern('The `repository` claim (`owner/name`), e.g. `acme/build-tools` or `acme/*`.', 'acme/*'),
  ref: optionalPattern('When set, the `ref` claim must match too, e.g. `refs/heads/main` or `refs/tags/v*`.', 'refs/heads/main'),
  jobWorkflowRef: optionalPattern(
    'When set, the `job_workflow_ref` claim must match too (which workflow file, at which ref, runs the job).',
    'acme/workflows/.github/workflows/build.yml@refs/heads/main',
  ),
  mode: ciMode,
  maxConcurrent: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .nullable()
    .describe('The CI pool: at most this many CI jobs matching the rule hold seats at once, apart from interactive users. Null: no pool of its own.'),
};

const exampleMapping = {
  id: EXAMPLE_IDS.ciMapping,
  licenseId: EXAMPLE_IDS.license,
  organisationId: EXAMPLE_IDS.organisation,
  issuer: GITHUB_ACTIONS_ISSUER,
  repository: 'acme/*',
  ref: 'refs/heads/main',
  jobWorkflowRef: null,
  mode: 'enforce' as const,
  maxConcurrent: 3,
  createdAt: EXAMPLE_TIMES.created,
};

export const ciMapping = z
  .object({
    id: id('ciMapping').describe('The rule.'),
    organisationId: id('organisation').describe('The organisation of the license.'),
    ...mappingFields,
    createdAt: timestamp.describe('When it was created.'),
  })
  .meta({
    id: 'CiMapping',
    description: 'A rule that lets CI jobs holding a workload identity token (GitHub Actions OIDC) take seats of a license without a license key.',
    examples: [exampleMapping],
  });
export type CiMapping = z.infer<typeof ciMapping>;

export const createCiMapping = z
  .strictObject({
    licenseId: mappingFields.licenseId,
    issuer: mappingFields.issuer.optional().describe('The OIDC issuer; GitHub Actions’ when omitted.'),
    repository: mappingFields.repository,
    ref: mappingFields.ref.optional(),
    jobWorkflowRef: mappingFields.jobWorkflowRef.optional(),
    mode: ciMode.optional().describe('`enforce` (the default) or `advisory`; see CiMapping.'),
    maxConcurrent: mappingFields.maxConcurrent.optional(),
  })
  .meta({
    id: 'CreateCiMapping',
    description: 'Map CI jobs (by claims of their workload identity token) to a license.',
    examples: [{ licenseId: EXAMPLE_IDS.license, repository: 'acme/*', ref: 'refs/heads/main', maxConcurrent: 3 }],
  });
export type CreateCiMapping = z.infer<typeof createCiMapping>;

export const ciMappingQuery = pageQueryOf('ciMapping').extend({ licenseId: id('license').optional().describe("Only this license's rules.") });
export const ciMappingPage = page(ciMapping).meta({ id: 'CiMappingPage', description: 'A page of CI mapping rules.' });

/** What an acquire by a CI job answers beyond a seat. */
export const ciGrant = z
  .object({
    mappingId: id('ciMapping').describe('The rule that mapped the job to the license.'),
    mode: ciMode,
    repository: z.string().describe('The `repository` claim of the token.'),
    poolUsed: z.number().int().describe('CI jobs of this rule holding seats now, this one included.'),
    poolMax: z.number().int().nullable().describe('The rule’s CI pool, or null.'),
    warning: z.string().nullable().describe('Set when an advisory rule let the job past its CI pool; the event is in the audit log.'),
  })
  .describe('Present when a CI job took the seat with a workload identity token.')
  .meta({
    examples: [{ mappingId: EXAMPLE_IDS.ciMapping, mode: 'enforce', repository: 'acme/build-tools', poolUsed: 1, poolMax: 3, warning: null }],
  });
