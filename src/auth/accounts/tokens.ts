import { createHash, randomBytes } from 'node:crypto';

/** 32 bytes: 256 bits from the CSPRNG (the contract asks for at least 128). */
const TOKEN_BYTES = 32;

/** A mailed token: the value that goes into the link, and the hash that is stored. */
export interface NewMailToken {
  token: string;
  hash: string;
}

/** The stored form of a mailed token: hex SHA-256. A fast hash suffices for 256 random bits. */
export function hashMailToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh mailed token (base64url, 43 characters) and its hash. */
export function newMailToken(): NewMailToken {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: hashMailToken(token) };
}
