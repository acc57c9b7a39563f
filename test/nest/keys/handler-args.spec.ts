/** Which arguments default keys are built from (the e2e suites run the same on real transports). */
import 'reflect-metadata';
import { Body, createParamDecorator, Req } from '@nestjs/common';
import { keyArguments } from '../../../src/nest/keys/handler-args';

const User = createParamDecorator(() => 'user');

class Handlers {
  plain(_a: number, _b: string): void {}
  decorated(@Req() _req: unknown, @Body() _body: unknown, @User() _user: unknown): void {}
  rpc(_data: unknown, _ctx: unknown): void {}
  gateway(_socket: unknown, _data: unknown): void {}
  resolver(_parent: unknown, _args: unknown, _ctx: unknown, _info: unknown): void {}
}
const proto = Handlers.prototype;
Reflect.defineMetadata('microservices:pattern', ['quote'], proto.rpc);
Reflect.defineMetadata('message', 'stock', proto.gateway);
Reflect.defineMetadata('websockets:is_gateway', true, Handlers);
Reflect.defineMetadata('graphql:resolver_type', 'Query', proto.resolver);

describe('keyArguments', () => {
  const socket = { huge: true };
  it('keeps every argument of a provider method', () => {
    expect(keyArguments(Handlers, 'plain', proto.plain, [1, 'x'])).toEqual([1, 'x']);
  });

  it('keeps data (type 3) and custom param decorators, drops framework objects', () => {
    expect(keyArguments(Handlers, 'decorated', proto.decorated, [socket, { id: 1 }, 'ada'])).toEqual([
      { id: 1 },
      'ada',
    ]);
  });

  it("keeps the data of Nest's default arguments per transport", () => {
    expect(keyArguments(Handlers, 'rpc', proto.rpc, [{ id: 1 }, socket])).toEqual([{ id: 1 }]);
    expect(keyArguments(Handlers, 'gateway', proto.gateway, [socket, { id: 2 }])).toEqual([{ id: 2 }]);
    expect(keyArguments(Handlers, 'resolver', proto.resolver, [undefined, { id: 3 }, socket, socket])).toEqual([
      { id: 3 },
    ]);
  });

  it('a message handler outside a gateway class is a plain method', () => {
    class NotGateway {
      m(_a: unknown, _b: unknown): void {}
    }
    Reflect.defineMetadata('message', 'x', NotGateway.prototype.m);
    expect(keyArguments(NotGateway, 'm', NotGateway.prototype.m, [1, 2])).toEqual([1, 2]);
  });
});
