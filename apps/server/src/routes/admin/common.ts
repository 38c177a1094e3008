import { schemas } from '@leasehold/protocol';
import type { IdKind } from '@leasehold/protocol/ids';
import { z } from 'zod';

export const problems = {
  400: schemas.problem,
  401: schemas.problem,
  403: schemas.problem,
  404: schemas.problem,
  409: schemas.problem,
  429: schemas.problem,
};

/** Path parameters holding one ID of the given kind. */
export const idParams = (kind: IdKind) => z.strictObject({ id: schemas.id(kind) });
