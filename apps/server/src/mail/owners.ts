import type { Executor } from '../db/database.js';
import { ownerRepository } from '../repositories/membership-owner-repository.js';

/** The e-mail addresses of an organisation's owners: who hears about its licenses and endpoints. */
export function ownerEmails(db: Executor, organisationId: string): Promise<string[]> {
  return ownerRepository.ownerEmails(db, organisationId);
}
