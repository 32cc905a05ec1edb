import { bodySuite } from './suites/bodies';

/** Random bytes and random JSON at every endpoint, against next start on PGlite. */
bodySuite('pglite');
