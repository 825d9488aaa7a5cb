export * from './messages';
export * from './limits';
export * from './channel';
export * from './validate';
export * from './decode';
export * from './endpoints';
