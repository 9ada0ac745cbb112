import { execute, parse } from 'graphql';
import { Arg, Authorized, buildSchema, type BuildSchemaOptions, Ctx, ID, Query, Resolver } from 'type-graphql';
import { plainRootQueries } from '../../../src/graphql/plain-root-queries';

interface EchoContext {
  role?: string;
  suffix: string;
}

@Resolver()
class EchoResolver {
  @Query(() => String)
  echo(@Arg('text', () => ID) text: string, @Ctx() ctx: EchoContext): string {
    return text + ctx.suffix;
  }

  @Authorized('write')
  @Query(() => String)
  guardedEcho(@Arg('text', () => ID) text: string): string {
    return text;
  }
}

/** plainRootQueries (src/graphql/plain-root-queries.ts) over a schema built as schema.ts builds taskgate's. */
describe('root queries called without type-graphql’s wrapper', () => {
  const options: BuildSchemaOptions = {
    resolvers: [EchoResolver],
    validate: false,
    authChecker: ({ context }, roles) => roles.includes((context as EchoContext).role ?? ''),
    authMode: 'error',
  };
  const schema = buildSchema(options).then((built) => plainRootQueries(built, options));

  it('answers a query whose resolver answers at once without a promise, with its argument and context', async () => {
    const result = execute({ schema: await schema, document: parse('{ echo(text: "a") }'), contextValue: { suffix: '!' } });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({ data: { echo: 'a!' } });
  });

  it('still checks the role of an @Authorized query', async () => {
    const refused = await execute({ schema: await schema, document: parse('{ guardedEcho(text: "a") }'), contextValue: { suffix: '', role: 'read' } });
    expect(refused.errors?.[0].message).toMatch(/access denied/i);
    const allowed = await execute({ schema: await schema, document: parse('{ guardedEcho(text: "a") }'), contextValue: { suffix: '', role: 'write' } });
    expect(allowed).toEqual({ data: { guardedEcho: 'a' } });
  });

  it('leaves every resolver to type-graphql when the schema has global middleware', async () => {
    const ran: string[] = [];
    const withMiddleware: BuildSchemaOptions = { ...options, globalMiddlewares: [async ({ info }, next) => (ran.push(info.fieldName), next())] };
    const guarded = plainRootQueries(await buildSchema(withMiddleware), withMiddleware);
    const result = await execute({ schema: guarded, document: parse('{ echo(text: "a") }'), contextValue: { suffix: '!' } });
    expect(result).toEqual({ data: { echo: 'a!' } });
    expect(ran).toEqual(['echo']);
  });
});
