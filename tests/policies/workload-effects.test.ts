import { configMapFileOf, CREDENTIAL_LOG_VARIABLES, globalDirectivesIncluding, nginxArgv, nginxConfPath, runsNginx } from "../../policies/rules/workload-effects";

describe("the nginx configuration a container loads", () => {
  it.each([
    [["nginx", "-c", "/etc/nginx/edgestack/nginx.conf", "-g", "daemon off;"], "/etc/nginx/edgestack/nginx.conf"],
    [["nginx", "-c/etc/x.conf"], "/etc/x.conf"],
    [["nginx", "-g", "daemon off;"], "/etc/nginx/nginx.conf"],
    [[], "/etc/nginx/nginx.conf"],
  ])("%j reads %s", (argv, path) => {
    expect(nginxConfPath(argv)).toBe(path);
  });

  it.each([
    [["sh", "-c", "exec nginx -c /etc/nginx/edgestack/nginx.conf -g 'daemon off;'"], ["nginx", "-c", "/etc/nginx/edgestack/nginx.conf", "-g", "daemon off;"]],
    [["/bin/sh", "-c", "envsubst < t > /tmp/n.conf && nginx -c /tmp/n.conf"], ["nginx", "-c", "/tmp/n.conf"]],
    [["sh", "-c", "sleep 1"], []],
    [["nginx", "-g", "daemon off;"], ["nginx", "-g", "daemon off;"]],
  ])("%j is nginx's argv %j", (argv, own) => {
    expect(nginxArgv(argv)).toEqual(own);
  });

  it("finds -g directives that bring in text", () => {
    expect(globalDirectivesIncluding(["nginx", "-g", "daemon off; include /tmp/x.conf;"])).toEqual(["daemon off; include /tmp/x.conf;"]);
    expect(globalDirectivesIncluding(["nginx", "-g", "daemon off; load_module /tmp/m.so;"])).toHaveLength(1);
    expect(globalDirectivesIncluding(["nginx", "-g", "daemon off;"])).toEqual([]);
  });

  it.each([
    [{ image: "nginxinc/nginx-unprivileged:1.30.5-alpine" }, true],
    [{ image: "public.ecr.aws/nginx/nginx@sha256:abc" }, true],
    [{ image: "registry.example.com/edge:1", command: ["/usr/sbin/nginx", "-c", "/x"] }, true],
    [{ image: "nginx/nginx-prometheus-exporter:0.11.0" }, false],
    [{ image: "app:1.0" }, false],
  ])("%j runs nginx: %s", (c, yes) => {
    expect(runsNginx(c)).toBe(yes);
  });

  const spec = {
    volumes: [
      { name: "conf", configMap: { name: "nginx-conf", items: [{ key: "nginx.conf", path: "nginx.conf" }] } },
      { name: "proj", projected: { sources: [{ configMap: { name: "other", items: [{ key: "main", path: "main.conf" }] } }] } },
      { name: "tmp", emptyDir: {} },
    ],
  };
  const c = { volumeMounts: [{ name: "conf", mountPath: "/etc/nginx/edgestack" }, { name: "proj", mountPath: "/etc/nginx/p" }, { name: "tmp", mountPath: "/tmp" }, { name: "conf", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf" }] };
  it("resolves a file to its ConfigMap key through items, projected sources and subPath", () => {
    expect(configMapFileOf(c, spec, "/etc/nginx/edgestack/nginx.conf")).toEqual({ configMap: "nginx-conf", key: "nginx.conf" });
    expect(configMapFileOf(c, spec, "/etc/nginx/p/main.conf")).toEqual({ configMap: "other", key: "main" });
    expect(configMapFileOf(c, spec, "/etc/nginx/nginx.conf")).toEqual({ configMap: "nginx-conf", key: "nginx.conf" });
  });
  it("says why a file is not a ConfigMap's", () => {
    expect(configMapFileOf(c, spec, "/usr/share/nginx.conf")).toMatch(/a file of the image/);
    expect(configMapFileOf(c, spec, "/tmp/nginx.conf")).toMatch(/no ConfigMap of the plan \(emptyDir\)/);
    expect(configMapFileOf(c, spec, "/etc/nginx/edgestack/other.conf")).toMatch(/maps no item to other.conf/);
  });
});

describe("credential variables in nginx log formats", () => {
  it.each(["$http_authorization", "$http_cookie", "$cookie_session", "$http_x_origin_verify", "$request_body", "$sent_http_set_cookie"])("%s", (v) => {
    expect(`"x":"${v}"`.match(CREDENTIAL_LOG_VARIABLES)).toEqual([v]);
  });
  it.each(["$remote_addr", "$request_uri", "$http_user_agent", "$edge_request_id"])("%s is none", (v) => {
    expect(`"x":"${v}"`.match(CREDENTIAL_LOG_VARIABLES)).toBeNull();
  });
});
