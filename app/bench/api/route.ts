import { guardedRoute } from '@/bench/routes';

export const GET = guardedRoute;
