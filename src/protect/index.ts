/**
 * Pre-delete protection: which objects are protected (labels), what the webhook decides for
 * a deletion, and the backup it takes first. The webhook itself is in src/server/webhook*.ts.
 */
export * from "./admission.js";
export * from "./marks.js";
export * from "./pre-delete.js";
export * from "./protection.js";
