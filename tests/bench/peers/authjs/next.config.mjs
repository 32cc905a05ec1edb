import { fileURLToPath } from 'node:url';

/** A peer app of the benchmark: its own root, so Next does not take the kit's repository for it. */
const root = fileURLToPath(new URL('.', import.meta.url));

export default { turbopack: { root }, outputFileTracingRoot: root };
