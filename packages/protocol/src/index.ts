export * from './errors.js';
export * from './ids.js';
export * from './lease-token.js';
export * from './license-key.js';
export * as schemas from './schemas/index.js';
