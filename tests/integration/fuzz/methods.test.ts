import fc from 'fast-check';
import { EXTENSION_METHODS } from './support/arbitraries';
import { ALL_ENDPOINTS, checkReply } from './support/contract';
import { fuzzFile, fuzzIt, fuzzOptions, sendTo, type PropertyGroup } from './support/kit';
import { checkHeaderCase, headerCase, headerRequest } from './suites/headers';

/**
 * Methods beyond the seven a route handler exports: the WebDAV and other methods Node's parser
 * passes on, and TRACE. The contract wants 405 `method_not_allowed` (JSON, with Allow) for any
 * method but the documented one, and never a 5xx. CONNECT is not sent: Node gives it to a
 * `connect` listener, never to the app, and without one simply closes the socket.
 */
const byName = (name: string) => ALL_ENDPOINTS.find((e) => e.name === name)!;

const methodProperties: PropertyGroup = (getKit, backend) => {
  const property = (label: string, methods: fc.Arbitrary<string>) =>
    fuzzIt(getKit, backend, `${label}: 405 method_not_allowed at every endpoint, whatever the headers`, 20 * ALL_ENDPOINTS.length, async (server) => {
      const own = new URL(server.url);
      const endpoint = fc.constantFrom(...ALL_ENDPOINTS.map((e) => e.name));
      const cases = endpoint.chain((name) => headerCase(byName(name), server.url, methods).map((c) => ({ endpoint: name, c })));
      await fc.assert(
        fc.asyncProperty(cases, async ({ endpoint: name, c }) => {
          const e = byName(name);
          const request = headerRequest(e, c);
          const reply = await sendTo(server, request);
          checkReply(e, request, reply);
          checkHeaderCase(e, own, c, request, reply);
        }),
        // FUZZ_RUNS cases per endpoint on average.
        { ...fuzzOptions(), numRuns: fuzzOptions().numRuns! * ALL_ENDPOINTS.length },
      );
    });
  property('extension methods (WebDAV, QUERY, ...)', fc.constantFrom(...EXTENSION_METHODS));
  property('TRACE', fc.constant('TRACE'));
};

fuzzFile('methods beyond GET/HEAD/POST/PUT/PATCH/DELETE/OPTIONS', 'pglite', [methodProperties]);
