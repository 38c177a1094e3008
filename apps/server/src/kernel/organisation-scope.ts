/** Limits a call to one organisation's data, or to all (vendor staff). */
export interface OrganisationScope {
  organisationId: string | null;
}
