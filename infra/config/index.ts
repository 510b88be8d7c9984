export { BLUE_GREEN_COLORS, colorTakesTraffic, ConfigError, NGINX_TIER_KEYS, nginxTierConfig, TIMEOUT_CHAIN, fields, parseStackConfig, projectConfigBlock } from "./schema";
export type { Color, FieldName, StackConfig } from "./schema";
export { loadStackConfig } from "./load";
