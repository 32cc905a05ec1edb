import autocannon, { type Options, type Result } from 'autocannon';
import { processTreeCpuMs } from './process-cpu';

/** One scenario's figures. */
export interface ScenarioResult {
  name: string;
  connections: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Server CPU (user + system) per request, in microseconds. */
  serverCpuUs: number;
}

/** Runs autocannon against the server and measures the server's CPU time per request. */
export async function runLoad(
  name: string,
  serverPid: number,
  options: Options & { warmupSeconds?: number },
): Promise<ScenarioResult> {
  const { warmupSeconds = 2, ...rest } = options;
  if (warmupSeconds > 0) await autocannon({ ...rest, duration: warmupSeconds });
  const before = processTreeCpuMs(serverPid);
  const result: Result = await autocannon(rest);
  const cpuMs = processTreeCpuMs(serverPid) - before;
  const requests = result.requests.total;
  return {
    name,
    connections: rest.connections ?? 10,
    requests,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    serverCpuUs: requests ? Math.round((cpuMs * 1000) / requests) : 0,
  };
}
