export * from './users';
export * from './sessions';
export * from './tokens';
export * from './throttle';
export * from './groups';
export * from './mail-tokens';
export * from './mfa';
