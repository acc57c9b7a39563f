import {
  Controller,
  Delete,
  ForbiddenException,
  Get,
  Header,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  Sse,
  UseGuards,
  type Type,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { ResolvedAdminOptions } from './cache-admin.options';
import {
  CacheAdminService,
  type AdminAction,
  type AdminStore,
  type KeyLookup,
  type StreamResponse,
} from './cache-admin.service';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './dashboard.page';

/** The authenticated user on the request (Passport and most auth guards put it on `req.user`). */
function userOf(req: { user?: unknown; raw?: { user?: unknown } }): string | undefined {
  const user = req.user ?? req.raw?.user;
  if (user === undefined || user === null) return undefined;
  if (typeof user !== 'object') return String(user);
  const u = user as Record<string, unknown>;
  const id = u.username ?? u.email ?? u.name ?? u.sub ?? u.id;
  return id === undefined ? 'an authenticated user' : JSON.stringify(String(id));
}

/** A controller class for one mount path and one set of guards (built per `forRoot`). */
export function createAdminController(options: ResolvedAdminOptions): Type<unknown> {
  @Controller(options.path)
  @UseGuards(...options.guards)
  class CacheAdminController {
    constructor(@Inject(CacheAdminService) private readonly admin: CacheAdminService) {}

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Cache-Control', 'no-store')
    @Header('Content-Security-Policy', DASHBOARD_CSP)
    @Header('X-Content-Type-Options', 'nosniff')
    page(): string {
      return DASHBOARD_HTML;
    }

    @Get('api/stores')
    @Header('Cache-Control', 'no-store')
    async stores(): Promise<{ stores: AdminStore[]; readOnly: boolean; exposeValues: boolean }> {
      return { stores: await this.admin.stores(), readOnly: options.readOnly, exposeValues: options.exposeValues };
    }

    @Get('api/stores/:store/keys/:key')
    @Header('Cache-Control', 'no-store')
    lookup(@Param('store') store: string, @Param('key') key: string): Promise<KeyLookup> {
      return this.admin.lookup(store, key);
    }

    @Delete('api/stores/:store/keys/:key')
    evict(@Param('store') store: string, @Param('key') key: string, @Req() req: object): Promise<object> {
      return this.write('evict', store, key, req);
    }

    @Post('api/stores/:store/tags/:tag/flush')
    @HttpCode(200)
    flush(@Param('store') store: string, @Param('tag') tag: string, @Req() req: object): Promise<object> {
      return this.write('flush', store, tag, req);
    }

    @Post('api/stores/:store/clear')
    @HttpCode(200)
    clear(@Param('store') store: string, @Req() req: object): Promise<object> {
      return this.write('clear', store, undefined, req);
    }

    @Sse('api/stream')
    stream(
      @Res({ passthrough: true }) res: StreamResponse,
    ): Observable<{ data: { at: number; stores: AdminStore[] } }> {
      this.admin.watch(res.raw ?? res);
      return this.admin.stream;
    }

    private write(action: AdminAction, store: string, target: string | undefined, req: object): Promise<object> {
      if (options.readOnly) throw new ForbiddenException('The cache admin is read-only');
      return this.admin.act(action, store, target, userOf(req));
    }
  }
  return CacheAdminController;
}
