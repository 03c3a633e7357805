import { describe, expect, expectTypeOf, it } from "vitest";
import { type Infer, s, toOpenApi } from "./schema.js";
import { validate } from "./validate.js";

const example = s.object({
  name: s.string({ pattern: "^[a-z]+$", maxLength: 10 }),
  phase: s.enum(["New", "Done"]),
  count: s.integer({ minimum: 0, default: 0 }),
  tags: s.optional(s.array(s.string())),
  config: s.map(s.string(), { default: {} }),
  nested: s.optional(s.object({ flag: s.boolean() })),
  when: s.optional(s.timestamp()),
});

describe("one definition gives the TypeScript type", () => {
  it("optional fields are optional, defaulted ones present, enums unions", () => {
    expectTypeOf<Infer<typeof example>>().toEqualTypeOf<{
      readonly name: string;
      readonly phase: "New" | "Done";
      readonly count: number;
      readonly config: Readonly<Record<string, string>>;
      readonly tags?: readonly string[];
      readonly nested?: { readonly flag: boolean };
      readonly when?: string;
    }>();
  });
});

describe("and the OpenAPI schema", () => {
  it("lists as required exactly the fields that are neither optional nor defaulted", () => {
    const schema = toOpenApi(example);
    expect(schema.required).toEqual(["name", "phase"]);
    expect(schema.properties?.count).toEqual({ type: "integer", format: "int64", minimum: 0, default: 0 });
    expect(schema.properties?.config).toEqual({
      type: "object",
      additionalProperties: { type: "string" },
      default: {},
    });
    expect(schema.properties?.phase).toEqual({ type: "string", enum: ["New", "Done"] });
    expect(schema.properties?.when).toEqual({ type: "string", format: "date-time" });
    expect(schema.properties?.nested?.required).toEqual(["flag"]);
  });

  it("hands out copies, so a caller cannot change the definition", () => {
    const copy = toOpenApi(example);
    copy.required?.push("tags");
    expect(toOpenApi(example).required).toEqual(["name", "phase"]);
  });

  it("checks a pattern with a CEL rule when it has a message of its own", () => {
    const ttl = s.string({ pattern: "^[0-9]+h$", message: "must be hours", maxLength: 8 });
    expect(toOpenApi(ttl)).toEqual({
      type: "string",
      maxLength: 8,
      "x-kubernetes-validations": [{ rule: "self.matches(r'^[0-9]+h$')", message: "must be hours" }],
    });
    expect(validate(ttl, "3h")).toEqual([]);
    expect(validate(ttl, "3d", "spec.ttl")).toEqual(['spec.ttl: "3d": must be hours']);
  });

  it("adds object-level CEL rules", () => {
    const pair = s.object(
      { a: s.optional(s.string()), b: s.optional(s.string()) },
      { validations: [{ rule: "!(has(self.a) && has(self.b))", message: "a or b" }] },
    );
    expect(toOpenApi(pair)["x-kubernetes-validations"]).toEqual([
      { rule: "!(has(self.a) && has(self.b))", message: "a or b" },
    ]);
    expect(toOpenApi(pair).required).toBeUndefined();
  });
});

describe("validate", () => {
  it("accepts a valid value, defaulted fields left out", () => {
    expect(validate(example, { name: "abc", phase: "New" })).toEqual([]);
  });

  it("names each problem with its path", () => {
    expect(
      validate(example, {
        name: "ABC",
        phase: "Later",
        count: -1,
        tags: ["a", 2],
        config: { k: true },
        nested: {},
        extra: 1,
      }),
    ).toEqual([
      'name: "ABC" does not match ^[a-z]+$',
      "phase: must be one of New, Done",
      "count: must be at least 0",
      "tags[1]: must be a string, not a number",
      "config.k: must be a string, not a boolean",
      "nested.flag: is required",
      "extra: is not a known field",
    ]);
    expect(validate(example, {})).toEqual(["name: is required", "phase: is required"]);
    expect(validate(example, null)).toEqual(["value: must be an object, not null"]);
    expect(validate(example, { name: "abcdefghijkl", phase: "New" })).toEqual([
      "name: must be at most 10 characters long",
    ]);
  });
});
