import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createApp } from './platform.js';

/** Listens on a free loopback port and prints it; the compat runner drives it over HTTP. */
async function bootstrap(): Promise<void> {
  const app = await createApp();
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  console.log(`COMPAT_LISTENING ${address.port}`);
}

bootstrap().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
