export * from './types';
export * from './header';
export * from './api-key';
export * from './lambda';
export * from './tokens';
