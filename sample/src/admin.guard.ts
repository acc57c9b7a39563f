import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';

/**
 * Guards the cache admin routes with one shared token: `Authorization: Bearer <token>`, or
 * `?token=<token>` so that a browser can open the dashboard (the page passes its query string on
 * to its API calls and live stream). The token is CACHE_ADMIN_TOKEN; without it the sample uses
 * `dev-admin-token`, except in production, where the routes then refuse everyone.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly token =
    process.env.CACHE_ADMIN_TOKEN ?? (process.env.NODE_ENV === 'production' ? undefined : 'dev-admin-token');

  canActivate(context: ExecutionContext): boolean {
    if (!this.token) return false;
    const req = context.switchToHttp().getRequest<{
      headers: Record<string, string | string[] | undefined>;
      query?: Record<string, unknown>;
      user?: unknown;
    }>();
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    const query = typeof req.query?.token === 'string' ? req.query.token : undefined;
    const given = bearer ?? query;
    if (given === undefined || !same(given, this.token)) return false;
    req.user = { name: 'admin-token' };
    return true;
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
