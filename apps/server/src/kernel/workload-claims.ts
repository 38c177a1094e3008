/**
 * What a verified CI workload identity token (GitHub Actions OIDC, or another issuer's)
 * says about the job holding it. Claim names are GitHub's; other issuers' equivalents
 * (GitLab's `project_path`, `pipeline_id`) are read into the same fields.
 */
export interface WorkloadClaims {
  issuer: string;
  subject: string;
  repository: string;
  repositoryOwner: string | null;
  ref: string | null;
  jobWorkflowRef: string | null;
  runId: string;
  runAttempt: string;
  /** Every string claim of the token worth keeping in the audit log. */
  audited: Record<string, string>;
}
