import { proxiedRoute } from '@/bench/routes';

export const GET = proxiedRoute;
