import { defineAuthConfig } from '@/auth/config/define';
import type { InferAuthTypes } from '@/auth/config/infer';
import { rolesOf } from '@/auth/services/roles';

/**
 * The template's auth settings (docs/configuration.md lists every one). Secrets, the database, the
 * IdP and mail come from the environment (env.example); everything a template user customises in
 * code lives here, e.g. `signUp: false`, `passwordRules: { minLength: 12 }` or
 * `accessTokenLifetime: '10m'`. The server reads this file once at start: restart `npm run dev`
 * after editing it.
 */
const authConfig = defineAuthConfig({
  // The seed's USER_SERIALIZER_CLASS: the `user` member of sign-in and refresh answers.
  serializeUser: (user) => ({
    id: user.id,
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
  }),
  // The seed's CUSTOM_TOKEN_USER_ATTRIBUTES: copied into every access token.
  customTokenUserAttributes: ['username', 'is_staff'],
  // The seed's CUSTOM_TOKEN_CALLABLE_ATTRIBUTES: computed at sign-in and at every refresh.
  customTokenClaims: [
    {
      // `admin` for superusers, `staff` for staff, then the user's groups
      // (`npm run auth -- grant-role <username> <role>`).
      attrName: 'roles',
      attrGetter: (user, { db }) => rolesOf(db, user),
    },
  ],
});

export default authConfig;

/**
 * The signed-in user's and the custom claims' types, inferred from the settings above:
 * getCurrentUser(), withAuth() and useAuth() give `user.username`, `claims.roles` (string[]) and
 * `claims.is_staff` (boolean) with these types.
 */
export type AppAuth = InferAuthTypes<typeof authConfig>;
