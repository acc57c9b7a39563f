import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Injectable,
  Param,
  Post,
  Put,
  Query,
  StreamableFile,
  UseInterceptors,
} from '@nestjs/common';
import { CacheInterceptor, CacheKey, CacheTTL } from '@nestjs/cache-manager';
import { of } from 'rxjs';
import { CallCounter, ProfilesService, SettingsService } from './items.service.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Routes cached by URL (and by @CacheKey), as in the Nest caching docs. Registered below. */
@Injectable()
export class ItemsRoutes {
  constructor(private readonly calls: CallCounter) {}

  @Get()
  list(@Query('q') q?: string) {
    return { q: q ?? null, run: this.calls.bump(`list:${q ?? ''}`) };
  }

  @Get('slow')
  async slow() {
    const run = this.calls.bump('slow');
    await sleep(100);
    return { run };
  }

  @Get('nil')
  nil() {
    this.calls.bump('nil');
    return null;
  }

  /** An Observable with two values: Nest answers with the last one. */
  @Get('stream')
  stream() {
    const run = this.calls.bump('stream');
    return of({ part: 1, run }, { part: 2, run });
  }

  @Get('falsy')
  falsy() {
    this.calls.bump('falsy');
    return 0;
  }

  @Get('short')
  @CacheTTL(300)
  short() {
    return { run: this.calls.bump('short') };
  }

  @Get('forever')
  @CacheTTL(0)
  forever() {
    return { run: this.calls.bump('forever') };
  }

  @Get('factory-ttl')
  @CacheTTL(async () => 60_000)
  factoryTtl() {
    return { run: this.calls.bump('factory-ttl') };
  }

  @Get('boom')
  boom() {
    this.calls.bump('boom');
    throw new BadRequestException('nope');
  }

  @Get('file')
  file() {
    this.calls.bump('file');
    return new StreamableFile(Buffer.from('file body'));
  }

  @Post('keyed')
  @CacheKey('keyed-post')
  keyed(@Body() body: { v?: number }) {
    return { body, run: this.calls.bump('keyed') };
  }

  @Post('plain')
  plain() {
    return { run: this.calls.bump('plain') };
  }

  @Get('key-factory/:id')
  @CacheKey((ctx) => `kf:${(ctx.switchToHttp().getRequest() as { params: { id: string } }).params.id}`)
  keyFactory(@Param('id') id: string) {
    return { id, run: this.calls.bump(`kf:${id}`) };
  }
}

/** The routes with the interceptor on the controller. */
@Controller('items')
@UseInterceptors(CacheInterceptor)
export class ItemsController extends ItemsRoutes {}

/** The routes without an interceptor of their own (for a global one). */
@Controller('items')
export class PlainItemsController extends ItemsRoutes {}

/** A controller-level interceptor and TTL. */
@Controller('cached')
@UseInterceptors(CacheInterceptor)
@CacheTTL(60_000)
export class CachedController {
  constructor(private readonly calls: CallCounter) {}

  @Get('a')
  a() {
    return { run: this.calls.bump('cached-a') };
  }
}

/** Routes over services that use the cache manager. */
@Controller('profiles')
export class ProfilesController {
  constructor(
    private readonly profiles: ProfilesService,
    private readonly settings: SettingsService,
  ) {}

  @Get(':id')
  get(@Param('id') id: string) {
    return this.profiles.profile(id);
  }

  @Delete(':id')
  forget(@Param('id') id: string) {
    return this.profiles.forget(id);
  }

  @Put('settings/:name')
  async write(@Param('name') name: string, @Body() body: { value: string; ttl?: number }) {
    return { stored: await this.settings.write(name, body.value, body.ttl) };
  }

  @Get('settings/:name')
  async read(@Param('name') name: string) {
    return { value: (await this.settings.read(name)) ?? null };
  }
}
