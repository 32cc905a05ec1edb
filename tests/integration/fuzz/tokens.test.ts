import { tokenProperties } from './suites/tokens';
import { fuzzFile } from './support/kit';

/** Mutated access, refresh and session tokens, Bearer headers and signed cookies, against next start on PGlite. */
fuzzFile('mutated tokens and cookies', 'pglite', [tokenProperties]);
