import { bodyProperties } from './suites/bodies';
import { fuzzFile } from './support/kit';

/** Random bytes and random JSON at every endpoint, against next start on PGlite. */
fuzzFile('random bodies', 'pglite', [bodyProperties]);
