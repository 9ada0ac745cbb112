import type { ErrorCode } from '../errors/catalogue';
import { createHash } from 'node:crypto';
import {
  type DocumentNode,
  getOperationAST,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  type ParseOptions,
  specifiedRules,
  validate,
  type ValidationRule,
  visit,
} from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import { pricedVariables } from './cost';
import type { PlainCoercion } from './plain-variables';

/**
 * The one cache of GraphQL documents, shared by every door (POST /graphql direct and through
 * Apollo, graphql-ws, the legacy routes): parsed, validated documents by the SHA-256 of their
 * text (Apollo's own key, so Apollo reads and fills it as its `documentStore`), each with its
 * operations, their compiled form and the prices worked out for them.
 *
 * Bounded in entries and in bytes (lru-cache's `maxSize`): a document padded with comments
 * costs what its text costs, so a thousand 1 MB documents cannot pile up. Only documents that
 * parse and validate are kept; refused ones are worked out again when sent again.
 */
export interface DocumentCacheOptions {
  schema: GraphQLSchema;
  /** The extra validation rules of every door (validation-rules.ts). */
  validationRules: readonly ValidationRule[];
  /** Token limit (limits.ts). */
  parseOptions: ParseOptions;
  /** Longest document text accepted, in bytes (TASKGATE_MAX_DOCUMENT_BYTES). */
  maxDocumentBytes: number;
  /** Most documents kept. */
  maxEntries?: number;
  /** Most bytes kept (an estimate per document: see `estimateBytes`). */
  maxBytes?: number;
}

/** What a refused document gets: the errors as graphql-js words them, with the code clients see. */
export interface RefusedDocument {
  refused: readonly GraphQLError[];
}

/** Past this many documents or bytes the least recently used documents go. */
const defaultMaxEntries = 1000;
const defaultMaxBytes = 32 * 1024 * 1024;
/** graphql-jit's compiled form of one operation: generated functions, closures. A generous guess. */
const compiledAllowanceBytes = 64 * 1024;
/** A parsed AST node with its location: measured between 100 and 200 bytes in V8. */
const bytesPerNode = 200;
/** Prices kept per operation (a price per set of values of its priced variables). */
const maxPricesPerOperation = 64;

export function documentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export class DocumentCache {
  private readonly entries: LRUCache<string, PreparedDocument>;
  /**
   * The same entries by their text, with their hash: a request's document is found by a Map
   * lookup on its text instead of a SHA-256 of it (which showed in the read path's profile).
   * An index over `entries`, never larger: an entry leaves it when the LRU lets it go.
   */
  private readonly byText = new Map<string, { hash: string; entry: PreparedDocument }>();
  /** The entry of each cached DocumentNode, for Apollo's plugin hooks (they see only the node). */
  private readonly byNode = new WeakMap<DocumentNode, PreparedDocument>();
  private readonly rules: readonly ValidationRule[];
  /** The extra validation rules and parse options, for Apollo (which must validate as the cache does). */
  readonly validationRules: ValidationRule[];
  readonly parseOptions: ParseOptions;

  constructor(private readonly options: DocumentCacheOptions) {
    this.rules = [...specifiedRules, ...options.validationRules];
    this.validationRules = [...options.validationRules];
    this.parseOptions = options.parseOptions;
    this.entries = new LRUCache<string, PreparedDocument>({
      max: options.maxEntries ?? defaultMaxEntries,
      maxSize: options.maxBytes ?? defaultMaxBytes,
      sizeCalculation: (entry) => entry.bytes,
      dispose: (entry) => {
        if (this.byText.get(entry.text)?.entry === entry) this.byText.delete(entry.text);
      },
    });
  }

  /** A document already prepared (by any door, or by Apollo), by its text; undefined when unknown. */
  known(text: string, hash?: string): PreparedDocument | undefined {
    const indexed = this.byText.get(text);
    // The LRU's get, by the hash kept beside it, so a document in use stays the most recent.
    if (indexed && this.entries.get(indexed.hash) === indexed.entry) return indexed.entry;
    hash ??= documentHash(text);
    const entry = this.entries.get(hash);
    // A SHA-256 collision would be news; checking costs one string comparison.
    if (!entry || entry.text !== text) return undefined;
    this.byText.set(entry.text, { hash, entry });
    return entry;
  }

  /** Parses and validates a document (or finds it prepared); refusals carry graphql-js's errors with their code. */
  prepare(text: string): PreparedDocument | RefusedDocument {
    const tooLarge = this.tooLarge(text);
    if (tooLarge) return { refused: [tooLarge] };
    const hash = documentHash(text);
    const known = this.known(text, hash);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(text, this.options.parseOptions);
    } catch (error) {
      return { refused: [withCode(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')] };
    }
    const errors = validate(this.options.schema, document, this.rules);
    if (errors.length > 0) return { refused: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) };
    return this.keep(hash, new PreparedDocument(text, document));
  }

  /** The refusal of a document text over TASKGATE_MAX_DOCUMENT_BYTES, before anything parses it. */
  tooLarge(text: string): GraphQLError | undefined {
    // A UTF-8 byte is at most one UTF-16 unit: most texts are judged without counting bytes.
    if (text.length <= this.options.maxDocumentBytes / 3) return undefined;
    const bytes = Buffer.byteLength(text);
    if (bytes <= this.options.maxDocumentBytes) return undefined;
    return new GraphQLError(`the document is ${bytes} bytes, more than the limit of ${this.options.maxDocumentBytes}; leave out comments and whitespace, or send less`, {
      extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'documentBytes', max: this.options.maxDocumentBytes },
    });
  }

  /** The entry of a parsed document; one is made (and kept) for a node Apollo parsed but did not store. */
  of(document: DocumentNode): PreparedDocument {
    const known = this.byNode.get(document);
    if (known) return known;
    const text = document.loc?.source.body;
    if (text === undefined) return new PreparedDocument('', document);
    return this.keep(documentHash(text), new PreparedDocument(text, document));
  }

  /** Apollo's `documentStore`: Apollo stores only documents it validated with the same rules. */
  apolloDocumentStore() {
    const hashOf = (key: string) => key.slice(key.lastIndexOf(':') + 1);
    return {
      get: async (key: string): Promise<DocumentNode | undefined> => this.entries.get(hashOf(key))?.document,
      set: async (key: string, document: DocumentNode): Promise<void> => {
        const text = document.loc?.source.body;
        if (text !== undefined && !this.entries.has(hashOf(key))) this.keep(hashOf(key), new PreparedDocument(text, document));
      },
      delete: async (key: string): Promise<boolean> => this.entries.delete(hashOf(key)),
    };
  }

  /** Documents and estimated bytes held (for tests and metrics). */
  stats(): { documents: number; bytes: number } {
    return { documents: this.entries.size, bytes: this.entries.calculatedSize };
  }

  private keep(hash: string, entry: PreparedDocument): PreparedDocument {
    // One larger than the whole cache is used and not kept.
    this.entries.set(hash, entry);
    this.byNode.set(entry.document, entry);
    if (this.entries.peek(hash) === entry) this.byText.set(entry.text, { hash, entry });
    return entry;
  }
}

