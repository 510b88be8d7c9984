/** nginx reverse proxy: typed model → validated → rendered nginx.conf (see docs/nginx.md). */
export * from "./model";
export { buildNginxModel, HTML_STALE_IF_ERROR_SECONDS, htmlDefaultCacheControl } from "./build";
export type { FixedUpstream, NginxConfigInput, NginxSite, NginxTarget } from "./build";
export { NginxModelError, nginxModelProblems, validateNginxModel } from "./validate";
export { renderNginxConf } from "./render";
export { CLUSTER_FD_LIMIT, NGINX_POD_RESOURCES, nginxCapacity, type NginxCapacity } from "./capacity";
