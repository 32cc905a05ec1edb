/**
 * The top frames of a V8 .cpuprofile (`tsx tests/bench/profile-refresh.ts` writes them to
 * /tmp/kit-prof): `tsx tests/bench/profile-top.ts [file]` (default: the newest, largest there)
 * prints the functions with the most self time, and the self time per package or source area.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from: a package, the kit's compiled code, Node itself, V8. */
export function areaOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native / V8)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    const pkg = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    if (pkg === 'next' && rest.includes('compiled')) {
      const inner = rest[rest.indexOf('compiled') + 1];
      return `next (compiled ${inner})`;
    }
    return pkg ?? url;
  }
  if (url.startsWith('node:')) return `node (${url.slice(5).split('/')[0]})`;
  if (url.includes('/.next/server/')) return 'the app (.next/server chunks: kit + routes)';
  return url;
}

/**
 * Self time by frame and by area. With a window (`fromUs`..`toUs` on the profile's clock), only
 * the samples inside it count, and `requests` (those served in it) gives µs per request.
 */
export function topFrames(
  profile: Profile,
  { fromUs = -Infinity, toUs = Infinity, requests = 0, count = 25 } = {},
) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < fromUs || at > toUs) return;
    // A sample stands for the time until the next one.
    const us = profile.timeDeltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + us);
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
  const frames = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    frames.set(key, (frames.get(key) ?? 0) + us);
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, us]) => ({
        name,
        ms: Math.round(us / 1000),
        share: us / total,
        usPerRequest: requests ? us / requests : 0,
      }));
  return { totalMs: Math.round(total / 1000), frames: sorted(frames), areas: sorted(areas) };
}

if (process.argv[1]?.endsWith('profile-top.ts')) {
  const dir = '/tmp/kit-prof';
  const file =
    process.argv[2] ??
    readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => join(dir, f))
      .sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const { totalMs, frames, areas } = topFrames(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  console.log(`${file}: ${totalMs} ms of samples`);
  console.log('\nself time by area');
  for (const a of areas) console.log(`${(a.share * 100).toFixed(1).padStart(5)} %  ${a.name}`);
  console.log('\ntop frames by self time');
  for (const f of frames) console.log(`${(f.share * 100).toFixed(1).padStart(5)} %  ${f.name}`);
}
