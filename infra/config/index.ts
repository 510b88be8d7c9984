export { ConfigError, TIMEOUT_CHAIN, fields, parseStackConfig, projectConfigBlock } from "./schema";
export type { FieldName, StackConfig } from "./schema";
export { loadStackConfig } from "./load";
