import { bodyProperties } from './suites/bodies';
import { tokenProperties } from './suites/tokens';
import { fuzzFile } from './support/kit';

/**
 * The random-body and mutated-token properties again, on PostgreSQL through node-postgres (one
 * server for both groups). Skipped, visibly, when the test PostgreSQL (TEST_DATABASE_URL) is
 * unreachable; REQUIRE_POSTGRES=1 turns that into a failure.
 */
fuzzFile('random bodies, mutated tokens and cookies', 'pg', [bodyProperties, tokenProperties]);
