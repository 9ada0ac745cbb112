import { defaultFieldResolver, GraphQLError, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';

/**
 * How many bytes of large text (task logs, up to several MiB each) one answer may still carry.
 * The cost limit bounds how many objects an answer has, which bounds every small field; the logs
 * are what can make a within-limit answer huge (500 tasks with 4 MiB logs are 2 GB), so they are
 * metered while the answer is built, and once the ceiling (TASKGATE_MAX_RESPONSE_BYTES) is
 * reached the remaining logs are not added: the answer carries one RESPONSE_TOO_LARGE error
 * (at the first log left out) and null for the logs from there on. The answer never holds more
 * than the ceiling of logs, on every door and with either executor (graphql-js or graphql-jit).
 * Where the task store tells a log's size without reading it (`logBytes`), the log is charged
 * before it is read, so what does not fit is not read from the database either.
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

  /**
   * Counts `bytes` of text into this answer: true when they fit; false when the answer was cut
   * already; throws RESPONSE_TOO_LARGE (once, at the first text left out) when they do not fit.
   */
  charge(bytes: number, field: string): boolean {
    if (this.cut) return false;
    if (this.used + bytes <= this.maxBytes) {
      this.used += bytes;
      return true;
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
      const budgetOf = (context: unknown): AnswerBudget => {
        const budget = (context as { answer?: AnswerBudget } | null)?.answer;
        // Every context comes from App.contextFor, which gives it a budget; one without is refused.
        if (!budget) throw new Error(`no answer budget in the context for ${label}`);
        return budget;
      };
      const chargeText = (value: unknown, budget: AnswerBudget): unknown =>
        typeof value !== 'string' || budget.charge(Buffer.byteLength(value), label) ? value : null;
      field.resolve = (source, args, context, info) => {
        const budget = budgetOf(context);
        // A row read without its big log says how big it is (`logBytes`): charged before the
        // log is read, so a log that does not fit is never read into memory.
        const known = (source as { logBytes?: unknown } | null)?.logBytes;
        if (typeof known === 'number') return budget.charge(known, label) ? resolve(source, args, context, info) : null;
        const value = resolve(source, args, context, info);
        return value instanceof Promise ? value.then((v) => chargeText(v, budget)) : chargeText(value, budget);
      };
      field[metered] = true;
    }
  }
}
