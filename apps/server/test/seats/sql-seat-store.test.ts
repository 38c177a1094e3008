import { DRIVERS } from '../support/databases.js';
import { createHarness } from '../support/harness.js';
import { describeSeatStore } from './seat-store-suite.js';

for (const driver of DRIVERS) {
  describeSeatStore(`sql on ${driver}`, () => createHarness(driver));
}
