import { schemas } from '@leasehold/protocol';

/** The error answers a route may give, documented in OpenAPI as problem+json. */
export const problems = {
  400: schemas.problem,
  401: schemas.problem,
  403: schemas.problem,
  404: schemas.problem,
  409: schemas.problem,
  429: schemas.problem,
  503: schemas.problem,
};
