import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { API_KEY_HASHES_KEY, API_KEYS_SECRET_NAME, APP_NAME, appCanaryPodsServiceSpec, appDeploymentSpec, appHpaSpec, appLabels, appPdbSpec, appPodsServiceSpec, appServiceSpec, canaryLabels, REDIS_URL_KEY } from "./app";
import { NGINX_ALB_TLS_SECRET, NginxConf, nginxConfigMapName, nginxDeploymentSpec, nginxLabels, nginxPdbSpec, nginxServiceSpec, nginxTierLabels, nginxTiers } from "./nginx";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { ApiKeys } from "./apiKeys";
import { configAnnotations, type ConfigSource } from "./digest";
import { networkPolicySpecs } from "./network-policies";
import { managedScraperRuns } from "../observability/scrape";
import { apiKeyGenerations, WorkloadSettings } from "./settings";
import { APP_CANARY_NAME, APP_CANARY_PODS_SERVICE, APP_PODS_SERVICE, NAMESPACE } from "../cluster/objects";

/**
 * The Services that carry traffic to pods (the app's ClusterIP Service, each nginx tier's NodePort
 * Service; not the headless ones nginx resolves): Container Insights' per-Service pod metrics, alarmed on.
 */
export function trafficServiceNames(s: Parameters<typeof nginxTiers>[0]): string[] {
  return [APP_NAME, ...nginxTiers(s).map((tier) => tier.name)];
}

/** The ALB listener certificate's life: a year, replaced by the first `pulumi up` in its last 30 days. */
export const NGINX_ALB_CERT_VALIDITY_HOURS = 365 * 24;
export const NGINX_ALB_CERT_EARLY_RENEWAL_HOURS = 30 * 24;

export interface WorkloadsArgs {
  settings: WorkloadSettings;
  /** Kubernetes minor version of the cluster (picks the preStop form). */
  kubernetesVersion: string;
  /** The app's REDIS_URL (rediss:// with the AUTH token) — must be a Pulumi secret. */
  redisUrl: pulumi.Input<string>;
  /** The rendered nginx.conf (deployedNginxConf: with the VPC's blocks) and its worker_shutdown_timeout. */
  nginxConf: NginxConf;
  /** Green's own nginx.conf (nginxGreenOverrides), when it differs from blue's; unset: green runs blue's. */
  greenNginxConf?: NginxConf;
  /** The VPC's blocks (Vpc.trustedCidrs; an existing VPC's as read from AWS): the proxies the app trusts (TRUST_PROXY_CIDRS). */
  trustedCidrs: pulumi.Input<string[]>;
  /** Every block of the VPC (Vpc.cidrBlocks) and its private subnets' (nodes, Redis): the NetworkPolicies' address peers. */
  vpcCidrs: pulumi.Input<string[]>;
  privateSubnetCidrs: pulumi.Input<string>[];
  redisPort: pulumi.Input<number>;
}

/**
 * The Kubernetes side: namespace `edgestack` (restricted Pod Security Standard enforced, default-deny
 * NetworkPolicies with the design's flows), the app
 * (Deployment, fixed-ClusterIP Service, headless Service for nginx, PDB, HPA, REDIS_URL Secret) and nginx (content-hashed
 * ConfigMap, Deployment, NodePort Service with fixed ports, PDB). Give it `providers: { kubernetes }`.
 */
export class Workloads extends pulumi.ComponentResource {
  public readonly namespace: pulumi.Output<string>;
  /** The NodePort Service the load balancers reach (name inside `namespace`): blue's, with blue/green. */
  public readonly nginxServiceName: pulumi.Output<string>;
  /** green's NodePort Service, with blue/green. */
  public readonly nginxGreenServiceName?: pulumi.Output<string>;
  public readonly nginxConfigMapName: pulumi.Output<string>;
  /** The generated API keys, name → key (secret; empty unless apiKeyNames is set). */
  public readonly apiKeys: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: WorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:workloads:Workloads", name, {}, opts);
    const s = args.settings;
    const child = { parent: this };

