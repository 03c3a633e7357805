/**
 * A tiny schema builder: each value is both an OpenAPI v3 schema (what a CRD carries, so the
 * API server validates and defaults objects) and, through a phantom type parameter, the
 * TypeScript type of the objects it accepts. One definition, so the two cannot drift:
 *
 *   const spec = s.object({ ttl: s.string({ default: "720h0m0s" }), note: s.optional(s.string()) });
 *   type Spec = Infer<typeof spec>;   // { readonly ttl: string; readonly note?: string }
 *   toOpenApi(spec);                  // { type: "object", properties: {…} }
 *
 * Every schema it builds is structural (Kubernetes' rule for CRDs): each node has a type,
 * maps use additionalProperties, and nothing needs x-kubernetes-preserve-unknown-fields.
 */

/** The part of OpenAPI v3 that Kubernetes' structural schemas accept and this builder uses. */
export interface OpenApiSchema {
  type: "object" | "array" | "string" | "integer" | "boolean";
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema;
  enum?: string[];
  pattern?: string;
  format?: string;
  minimum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  default?: unknown;
  /** CEL rules the API server checks (Kubernetes ≥ 1.25), for what one field's schema cannot say. */
  "x-kubernetes-validations"?: Validation[];
}

export interface Validation {
  readonly rule: string;
  readonly message: string;
  /** The field the message is about, relative to the node (".config"). */
  readonly fieldPath?: string;
}

declare const TYPE: unique symbol;

/** A schema whose accepted values have type T; `Optional` is true when the field may be absent. */
export interface Schema<T, Optional extends boolean = false> {
  readonly openApi: OpenApiSchema;
  readonly optional: Optional;
  /** Phantom: never set, only carries T for Infer. */
  readonly [TYPE]?: T;
}

export type Infer<S> = S extends Schema<infer T, boolean> ? T : never;

type Props = Record<string, Schema<unknown, boolean>>;
type OptionalKeys<P extends Props> = {
  [K in keyof P]: P[K] extends Schema<unknown, true> ? K : never;
}[keyof P];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/**
 * Optional fields become `key?:`. A field with a default stays required in the type: the API
 * server fills it in on create and on read, so an object read back always has it.
 */
export type ObjectOf<P extends Props> = Simplify<
  { readonly [K in Exclude<keyof P, OptionalKeys<P>>]: Infer<P[K]> } & {
    readonly [K in OptionalKeys<P>]?: Infer<P[K]>;
  }
>;

interface Common<T> {
  readonly description?: string;
  /** Applied by the API server when the field is absent; such a field is not in `required`. */
  readonly default?: T;
}

function make<T>(openApi: OpenApiSchema, common: Common<unknown> | undefined): Schema<T> {
  const node: OpenApiSchema = { ...openApi };
  if (common?.description !== undefined) node.description = common.description;
  if (common?.default !== undefined) node.default = structuredClone(common.default);
  return { openApi: node, optional: false };
}

/** Patterns checked by CEL rather than `pattern` (see s.string), for validate(). */
const celPatterns = new WeakMap<OpenApiSchema, { pattern: string; message: string }>();

export function celPattern(node: OpenApiSchema): { pattern: string; message: string } | undefined {
  return celPatterns.get(node);
}

export const s = {
  /**
   * With `message`, the pattern is checked by a CEL rule that answers with that message, where
   * the API server's answer to a bare `pattern` would quote the whole regular expression.
   * Needs maxLength: the API server refuses CEL rules whose cost it cannot bound.
   */
  string(
    options: Common<string> & {
      pattern?: string;
      message?: string;
      format?: string;
      minLength?: number;
      maxLength?: number;
    } = {},
  ) {
    const { description: _d, default: _v, message, pattern, ...rules } = options;
    if (pattern === undefined || message === undefined) {
      return make<string>(
        { type: "string", ...rules, ...(pattern === undefined ? {} : { pattern }) },
        options,
      );
    }
    const rule = { rule: `self.matches(r'${pattern}')`, message };
    const schema = make<string>({ type: "string", ...rules, "x-kubernetes-validations": [rule] }, options);
    celPatterns.set(schema.openApi, { pattern, message });
    return schema;
  },

  /** An RFC 3339 timestamp, as metav1.Time serialises. */
  timestamp(options: Common<string> = {}) {
    return make<string>({ type: "string", format: "date-time" }, options);
  },

  enum<const V extends readonly [string, ...string[]]>(values: V, options: Common<V[number]> = {}) {
    return make<V[number]>({ type: "string", enum: [...values] }, options);
  },

  integer(options: Common<number> & { minimum?: number } = {}) {
    const node: OpenApiSchema = { type: "integer", format: "int64" };
    if (options.minimum !== undefined) node.minimum = options.minimum;
    return make<number>(node, options);
  },

  boolean(options: Common<boolean> = {}) {
    return make<boolean>({ type: "boolean" }, options);
  },

  array<T>(items: Schema<T, boolean>, options: Common<readonly T[]> & { maxItems?: number } = {}) {
    const node: OpenApiSchema = { type: "array", items: items.openApi };
    if (options.maxItems !== undefined) node.maxItems = options.maxItems;
    return make<readonly T[]>(node, options);
  },

  /** A string-keyed map (labels, config): additionalProperties, the structural way. */
  map<T>(
    values: Schema<T, boolean>,
    options: Common<Readonly<Record<string, T>>> & { maxProperties?: number } = {},
  ) {
    const node: OpenApiSchema = { type: "object", additionalProperties: values.openApi };
    if (options.maxProperties !== undefined) node.maxProperties = options.maxProperties;
    return make<Readonly<Record<string, T>>>(node, options);
  },

  object<P extends Props>(
    properties: P,
    options: Common<Partial<ObjectOf<P>>> & { validations?: Validation[] } = {},
  ) {
    const node: OpenApiSchema = { type: "object", properties: {} };
    const required: string[] = [];
    for (const [key, schema] of Object.entries(properties)) {
      (node.properties as Record<string, OpenApiSchema>)[key] = schema.openApi;
      if (!schema.optional && schema.openApi.default === undefined) required.push(key);
    }
    if (required.length > 0) node.required = required;
    if (options.validations?.length) node["x-kubernetes-validations"] = [...options.validations];
    return make<ObjectOf<P>>(node, options);
  },

  /** A field that may be absent: `key?:` in the type, left out of `required` in the schema. */
  optional<T>(schema: Schema<T, boolean>): Schema<T, true> {
    return { openApi: schema.openApi, optional: true };
  },
};

/** The OpenAPI v3 schema, as a fresh copy the caller may change. */
export function toOpenApi(schema: Schema<unknown, boolean>): OpenApiSchema {
  return structuredClone(schema.openApi);
}
