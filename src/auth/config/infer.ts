import type { User } from '@/db/schema';
import type { AuthOptions } from './types';
import type { RowFieldOf } from './user-fields';

/** A user field as a claim carries it: dates become Unix seconds (tokens/claims.ts). */
type AsClaim<Value> = Value extends Date ? number : Value;

type AttributeClaims<Options> = Options extends {
  customTokenUserAttributes: readonly (infer Name extends string)[];
}
  ? { [K in Name]: AsClaim<User[RowFieldOf<K> & keyof User]> }
  : unknown;

type Getter = { attrName: string; attrGetter: (...args: never[]) => unknown };
type Got<C extends Getter> = Awaited<ReturnType<C['attrGetter']>>;

/** A getter that may answer undefined leaves its claim out: the claim is optional. */
type CallableClaims<Options> = Options extends {
  customTokenClaims: readonly (infer C extends Getter)[];
}
  ? { [K in C as undefined extends Got<K> ? never : K['attrName']]: Got<K> } & {
      [K in C as undefined extends Got<K> ? K['attrName'] : never]?: Exclude<Got<K>, undefined>;
    }
  : unknown;

type Serialized<Options> = Options extends {
  serializeUser: (...args: never[]) => infer Shape extends object;
}
  ? Shape
  : unknown;

/**
 * The types a configuration gives the signed-in user: `user` is what `serializeUser` returns,
 * `claims` the custom claims (customTokenUserAttributes and customTokenClaims) with their types.
 * `src/auth.config.ts` exports `AppAuth = InferAuthTypes<typeof config>`; getCurrentUser(),
 * withAuth() and useAuth() type their answers with it, so nothing needs a cast.
 */
export interface InferAuthTypes<Options extends AuthOptions> {
  user: Serialized<Options>;
  claims: AttributeClaims<Options> & CallableClaims<Options>;
}
