import { schemas } from '@leasehold/protocol';
import type { IdKind } from '@leasehold/protocol/ids';
import { z } from 'zod';

export { problems } from '../problem-responses.js';

/** Path parameters holding one ID of the given kind. */
export const idParams = (kind: IdKind) =>
  z.strictObject({ id: schemas.id(kind).describe(`The ${kind.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}'s ID.`) });