    const ns = new kubernetes.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: NAMESPACE,
          labels: {
            "app.kubernetes.io/part-of": "edgestack",
            // The API server itself refuses any pod in this namespace that breaks the hardening.
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
          },
        },
      },
      child,
    );
    const namespace = ns.metadata.name;
    const inNamespace = { parent: this, dependsOn: [ns] };

    // ── NetworkPolicies: default deny, then the design's flows (needs the VPC CNI network policy agent) ──
    const tiers = nginxTiers(s);
    const extraNginxTiers = tiers.slice(1).map((t) => t.name);
    const policies = pulumi
      .all([pulumi.output(args.vpcCidrs), pulumi.all(args.privateSubnetCidrs), pulumi.output(args.redisPort)])
      .apply(([vpcCidrs, privateSubnetCidrs, redisPort]) => networkPolicySpecs({ vpcCidrs, privateSubnetCidrs, redisPort, extraNginxTiers, managedScraper: managedScraperRuns(s) }));
    // The set of policies is fixed; only their CIDRs wait on the network.
    for (const [index, { name: policyName }] of networkPolicySpecs({ vpcCidrs: [], privateSubnetCidrs: [], redisPort: 0, extraNginxTiers }).entries()) {
      new kubernetes.networking.v1.NetworkPolicy(
        `${name}-netpol-${policyName}`,
        { metadata: { name: policyName, namespace, labels: { "app.kubernetes.io/part-of": "edgestack" } }, spec: policies.apply((p) => p[index].spec) },
        inNamespace,
      );
    }

    // Keys the pod templates' config digests (infra/workloads/digest.ts): a changed Secret or
    // ConfigMap changes its consumers' templates, so they roll; the key keeps the digest unguessable.
    const digestKey = new random.RandomPassword(`${name}-config-digest-key`, { length: 48, special: false }, { parent: this });
    const podAnnotations = (sources: pulumi.Input<Parameters<typeof configAnnotations>[1]>) =>
      pulumi.unsecret(pulumi.all([digestKey.result, sources]).apply(([key, list]) => configAnnotations(key, list)));

    // ── App ────────────────────────────────────────────────────────────────────────────────
    const redisSecretName = "app-redis";
    new kubernetes.core.v1.Secret(
      `${name}-app-redis`,
      {
        metadata: { name: redisSecretName, namespace, labels: { ...appLabels } },
        type: "Opaque",
        stringData: { [REDIS_URL_KEY]: pulumi.secret(args.redisUrl) },
      },
      inNamespace,
    );
    const apiKeys =
      s.apiKeyNames.length > 0
        ? new ApiKeys(`${name}-api-keys`, { names: s.apiKeyNames, namespace, generations: apiKeyGenerations(s.apiKeyGenerations), acceptPrevious: s.apiKeyAcceptPrevious }, inNamespace)
        : undefined;
    // Every stack-managed object the app's pods consume (a user's own apiKeysSecretName is not ours to read).
    const appSources = pulumi.all([pulumi.output(args.redisUrl), apiKeys?.hashes ?? ""]).apply(([redisUrl, hashes]): ConfigSource[] => [
      { kind: "secret" as const, name: redisSecretName, data: { [REDIS_URL_KEY]: redisUrl } },
      ...(apiKeys ? [{ kind: "secret" as const, name: API_KEYS_SECRET_NAME, data: { [API_KEY_HASHES_KEY]: hashes } }] : []),
    ]);
    const app = new kubernetes.apps.v1.Deployment(
      `${name}-app`,
      { metadata: { name: APP_NAME, namespace, labels: { ...appLabels } }, spec: appDeploymentSpec(s, redisSecretName, args.trustedCidrs, "stable", podAnnotations(appSources)) },
      // After the first deploy the HPA owns the replica count; an update must not reset it.
      { ...inNamespace, dependsOn: apiKeys === undefined ? [ns] : [ns, apiKeys], ignoreChanges: ["spec.replicas"] },
    );
    new kubernetes.core.v1.Service(`${name}-app`, { metadata: { name: APP_NAME, namespace, labels: { ...appLabels } }, spec: appServiceSpec(s) }, inNamespace);
    // nginx's upstream: one DNS record per ready pod.
    new kubernetes.core.v1.Service(
      `${name}-app-pods`,
      { metadata: { name: APP_PODS_SERVICE, namespace, labels: { ...appLabels } }, spec: appPodsServiceSpec() },
      inNamespace,
    );
    // The canary track (canaryImage): its own Deployment and headless Service (nginx's canary
    // upstream); no HPA (a fixed share of the traffic). While it has no ready pod its share falls
    // back to the stable track's ClusterIP, logged with track "canary": the rollback criterion
    // (docs/nginx.md "Canary").
    if (s.canaryImage !== "") {
      new kubernetes.apps.v1.Deployment(
        `${name}-app-canary`,
        { metadata: { name: APP_CANARY_NAME, namespace, labels: { ...canaryLabels } }, spec: appDeploymentSpec(s, redisSecretName, args.trustedCidrs, "canary", podAnnotations(appSources)) },
        { ...inNamespace, dependsOn: apiKeys === undefined ? [ns] : [ns, apiKeys] },
      );
      new kubernetes.core.v1.Service(
        `${name}-app-canary-pods`,
        { metadata: { name: APP_CANARY_PODS_SERVICE, namespace, labels: { ...canaryLabels } }, spec: appCanaryPodsServiceSpec() },
        inNamespace,
      );
      new kubernetes.policy.v1.PodDisruptionBudget(
        `${name}-app-canary`,
        { metadata: { name: APP_CANARY_NAME, namespace, labels: { ...canaryLabels } }, spec: appPdbSpec("canary") },
        inNamespace,
      );
    }
    new kubernetes.policy.v1.PodDisruptionBudget(`${name}-app`, { metadata: { name: APP_NAME, namespace, labels: { ...appLabels } }, spec: appPdbSpec() }, inNamespace);
    new kubernetes.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-app`,
      { metadata: { name: APP_NAME, namespace, labels: { ...appLabels } }, spec: appHpaSpec(s, APP_NAME) },
      { ...inNamespace, dependsOn: [ns, app] },
    );

    // ── nginx ──────────────────────────────────────────────────────────────────────────────
    // One ConfigMap per distinct nginx.conf: blue's, and green's own when nginxGreenOverrides changes it.
    const confOf = (tier: { color: string }) => (tier.color === "green" && args.greenNginxConf !== undefined ? args.greenNginxConf : args.nginxConf);
    // Keyed by the text where it is known now, else by the conf (the caller passes green's only when it differs).
    const configMaps = new Map<string | NginxConf, kubernetes.core.v1.ConfigMap>();
    const configMapOf = (conf: NginxConf, resourceName: string) => {
      const key = typeof conf.text === "string" ? conf.text : conf;
      const existing = configMaps.get(key);
      if (existing !== undefined) return existing;
      const created = new kubernetes.core.v1.ConfigMap(
        resourceName,
        // Immutable: the name is the content hash, a new config is a new ConfigMap.
        { metadata: { name: pulumi.output(conf.text).apply(nginxConfigMapName), namespace, labels: { ...nginxLabels } }, immutable: true, data: { "nginx.conf": conf.text } },
        // A changed name means replace; Pulumi creates the new one before deleting the old, so the
        // Deployment's pods always find the ConfigMap they mount.
        inNamespace,
      );
      configMaps.set(key, created);
      return created;
    };
    const configMap = configMapOf(args.nginxConf, `${name}-nginx-conf`);
    // The ALB listener's certificate (both tiers): self-signed, per stack. The ALB does not verify
    // target certificates, so no CA is involved; what matters is that the hop is encrypted. The key
    // lives in the stack's state as a Pulumi secret. A `pulumi up` inside the renewal window replaces
    // the certificate; the changed Secret changes the pods' config digest, so they roll onto it.
    const albKey = new tls.PrivateKey(`${name}-nginx-alb-tls-key`, { algorithm: "RSA", rsaBits: 2048 }, child);
    const albCert = new tls.SelfSignedCert(
      `${name}-nginx-alb-tls-cert`,
      {
        privateKeyPem: albKey.privateKeyPem,
        subject: { commonName: "nginx.edgestack.internal", organization: "edgestack" },
        dnsNames: ["nginx.edgestack.internal"],
        validityPeriodHours: NGINX_ALB_CERT_VALIDITY_HOURS,
        earlyRenewalHours: NGINX_ALB_CERT_EARLY_RENEWAL_HOURS,
        allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
      },
      child,
    );
    const albTlsData = pulumi.all([albCert.certPem, albKey.privateKeyPem]).apply(([crt, key]) => ({ "tls.crt": crt, "tls.key": key }));
    const albTlsSecret = new kubernetes.core.v1.Secret(
      `${name}-nginx-alb-tls`,
      { metadata: { name: NGINX_ALB_TLS_SECRET, namespace, labels: { ...nginxLabels } }, type: "kubernetes.io/tls", stringData: pulumi.secret(albTlsData) },
      inNamespace,
    );
    // One Deployment, NodePort Service and PDB per tier: blue (`nginx`), and green (`nginx-green`) with blue/green.
    const services = tiers.map((tier) => {
      const labels = nginxTierLabels(tier);
      const conf = confOf(tier);
      const tierConfigMap = configMapOf(conf, `${name}-${tier.name}-conf`);
      const configMapName = pulumi.output(conf.text).apply(nginxConfigMapName);
      const configSources = pulumi.output(conf.text).apply((text): ConfigSource[] => [{ kind: "configmap", name: nginxConfigMapName(text), data: { "nginx.conf": text } }]);
      new kubernetes.apps.v1.Deployment(
        `${name}-${tier.name}`,
        {
          metadata: { name: tier.name, namespace, labels },
          spec: nginxDeploymentSpec(
            s,
            conf,
            configMapName,
            args.kubernetesVersion,
            tier,
            podAnnotations(pulumi.all([configSources, albTlsData]).apply(([sources, data]): ConfigSource[] => [...sources, { kind: "secret", name: NGINX_ALB_TLS_SECRET, data }])),
          ),
        },
        { ...inNamespace, dependsOn: [ns, tierConfigMap, albTlsSecret] },
      );
      const service = new kubernetes.core.v1.Service(`${name}-${tier.name}`, { metadata: { name: tier.name, namespace, labels }, spec: nginxServiceSpec(s, tier) }, inNamespace);
      new kubernetes.policy.v1.PodDisruptionBudget(`${name}-${tier.name}`, { metadata: { name: tier.name, namespace, labels }, spec: nginxPdbSpec(tier) }, inNamespace);
      return service;
    });
    const service = services[0];

    this.apiKeys = apiKeys?.keys ?? pulumi.secret(pulumi.output<Record<string, string>>({}));
    this.namespace = namespace;
    this.nginxServiceName = service.metadata.name;
    this.nginxGreenServiceName = services[1]?.metadata.name;
    this.nginxConfigMapName = configMap.metadata.name;
    this.registerOutputs({ namespace: this.namespace, nginxServiceName: this.nginxServiceName, apiKeys: this.apiKeys });
  }
}
