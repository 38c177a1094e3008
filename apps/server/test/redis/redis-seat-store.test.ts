import { describeSeatStore } from '../seats/seat-store-suite.js';
import { createRedisHarness } from './redis-support.js';

// The same behaviour as the SQL store, with Redis deciding and PostgreSQL recording.
// The harness's manual clock reaches the scripts as their time (a test-only override).
describeSeatStore('redis', () => createRedisHarness());
