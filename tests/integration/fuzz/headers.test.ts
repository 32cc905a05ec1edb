import { headerProperties } from './suites/headers';
import { fuzzFile } from './support/kit';

/** Random methods, cookies, Authorization, Origin and Sec-Fetch-Site at every endpoint, against next start on PGlite. */
fuzzFile('random methods and headers', 'pglite', [headerProperties]);
