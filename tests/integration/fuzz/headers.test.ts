import { headerSuite } from './suites/headers';

/** Random methods, cookies, Authorization, Origin and Sec-Fetch-Site at every endpoint, against next start on PGlite. */
headerSuite('pglite');
