export * from './admin.js';
export * from './common.js';
export * from './licensing.js';
export * from './identity.js';
