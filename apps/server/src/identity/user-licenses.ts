import type { Db } from '../db/database.js';
import { LeaseholdError } from '../kernel/errors.js';
import { userLicenseRepository } from '../repositories/user-license-repository.js';

/**
 * Picks the license a signed-in person's acquire takes a seat from: the one they
 * name (if it belongs to one of their organisations), else their organisations'
 * only license of the product, preferring active ones.
 */
export async function licenseForUser(db: Db, userId: string, productCode: string, licenseId: string | undefined): Promise<string> {
  const rows = await userLicenseRepository.findForProduct(db, userId, productCode, licenseId);
  if (rows.length === 0) {
    throw new LeaseholdError(
      'LICENSE_NOT_FOUND',
      licenseId ? 'None of your organisations holds this license for this product.' : 'None of your organisations holds a license for this product.',
    );
  }
  const active = rows.filter((r) => r.status === 'active');
  const candidates = active.length > 0 ? active : rows;
  if (candidates.length > 1) {
    throw new LeaseholdError('VALIDATION_FAILED', 'licenseId: your organisations hold several licenses for this product; name one.', {
      errors: [{ path: 'body.licenseId', message: 'required when you hold several licenses for the product' }],
      licenseIds: candidates.map((r) => r.id),
    });
  }
  return (candidates[0] as { id: string }).id;
}
