import { tokenSuite } from './suites/tokens';

/** Mutated access, refresh and session tokens, Bearer headers and signed cookies against next start on PGlite. */
tokenSuite('pglite');
