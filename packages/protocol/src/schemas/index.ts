export * from './admin.js';
export * from './common.js';
export * from './dashboard.js';
export * from './identity.js';
export * from './licensing.js';
