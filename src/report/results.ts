import { describeError } from "../core/errors.js";
import { formatItemRef, type ItemRef } from "../core/kube-types.js";

/**
 * Per-item outcomes as data (Velero's results file): errors and warnings grouped by
 * namespace, with the item named in each message. One bad item never aborts a run; the
 * phase is decided from these at the end.
 */
export interface ResultsDoc {
  readonly errors: ResultGroup;
  readonly warnings: ResultGroup;
}

export interface ResultGroup {
  /** Cluster-scoped items and run-wide problems. */
  readonly cluster: string[];
  readonly namespaces: Record<string, string[]>;
}

export class Results {
  private readonly doc: ResultsDoc = {
    errors: { cluster: [], namespaces: {} },
    warnings: { cluster: [], namespaces: {} },
  };
  private errorCount = 0;
  private warningCount = 0;

  error(item: ItemRef | undefined, err: unknown): string {
    this.errorCount++;
    return add(this.doc.errors, item, describeError(err));
  }

  warning(item: ItemRef | undefined, message: string): string {
    this.warningCount++;
    return add(this.doc.warnings, item, message);
  }

  get errors(): number {
    return this.errorCount;
  }

  get warnings(): number {
    return this.warningCount;
  }

  toJSON(): ResultsDoc {
    return this.doc;
  }
}

function add(group: ResultGroup, item: ItemRef | undefined, message: string): string {
  const line = item ? `${formatItemRef(item)}: ${message}` : message;
  if (item?.namespace) {
    const lines = group.namespaces[item.namespace] ?? [];
    lines.push(line);
    group.namespaces[item.namespace] = lines;
  } else group.cluster.push(line);
  return line;
}

/** Every message of a group, namespaced ones prefixed by their namespace's section. */
export function resultLines(group: ResultGroup): string[] {
  return [
    ...group.cluster,
    ...Object.keys(group.namespaces)
      .sort()
      .flatMap((ns) => group.namespaces[ns] ?? []),
  ];
}
