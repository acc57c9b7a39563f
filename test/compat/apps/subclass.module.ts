import { Controller, ExecutionContext, Get, Inject, Injectable, Module, Post, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Cache, CACHE_MANAGER, CacheInterceptor, CacheModule } from '@nestjs/cache-manager';
import { CallCounter } from './items.service.js';

/** Caches per tenant header, HEAD too, and never for requests marked no-cache. */
@Injectable()
export class TenantCacheInterceptor extends CacheInterceptor {
  protected override allowedMethods = ['GET', 'HEAD'];

  constructor(@Inject(CACHE_MANAGER) cacheManager: Cache, reflector: Reflector) {
    super(cacheManager, reflector);
  }

  protected override async trackBy(context: ExecutionContext): Promise<string | undefined> {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    const base = await super.trackBy(context);
    return base ? `${req.headers['x-tenant'] ?? 'none'}:${base}` : undefined;
  }

  protected override isRequestCacheable(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>();
    return req.headers['x-no-cache'] !== '1' && super.isRequestCacheable(context);
  }
}

/** A subclass overriding trackBy synchronously. */
@Injectable()
export class FixedKeyInterceptor extends CacheInterceptor {
  protected override trackBy(): string {
    return 'fixed-key';
  }
}

@Controller('tenant')
@UseInterceptors(TenantCacheInterceptor)
export class TenantController {
  constructor(private readonly calls: CallCounter) {}

  @Get('report')
  report() {
    return { run: this.calls.bump('report') };
  }

  @Post('report')
  post() {
    return { run: this.calls.bump('report-post') };
  }
}

@Controller('fixed')
@UseInterceptors(FixedKeyInterceptor)
export class FixedController {
  constructor(private readonly calls: CallCounter) {}

  @Get('one')
  one() {
    return { which: 'one', run: this.calls.bump('fixed') };
  }

  @Get('two')
  two() {
    return { which: 'two', run: this.calls.bump('fixed') };
  }
}

@Module({
  imports: [CacheModule.register()],
  controllers: [TenantController, FixedController],
  providers: [CallCounter],
})
export class SubclassAppModule {}
