import { Body, Controller, Get, Inject, Injectable, Param, ParseIntPipe, Put } from '@nestjs/common';
import { Cacheable, CacheEvict, CacheTags } from 'nestjs-cachekit';

export interface User {
  id: number;
  name: string;
  loadedAt: string;
}

/** A provider whose methods are cached by decorators. */
@Injectable()
export class UsersService {
  private readonly names = new Map<number, string>();
  loads = 0;

  @Cacheable({ key: 'user:{0}', ttl: '1m', staleTtl: '5m' })
  @CacheTags(['users', 'user:{0}'])
  async find(id: number): Promise<User> {
    this.loads++;
    return { id, name: this.names.get(id) ?? `User ${id}`, loadedAt: new Date().toISOString() };
  }

  @CacheEvict({ tags: ['user:{0}'] })
  async rename(id: number, name: string): Promise<User> {
    this.names.set(id, name);
    return { id, name, loadedAt: new Date().toISOString() };
  }
}

/** GET responses cached over HTTP (X-Cache, ETag/304), evicted by tag on PUT. */
@Controller('users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get(':id')
  @Cacheable({ ttl: '30s' })
  @CacheTags(['users', 'user:{params.id}'])
  find(@Param('id', ParseIntPipe) id: number): Promise<User> {
    return this.users.find(id);
  }

  @Put(':id')
  @CacheEvict({ tags: ['user:{params.id}'] })
  rename(@Param('id', ParseIntPipe) id: number, @Body() body: { name: string }): Promise<User> {
    return this.users.rename(id, body.name);
  }
}
