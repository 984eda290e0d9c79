/** How the Privilege Cloud answers depart from one tidy shape (SimulatorOptions.variationSeed and legacySafes). */
import type { Variations } from '../../shared/variations.js';

export interface PCloudShapes {
  variations: Variations;
  /** GET /Safes in the PAS 12.1-and-older shape {Safes, Total}, paged by offset only. */
  legacySafes: boolean;
}
