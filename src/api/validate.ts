import { celPattern, type OpenApiSchema, type Schema } from "./schema.js";

/**
 * Checks a value against a schema the way the API server would (types, required, enum,
 * patterns, minimum, lengths; not the other CEL rules, nor formats) and returns one message per problem,
 * each naming its path ("spec.ttl: …"). Empty when the value is valid. Defaults are not
 * applied: a missing defaulted field is fine.
 */
export function validate(schema: Schema<unknown, boolean>, value: unknown, path = ""): string[] {
  return check(schema.openApi, value, path);
}

function check(node: OpenApiSchema, value: unknown, path: string): string[] {
  const fail = (problem: string) => [`${path || "value"}: ${problem}`];
  const at = (key: string | number) =>
    typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;
  switch (node.type) {
    case "string": {
      if (typeof value !== "string") return fail(`must be a string, not ${kindOf(value)}`);
      if (node.enum && !node.enum.includes(value)) return fail(`must be one of ${node.enum.join(", ")}`);
      if (node.pattern !== undefined && !new RegExp(node.pattern).test(value))
        return fail(`"${value}" does not match ${node.pattern}`);
      const cel = celPattern(node);
      if (cel && !new RegExp(cel.pattern).test(value)) return fail(`"${value}": ${cel.message}`);
      if (node.minLength !== undefined && value.length < node.minLength)
        return fail(`must be at least ${node.minLength} characters long`);
      if (node.maxLength !== undefined && value.length > node.maxLength)
        return fail(`must be at most ${node.maxLength} characters long`);
      return [];
    }
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) return fail(`must be an integer`);
      return node.minimum !== undefined && value < node.minimum
        ? fail(`must be at least ${node.minimum}`)
        : [];
    case "boolean":
      return typeof value === "boolean" ? [] : fail(`must be a boolean, not ${kindOf(value)}`);
    case "array": {
      if (!Array.isArray(value)) return fail(`must be an array, not ${kindOf(value)}`);
      if (node.maxItems !== undefined && value.length > node.maxItems)
        return fail(`must have at most ${node.maxItems} items`);
      const items = node.items as OpenApiSchema;
      return value.flatMap((item, i) => check(items, item, at(i)));
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        return fail(`must be an object, not ${kindOf(value)}`);
      const record = value as Record<string, unknown>;
      if (node.maxProperties !== undefined && Object.keys(record).length > node.maxProperties)
        return fail(`must have at most ${node.maxProperties} entries`);
      const problems = (node.required ?? [])
        .filter((k) => !(k in record))
        .map((k) => `${at(k)}: is required`);
      for (const [key, field] of Object.entries(record)) {
        const sub = node.properties?.[key] ?? node.additionalProperties;
        if (sub) problems.push(...check(sub, field, at(key)));
        else problems.push(`${at(key)}: is not a known field`);
      }
      return problems;
    }
  }
}

function kindOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
}
