// The same apps and assertions with '@nestjs/cache-manager' resolved to nestjs-cachekit/compat.
import { jest } from '@jest/globals';

jest.unstable_mockModule('@nestjs/cache-manager', () => import('nestjs-cachekit/compat'));
const lib = await import('@nestjs/cache-manager');
const { defineCompatSuites } = await import('./suites.js');
defineCompatSuites('compat', lib);
