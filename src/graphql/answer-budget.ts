import { defaultFieldResolver, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';

/**
 * How many bytes of large text (task logs, up to several MiB each) one answer may still carry.
 * The cost limit bounds how many objects an answer has, which bounds every small field; the logs
 * are what can make a within-limit answer huge (500 tasks with 4 MiB logs are 2 GB), so they are
 * metered while the answer is built, and once the ceiling (TASKGATE_MAX_RESPONSE_BYTES) is
 * reached the remaining logs are not added: the answer carries one RESPONSE_TOO_LARGE error
 * (at the first log left out) and null for the logs from there on. The answer never holds more
 * than the ceiling of logs, on every door and with either executor (graphql-js or graphql-jit).
 *
 * One budget per execution: `Context.answer` is made afresh for each request, each WebSocket
 * event and each page of a legacy listing.
 */
export class AnswerBudget {
  private used = 0;
  private cut = false;

  constructor(readonly maxBytes: number) {}

  /** A new budget of the same size (each page of a streamed listing is one answer). */
  fresh(): AnswerBudget {
    return new AnswerBudget(this.maxBytes);
  }

  /** The text when it fits; null (and, the first time, the error) when it does not. */
  take(text: string, field: string): string | null {
    if (this.cut) return null;
    const bytes = Buffer.byteLength(text);
    if (this.used + bytes <= this.maxBytes) {
      this.used += bytes;
      return text;
    }
    this.cut = true;
    throw new GraphQLError(
      `the answer reached the limit of ${this.maxBytes} bytes of logs; ${field} and the logs after it are left out (null): ask for fewer tasks or events, or leave out log`,
      { extensions: { code: 'RESPONSE_TOO_LARGE', max: this.maxBytes } },
    );
  }
}

/** Fields whose text can be large, by type: every door's answers meter them. */
const meteredFields: Readonly<Record<string, readonly string[]>> = { Task: ['log'], TaskEvent: ['log'] };
const metered = Symbol('taskgate.metered');

/**
 * Wraps the resolvers of the large text fields so they charge the request's AnswerBudget
 * (`context.answer`). The schema is built once per process and shared: wrapping is done once.
 */
export function meterLargeFields(schema: GraphQLSchema): void {
  for (const [typeName, fieldNames] of Object.entries(meteredFields)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) throw new Error(`the schema has no object type ${typeName} to meter`);
    for (const fieldName of fieldNames) {
      const field = type.getFields()[fieldName] as ReturnType<typeof type.getFields>[string] & { [metered]?: true };
      if (!field) throw new Error(`${typeName} has no field ${fieldName} to meter`);
      if (field[metered]) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      const label = `${typeName}.${fieldName}`;
      const charge = (value: unknown, context: unknown): unknown => {
        if (typeof value !== 'string') return value;
        const budget = (context as { answer?: AnswerBudget } | null)?.answer;
        // Every context comes from App.contextFor, which gives it a budget; one without is refused.
        if (!budget) throw new Error(`no answer budget in the context for ${label}`);
        return budget.take(value, label);
      };
      field.resolve = (source, args, context, info) => {
        const value = resolve(source, args, context, info);
        return value instanceof Promise ? value.then((v) => charge(v, context)) : charge(value, context);
      };
      field[metered] = true;
    }
  }
}
