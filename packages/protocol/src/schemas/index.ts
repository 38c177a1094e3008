export * from './admin.js';
export * from './billing.js';
export * from './common.js';
export * from './examples.js';
export * from './identity.js';
export * from './licensing.js';
export * from './ops.js';
export * from './problems.js';
