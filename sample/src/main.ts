import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port, '127.0.0.1');
  console.log(
    `nestjs-cachekit sample listening on http://127.0.0.1:${port} (try GET /products/1; dashboard: /_cache?token=...; /metrics)`,
  );
}

void bootstrap();
