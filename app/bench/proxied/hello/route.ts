import { helloRoute } from '@/bench/routes';

export const GET = helloRoute;
