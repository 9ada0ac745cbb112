import { execute, type GraphQLObjectType, parse } from 'graphql';
import { Authorized, buildSchema, type BuildSchemaOptions, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root, UseMiddleware } from 'type-graphql';
import { plainFields } from '../../../src/graphql/plain-fields';

interface RoleContext {
  role?: string;
}

@ObjectType('Thing')
class Thing {
  @Field(() => ID, { name: 'id' })
  uuid!: string;

  @Field()
  name!: string;

  @Authorized('write')
  @Field(() => String)
  secret!: string;

  @UseMiddleware(async (_data, next) => `${String(await next())}?`)
  @Field(() => String)
  shouted!: string;
}

/** A plain object type, as the service hands rows around (design metadata: Object). */
type ThingRow = Pick<Thing, 'uuid' | 'name'>;

@Resolver(() => Thing)
class ThingResolver {
  @Query(() => Thing)
  thing(): Thing {
    return { uuid: 'u-1', name: 'one', secret: 's', shouted: 'hey' };
  }

  @FieldResolver(() => String)
  label(@Root() thing: ThingRow, @Ctx() ctx: RoleContext): string {
    return `${thing.name}#${thing.uuid}@${ctx.role ?? 'none'}`;
  }

  @Authorized('write')
  @FieldResolver(() => String)
  guardedLabel(@Root() thing: ThingRow): string {
    return thing.name;
  }
}

/** plainFields (src/graphql/plain-fields.ts) over a schema built as schema.ts builds taskgate's. */
describe('object fields and field resolvers run without type-graphql’s wrapper', () => {
  const options: BuildSchemaOptions = {
    resolvers: [ThingResolver],
    validate: false,
    authChecker: ({ context }, roles) => roles.includes((context as RoleContext).role ?? ''),
    authMode: 'error',
  };
  const schema = buildSchema(options).then((built) => plainFields(built, options));
  const thingType = async () => (await schema).getType('Thing') as GraphQLObjectType;

  it('answers a plain field, a renamed one and a field resolver as type-graphql did, without a promise', async () => {
    const result = execute({ schema: await schema, document: parse('{ thing { id name label } }'), contextValue: {} });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({ data: { thing: { id: 'u-1', name: 'one', label: 'one#u-1@none' } } });
  });

  it('leaves no resolver on a field that reads its own property, and a plain read on a renamed one', async () => {
    const fields = (await thingType()).getFields();
    expect(fields.name.resolve).toBeUndefined();
    expect(fields.id.resolve?.({ uuid: 'u-2' }, {}, {}, undefined as never)).toBe('u-2');
  });

  it('still checks the role of an @Authorized field or field resolver and runs a field’s middleware', async () => {
    const refused = await execute({ schema: await schema, document: parse('{ thing { secret } }'), contextValue: { role: 'read' } });
    expect(refused.errors?.[0].message).toMatch(/access denied/i);
    const refusedLabel = await execute({ schema: await schema, document: parse('{ thing { guardedLabel } }'), contextValue: { role: 'read' } });
    expect(refusedLabel.errors?.[0].message).toMatch(/access denied/i);
    const allowed = await execute({ schema: await schema, document: parse('{ thing { secret shouted guardedLabel } }'), contextValue: { role: 'write' } });
    expect(allowed).toEqual({ data: { thing: { secret: 's', shouted: 'hey?', guardedLabel: 'one' } } });
  });

  it('leaves every field to type-graphql when the schema has global middleware', async () => {
    const ran: string[] = [];
    const withMiddleware: BuildSchemaOptions = { ...options, globalMiddlewares: [async ({ info }, next) => (ran.push(info.fieldName), next())] };
    const guarded = plainFields(await buildSchema(withMiddleware), withMiddleware);
    const result = await execute({ schema: guarded, document: parse('{ thing { id name label } }'), contextValue: {} });
    expect(result).toEqual({ data: { thing: { id: 'u-1', name: 'one', label: 'one#u-1@none' } } });
    expect(ran).toEqual(['thing', 'id', 'name', 'label']);
  });
});

@ObjectType('Gadget')
class Gadget {
  @Field()
  name!: string;

  /** @Authorized() with no role: the caller must pass authChecker all the same. */
  @Authorized()
  @Field(() => String)
  serial!: string;

  @Authorized()
  @Field(() => String)
  note!: string;

  @Field(() => String)
  title!: string;
}

@Resolver(() => Gadget)
class GadgetResolver {
  @Query(() => Gadget)
  gadget(): Gadget {
    return { name: 'g', serial: 'sn-1', note: 'stored', title: 'stored title' };
  }

  /** Resolves Gadget.note; the field's @Authorized() on the object type applies to it. */
  @FieldResolver(() => String)
  note(@Root() gadget: Pick<Gadget, 'name'>): string {
    return `note of ${gadget.name}`;
  }

  /** Resolves Gadget.title, a field of the object type, from a method of another name. */
  @FieldResolver(() => String, { name: 'title' })
  titleOf(@Root() gadget: Pick<Gadget, 'name'>): string {
    return `title of ${gadget.name}`;
  }
}

describe('plain fields keep every check type-graphql would run', () => {
  const options: BuildSchemaOptions = {
    resolvers: [GadgetResolver],
    validate: false,
    authChecker: ({ context }) => (context as RoleContext).role === 'known',
    authMode: 'error',
  };
  const schema = buildSchema(options).then((built) => plainFields(built, options));

  it('refuses a field declared @Authorized() with no role to a caller authChecker turns away', async () => {
    const refused = await execute({ schema: await schema, document: parse('{ gadget { serial } }'), contextValue: {} });
    expect(refused.errors?.[0].message).toMatch(/access denied/i);
    const allowed = await execute({ schema: await schema, document: parse('{ gadget { serial } }'), contextValue: { role: 'known' } });
    expect(allowed).toEqual({ data: { gadget: { serial: 'sn-1' } } });
  });

  it('refuses a field resolver whose object field is declared @Authorized() to a caller authChecker turns away', async () => {
    const refused = await execute({ schema: await schema, document: parse('{ gadget { note } }'), contextValue: {} });
    expect(refused.errors?.[0].message).toMatch(/access denied/i);
    const allowed = await execute({ schema: await schema, document: parse('{ gadget { note } }'), contextValue: { role: 'known' } });
    expect(allowed).toEqual({ data: { gadget: { note: 'note of g' } } });
  });

  it('answers a field resolver named apart from its method through that method', async () => {
    const result = await execute({ schema: await schema, document: parse('{ gadget { name title } }'), contextValue: {} });
    expect(result).toEqual({ data: { gadget: { name: 'g', title: 'title of g' } } });
  });
});
