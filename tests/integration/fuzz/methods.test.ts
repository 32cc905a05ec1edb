import fc from 'fast-check';
import { EXTENSION_METHODS } from './support/arbitraries';
import { ALL_ENDPOINTS, checkReply } from './support/contract';
import { fuzzFile, fuzzIt, fuzzOptions, sendTo, type PropertyGroup } from './support/kit';
import { checkHeaderCase, headerCase, headerRequest } from './suites/headers';

/**
 * Methods beyond the seven a route handler exports: the WebDAV and other methods Node's parser
 * passes on, and TRACE. The kit's handlers answer 405 `method_not_allowed` (JSON, with Allow)
 * for every method a route handler can receive (GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS:
 * the header suites check those). Next.js itself answers the others before any app code runs:
 * extension methods with an empty 400, which this file checks is a 4xx that issues nothing;
 * TRACE with a 500, because the Fetch standard forbids it and Next cannot build a Request for it
 * (a framework limitation: block TRACE at the reverse proxy, as most do by default; see the
 * docs/endpoints.md). CONNECT is not sent: Node gives it to a `connect` listener, never to the app.
 */
const byName = (name: string) => ALL_ENDPOINTS.find((e) => e.name === name)!;

const methodProperties: PropertyGroup = (getKit, backend) => {
  fuzzIt(
    getKit,
    backend,
    'extension methods (WebDAV, QUERY, ...): Next answers 4xx before the app, never 5xx, nothing issued',
    20 * ALL_ENDPOINTS.length,
    async (server) => {
      const endpoint = fc.constantFrom(...ALL_ENDPOINTS.map((e) => e.name));
      const cases = endpoint.chain((name) =>
        headerCase(byName(name), server.url, fc.constantFrom(...EXTENSION_METHODS)).map((c) => ({
          endpoint: name,
          c,
        })),
      );
      await fc.assert(
        fc.asyncProperty(cases, async ({ endpoint: name, c }) => {
          const request = headerRequest(byName(name), c);
          const reply = await sendTo(server, request);
          if (reply.status < 400 || reply.status >= 500)
            throw new Error(`${request.method} ${request.path} answered ${reply.status}`);
          if (reply.headers['set-cookie'])
            throw new Error(`${request.method} ${request.path} set a cookie`);
          if (/eyJ[\w-]+\.eyJ/.test(reply.text))
            throw new Error(`${request.method} ${request.path} answered a token`);
        }),
        { ...fuzzOptions(), numRuns: fuzzOptions().numRuns! * ALL_ENDPOINTS.length },
      );
    },
  );
  // Kept for the day Next.js handles TRACE: today it answers 500 before the app (see above).
  const property = (label: string, methods: fc.Arbitrary<string>) =>
    fuzzIt.skip(
      getKit,
      backend,
      `${label}: 405 method_not_allowed at every endpoint, whatever the headers`,
      20 * ALL_ENDPOINTS.length,
      async (server) => {
        const own = new URL(server.url);
        const endpoint = fc.constantFrom(...ALL_ENDPOINTS.map((e) => e.name));
        const cases = endpoint.chain((name) =>
          headerCase(byName(name), server.url, methods).map((c) => ({ endpoint: name, c })),
        );
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
      },
    );
  property(
    'TRACE (skipped: Next.js answers 500 before any app code; block TRACE at the reverse proxy)',
    fc.constant('TRACE'),
  );
};

fuzzFile('methods beyond GET/HEAD/POST/PUT/PATCH/DELETE/OPTIONS', 'pglite', [methodProperties]);
