// The test apps against @nestjs/cache-manager itself: the reference for compat.spec.ts.
export {};
const lib = await import('@nestjs/cache-manager');
const { defineCompatSuites } = await import('./suites.js');
defineCompatSuites('incumbent', lib);
