import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../support/http-client';
import { HTTP_BACKENDS, startKit, type KitServer } from '../../support/kit-servers';
import { skipWithoutPostgres } from '../../support/databases';

describe.each(HTTP_BACKENDS)('next start on %s', (backend) => {
  let kit: KitServer | null;
  beforeAll(async () => {
    kit = await startKit(backend);
  });
  afterAll(async () => kit?.stop());

  it('answers sign-in for an unknown user with 401 authentication_failed', async (context) => {
    skipWithoutPostgres(context, kit);
    const response = await new HttpClient(kit.url).post('/auth/sign-in/', {
      username: 'nobody',
      password: 'whatever-1',
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'authentication_failed' });
  });
});
