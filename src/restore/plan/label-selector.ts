import { KubesnapError } from "../../core/errors.js";
import { labelKeyProblem, labelValueProblem } from "./k8s-names.js";

/**
 * Label selectors in the shape of Kubernetes' metav1.LabelSelector, so a selector
 * read from a Restore resource's spec and one parsed from the command line are the
 * same value. Semantics follow Kubernetes: every matchLabels entry and every
 * expression must hold; `NotIn` and `DoesNotExist` also match objects without the key.
 */
export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  /** Required and non-empty for In and NotIn; absent or empty for Exists and DoesNotExist. */
  readonly values?: readonly string[];
}

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

const SYNTAX_HINT =
  "write requirements like app=nginx, tier!=db, tier in (a,b), tier notin (a,b), gpu or !gpu, separated by commas";

export function matchesSelector(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const actual = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (actual[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    if (!matchesRequirement(requirement, actual)) return false;
  }
  return true;
}

/** True when the labels match at least one of the selectors (Velero's --or-selector). */
export function matchesAnySelector(
  selectors: readonly LabelSelector[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return selectors.some((selector) => matchesSelector(selector, labels));
}

function matchesRequirement(
  requirement: LabelSelectorRequirement,
  labels: Readonly<Record<string, string>>,
): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.operator) {
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
    case "In":
      return value !== undefined && (requirement.values ?? []).includes(value);
    case "NotIn":
      return value === undefined || !(requirement.values ?? []).includes(value);
  }
}

/**
 * Parses the kubectl selector syntax: `app=nginx,tier in (a,b),!x`. Equality
 * requirements go to matchLabels (a second `=` on the same key becomes an `In`
 * expression, so both still have to hold); `!=` becomes NotIn, as Kubernetes does.
 * An empty string is the empty selector, which matches everything.
 */
export function parseLabelSelector(text: string): LabelSelector {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const part of splitRequirements(text)) {
    const requirement = parseRequirement(part, text);
    if (requirement.kind === "equals" && !Object.hasOwn(matchLabels, requirement.key)) {
      matchLabels[requirement.key] = requirement.value;
    } else if (requirement.kind === "equals") {
      matchExpressions.push({ key: requirement.key, operator: "In", values: [requirement.value] });
    } else matchExpressions.push(requirement.requirement);
  }
  const selector: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelectorRequirement[] } =
    {};
  if (Object.keys(matchLabels).length > 0) selector.matchLabels = matchLabels;
  if (matchExpressions.length > 0) selector.matchExpressions = matchExpressions;
  return selector;
}

/** Parses Velero's --or-selector syntax: selectors joined by " or ", e.g. "app=a or tier in (b,c)". */
export function parseOrSelectors(text: string): LabelSelector[] {
  const parts = text.split(/\s+or\s+/);
  if (parts.some((part) => part.trim() === "")) {
    throw invalid(text, 'has an empty selector around "or"');
  }
  return parts.map((part) => parseLabelSelector(part));
}

/** Checks a selector that did not come from the parser (e.g. from a Restore spec). */
export function validateLabelSelector(selector: LabelSelector, description: string): void {
  const fail = (problem: string) =>
    new KubesnapError("InvalidInput", `Invalid ${description}: it ${problem}`, {
      hint: "In and NotIn need values; Exists and DoesNotExist take none",
    });
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) throw fail(`has label key "${key}", which ${keyProblem}`);
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) throw fail(`has value "${value}" for "${key}", which ${valueProblem}`);
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) throw fail(`has label key "${key}", which ${keyProblem}`);
    if (operator === "In" || operator === "NotIn") {
      if (values.length === 0) throw fail(`uses ${operator} on "${key}" without values`);
      for (const value of values) {
        const valueProblem = labelValueProblem(value);
        if (valueProblem !== undefined)
          throw fail(`has value "${value}" for "${key}", which ${valueProblem}`);
      }
    } else if (operator === "Exists" || operator === "DoesNotExist") {
      if (values.length > 0) throw fail(`uses ${operator} on "${key}" with values`);
    } else {
      throw fail(`uses unknown operator "${String(operator)}" on "${key}"`);
    }
  }
}

type ParsedRequirement =
  | { kind: "equals"; key: string; value: string }
  | { kind: "expression"; requirement: LabelSelectorRequirement };

const SET_FORM = /^(\S+)\s+(in|notin)\s*\((.*)\)$/;
const EQUALITY_FORM = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/;

function parseRequirement(part: string, text: string): ParsedRequirement {
  const set = SET_FORM.exec(part);
  if (set !== null) {
    const [, key = "", operator, list = ""] = set;
    checkKey(key, text);
    const values = list.split(",").map((value) => value.trim());
    if (values.length === 1 && values[0] === "")
      throw invalid(text, `has "${part}" with no values inside ( )`);
    for (const value of values) checkValue(value, key, text);
    const op: SelectorOperator = operator === "in" ? "In" : "NotIn";
    return { kind: "expression", requirement: { key, operator: op, values: [...new Set(values)] } };
  }
  if (/[<>]/.test(part)) {
    throw invalid(text, `has "${part}": '<' and '>' work only in node selectors, not label selectors`);
  }
  const equality = EQUALITY_FORM.exec(part);
  if (equality !== null) {
    const [, key = "", operator, value = ""] = equality;
    checkKey(key, text);
    checkValue(value, key, text);
    if (operator === "!=")
      return { kind: "expression", requirement: { key, operator: "NotIn", values: [value] } };
    return { kind: "equals", key, value };
  }
  if (part.startsWith("!")) {
    const key = part.slice(1).trim();
    checkKey(key, text);
    return { kind: "expression", requirement: { key, operator: "DoesNotExist" } };
  }
  if (/[\s(),]/.test(part)) throw invalid(text, `has "${part}", which is not a requirement`);
  checkKey(part, text);
  return { kind: "expression", requirement: { key: part, operator: "Exists" } };
}

/** Splits on commas that are not inside parentheses; rejects unbalanced parentheses and empty parts. */
function splitRequirements(text: string): string[] {
  if (text.trim() === "") return [];
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === "(") {
      depth++;
      if (depth > 1) throw invalid(text, `has a nested '(' at position ${i + 1}`);
    } else if (char === ")") {
      depth--;
      if (depth < 0) throw invalid(text, `has a ')' without '(' at position ${i + 1}`);
    } else if (char === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) throw invalid(text, "has a '(' that is never closed");
  parts.push(text.slice(start));
  return parts.map((part, index) => {
    const trimmed = part.trim();
    if (trimmed === "") throw invalid(text, `has an empty requirement (requirement ${index + 1})`);
    return trimmed;
  });
}

function checkKey(key: string, text: string): void {
  const problem = labelKeyProblem(key);
  if (problem !== undefined) throw invalid(text, `has label key "${key}", which ${problem}`);
}

function checkValue(value: string, key: string, text: string): void {
  const problem = labelValueProblem(value);
  if (problem !== undefined) throw invalid(text, `has value "${value}" for "${key}", which ${problem}`);
}

function invalid(text: string, problem: string): KubesnapError {
  return new KubesnapError("InvalidInput", `Invalid label selector "${text}": it ${problem}`, {
    hint: SYNTAX_HINT,
  });
}
