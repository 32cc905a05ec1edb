export * from './keys';
export * from './claims';
export * from './sign';
export * from './verify';
export type * from './types';