/** A parsed, valid document and what has been worked out for its operations. */
export class PreparedDocument {
  /** Estimated memory held: the text (UTF-16 at worst), the AST, room for compiled operations and prices. */
  readonly bytes: number;
  /** By the name a request gave ("" for none). */
  private readonly operations = new Map<string, PreparedOperation>();
  private readonly byNode = new Map<OperationDefinitionNode, PreparedOperation>();

  constructor(
    readonly text: string,
    readonly document: DocumentNode,
  ) {
    let nodes = 0;
    let operations = 0;
    visit(document, {
      enter(node) {
        nodes++;
        if (node.kind === Kind.OPERATION_DEFINITION) operations++;
      },
    });
    this.bytes = 2 * text.length + nodes * bytesPerNode + operations * (compiledAllowanceBytes + maxPricesPerOperation * 100);
  }

  /** The operation a request names (getOperationAST's rule); undefined when there is no such one. */
  operation(name: string | null | undefined): PreparedOperation | undefined {
    const key = name ?? '';
    const known = this.operations.get(key);
    if (known) return known;
    const node = getOperationAST(this.document, name ?? undefined);
    // Names the document lacks are not kept (a client could send any number of them).
    if (!node) return undefined;
    // One PreparedOperation per operation, whether it was named or picked as the only one.
    let prepared = this.byNode.get(node);
    if (!prepared) this.byNode.set(node, (prepared = new PreparedOperation(this.document, node)));
    this.operations.set(key, prepared);
    return prepared;
  }
}

/** One operation of a prepared document: its priced variables, the prices worked out, its compiled form. */
export class PreparedOperation {
  readonly kind: OperationDefinitionNode['operation'];
  readonly name: string | undefined;
  /** Variables the price depends on (cost.ts `pricedVariables`). */
  readonly pricedVariables: readonly string[];
  /** Price by the JSON of the priced variables' coerced values. */
  private readonly prices = new Map<string, number>();
  /** Runs through graphql-js so far (compiling pays off only for operations sent again). */
  uses = 0;
  /** graphql-jit's form; null when it would not compile; undefined until tried. */
  compiled: CompiledQuery | null | undefined = undefined;
  /** Admission's quick coercion of this operation's variables (plain-variables.ts); null when they have another shape; undefined until looked at. */
  plainVariables: PlainCoercion | null | undefined = undefined;

  constructor(
    readonly document: DocumentNode,
    readonly operation: OperationDefinitionNode,
  ) {
    this.kind = operation.operation;
    this.name = operation.name?.value;
    this.pricedVariables = pricedVariables(document, operation);
  }

  /** The key under which a price for these coerced variables is kept. */
  priceKey(variables: Record<string, unknown>): string {
    if (this.pricedVariables.length === 0) return '';
    // A variable left out (no default) and one sent as null are told apart.
    return JSON.stringify(this.pricedVariables.map((name) => (name in variables ? [variables[name]] : [])));
  }

  price(key: string): number | undefined {
    return this.prices.get(key);
  }

  rememberPrice(key: string, cost: number): void {
    if (this.prices.size >= maxPricesPerOperation) this.prices.clear();
    this.prices.set(key, cost);
  }
}

export function isRefused(prepared: PreparedDocument | RefusedDocument): prepared is RefusedDocument {
  return 'refused' in prepared;
}

function withCode(error: GraphQLError, code: ErrorCode): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code } });
}
