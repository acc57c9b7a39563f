import { CUSTOM_ROUTE_ARGS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';

/**
 * Which arguments of a decorated method a default key (`Class.method:<hash>`) is built from.
 *
 * Provider methods: all of them. Methods that Nest calls as handlers outside HTTP (GraphQL
 * resolvers, `@MessagePattern`/`@EventPattern` handlers, WebSocket gateways) also receive
 * framework objects (the socket, the RPC context, GraphQL's context and info) that differ on every
 * call and may be huge: a key hashed from them would never hit. So only the data is kept:
 * parameters bound with `@Args()`, `@Payload()`, `@MessageBody()` (Nest's param type 3 in every
 * transport) and custom param decorators (`@CurrentUser()`...); `@Parent()`, `@Context()`,
 * `@Info()`, `@Ctx()`, `@ConnectedSocket()` are left out. A handler without param decorators gets
 * Nest's default arguments: `(data, context)` for RPC, `(socket, data)` for a gateway, `(parent,
 * args, context, info)` for a resolver; its data argument is kept.
 *
 * Templates and key functions still see every argument (`{0}` is the first parameter).
 */
export function keyArguments(
  type: object,
  method: string,
  carrier: object,
  args: readonly unknown[],
): readonly unknown[] {
  const params = Reflect.getMetadata(ROUTE_ARGS_METADATA, type, method) as
    Record<string, { index: number }> | undefined;
  if (params && Object.keys(params).length > 0) {
    const decorated = new Set<number>();
    const data = new Set<number>();
    for (const [id, { index }] of Object.entries(params)) {
      decorated.add(index);
      if (id.split(':')[0] === DATA_PARAM || id.includes(CUSTOM_ROUTE_ARGS_METADATA)) data.add(index);
    }
    // Nest never fills a parameter without a decorator here; keep it anyway (it is the caller's).
    return args.filter((_, i) => data.has(i) || !decorated.has(i));
  }
  const role = handlerRole(type, carrier);
  if (role === 'rpc') return args.slice(0, 1);
  if (role === 'ws') return args.slice(1, 2);
  if (role === 'graphql') return args.slice(1, 2);
  return args;
}

/** Nest's param type of the data in every transport: BODY, PAYLOAD (RPC, WS), ARGS (GraphQL). */
const DATA_PARAM = '3';

/**
 * Metadata keys the transports put on their handlers (strings, so the optional packages need not
 * be loaded): @nestjs/microservices' PATTERN_METADATA, @nestjs/websockets' MESSAGE_METADATA and
 * GATEWAY_METADATA, @nestjs/graphql's RESOLVER_TYPE_METADATA.
 */
const RPC_PATTERN = 'microservices:pattern';
const WS_MESSAGE = 'message';
const WS_GATEWAY = 'websockets:is_gateway';
const GQL_RESOLVER_TYPE = 'graphql:resolver_type';

function handlerRole(type: object, carrier: object): 'rpc' | 'ws' | 'graphql' | undefined {
  if (Reflect.getMetadata(RPC_PATTERN, carrier) !== undefined) return 'rpc';
  if (Reflect.getMetadata(GQL_RESOLVER_TYPE, carrier) !== undefined) return 'graphql';
  if (Reflect.getMetadata(WS_MESSAGE, carrier) !== undefined && Reflect.getMetadata(WS_GATEWAY, type) === true) {
    return 'ws';
  }
  return undefined;
}
