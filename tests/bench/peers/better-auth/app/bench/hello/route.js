// The same ceiling as the kit's benchmark app: an unprotected route that does nothing.
const hello = () => Response.json({ hello: 'world' }, { headers: { 'Cache-Control': 'no-store' } });

export const GET = hello;
export const POST = hello;
