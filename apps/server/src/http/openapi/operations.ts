import type { OperationDoc } from './operation-doc.js';
import { ADMIN_OPERATIONS } from './operations-admin.js';
import { DASHBOARD_OPERATIONS } from './operations-dashboard.js';
import { LICENSING_OPERATIONS } from './operations-licensing.js';
import { PEOPLE_OPERATIONS } from './operations-people.js';
import { PLATFORM_OPERATIONS } from './operations-platform.js';
import { SIGN_IN_OPERATIONS } from './operations-sign-in.js';
import { WEBHOOK_OPERATIONS } from './operations-webhooks.js';

/** Every documented operation, by `METHOD /path` as it appears in the document. */
export const OPERATIONS: Record<string, OperationDoc> = {
  ...LICENSING_OPERATIONS,
  ...ADMIN_OPERATIONS,
  ...PEOPLE_OPERATIONS,
  ...SIGN_IN_OPERATIONS,
  ...PLATFORM_OPERATIONS,
  ...DASHBOARD_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
};
