/**
 * What a page of the benchmark's build makes the browser load, attributed to where it came from.
 *
 * Method: the page's HTML from `next start` names every script it loads before it is interactive
 * (the <script> tags, and the client chunks the React Server Components payload lists for
 * hydration), less the polyfills for browsers without ES modules (<script noModule>, which a
 * current browser skips): those are the page's JS. Chunks it only loads later with import() (a flow the user
 * starts) are not named there, so they do not count. The benchmark's build has browser source
 * maps (tests/bench/fixture/next.config.mjs), so every byte of every chunk maps to its source
 * file: each mapping segment covers the generated code up to the next segment. The bytes are
 * grouped by source (the kit's client code in src/client, the demo app in app/, the framework:
 * next, react, react-dom, scheduler, the bundler's runtime; any other package by name), and each
 * group's generated code is gzipped on its own: "KB gz" is that, the size of the group's code as
 * it travels. Bytes no mapping covers (the bundler's glue between modules) are their own group.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decode } from '@jridgewell/sourcemap-codec';

export interface ClientJsGroup {
  group: string;
  bytes: number;
  gzBytes: number;
}

export interface ClientJsReport {
  page: string;
  chunks: string[];
  /** The chunks as they travel (each gzipped whole). */
  totalGzBytes: number;
  groups: ClientJsGroup[];
  /** The kit's own client code (src/client) the page loads, gzipped. */
  kitGzBytes: number;
  /** Packages the page must not load: present or not. */
  forbidden: Record<string, boolean>;
}

/** Packages a password-only page must not load (they belong to the flows that use them). */
export const FORBIDDEN_PACKAGES = ['oidc-client-ts', '@simplewebauthn/browser'];
const FRAMEWORK = ['next', 'react', 'react-dom', 'scheduler', '@swc/helpers', 'styled-jsx'];

/** The group a source file of a source map belongs to. */
export function groupOf(source: string): string {
  const modules = source.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = source.slice(modules + '/node_modules/'.length).split('/');
    const name = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? '');
    return FRAMEWORK.includes(name) ? 'framework' : `package ${name}`;
  }
  if (/\/src\/client\//.test(source)) return 'kit client (src/client)';
  if (/\/src\//.test(source)) return 'kit (other src)';
  if (/\/app\//.test(source)) return 'demo app (app/)';
  if (/turbopack|\[turbopack\]|webpack/.test(source)) return 'framework';
  return `other ${source}`;
}

interface RawMap {
  sources?: string[];
  mappings?: string;
  sections?: { offset: { line: number; column: number }; map: RawMap }[];
}

/** Adds each mapped span of `code` to its group's text. */
function attribute(code: string, map: RawMap, into: Map<string, string[]>, lineOffset = 0): void {
  if (map.sections) {
    for (const section of map.sections)
      attribute(code, section.map, into, lineOffset + section.offset.line);
    return;
  }
  const lines = code.split('\n');
  const decoded = decode(map.mappings ?? '');
  decoded.forEach((segments, index) => {
    const line = lines[index + lineOffset] ?? '';
    segments.forEach((segment, i) => {
      const start = segment[0];
      const end = segments[i + 1]?.[0] ?? line.length;
      const source = segment.length >= 4 ? map.sources?.[segment[1]!] : undefined;
      const group = source ? groupOf(source) : 'unmapped (bundler glue)';
      const list = into.get(group) ?? [];
      list.push(line.slice(start, end));
      into.set(group, list);
    });
  });
}

/** The JS `pageUrl` loads from `appDir`'s build, attributed to its sources (see above). */
export async function measureClientJs(appDir: string, pageUrl: string): Promise<ClientJsReport> {
  const response = await fetch(pageUrl);
  if (!response.ok) throw new Error(`${pageUrl}: ${response.status}`);
  const html = await response.text();
  // Polyfills for browsers without ES modules (<script noModule>): a current browser skips them.
  const noModule = new Set(
    [...html.matchAll(/<script[^>]*\bnoModule\b[^>]*>/gi)].flatMap((tag) =>
      [...tag[0].matchAll(/static\/chunks\/[\w\-.~%/]+?\.js/g)].map((m) => m[0]),
    ),
  );
  const chunks = [
    ...new Set([...html.matchAll(/static\/chunks\/[\w\-.~%/]+?\.js/g)].map((m) => m[0])),
  ].filter((chunk) => !noModule.has(chunk));
  const into = new Map<string, string[]>();
  let totalGzBytes = 0;
  for (const chunk of chunks) {
    const file = join(appDir, '.next', decodeURIComponent(chunk));
    if (!existsSync(file)) continue;
    const code = readFileSync(file, 'utf8');
    totalGzBytes += gzipSync(code).length;
    // The map's name is its own content hash: the chunk's last line names it.
    const named = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(code)?.[1];
    const mapFile = named ? join(dirname(file), named) : `${file}.map`;
    if (existsSync(mapFile)) attribute(code, JSON.parse(readFileSync(mapFile, 'utf8')), into);
    else into.set('no source map', [...(into.get('no source map') ?? []), code]);
  }
  const groups = [...into]
    .map(([group, parts]) => {
      const text = parts.join('');
      return { group, bytes: Buffer.byteLength(text), gzBytes: gzipSync(text).length };
    })
    .sort((a, b) => b.gzBytes - a.gzBytes);
  const forbidden = Object.fromEntries(
    FORBIDDEN_PACKAGES.map((name) => [name, groups.some((g) => g.group === `package ${name}`)]),
  );
  return {
    page: new URL(pageUrl).pathname,
    chunks,
    totalGzBytes,
    groups,
    kitGzBytes: groups.find((g) => g.group === 'kit client (src/client)')?.gzBytes ?? 0,
    forbidden,
  };
}
