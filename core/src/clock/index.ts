export * from './hlc.js';
export * from './hybrid-logical-clock.js';
export * from './record-id.js';
