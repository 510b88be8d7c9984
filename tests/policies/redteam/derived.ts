/**
 * Mutations derived from the peers' check catalogues, not from our rules: for each checkov check (installed version,
 * scripts/peers/requirements-checkov.txt) that applies to a resource type the dev or prod plan holds, one change of the
 * prod plan that violates it, and parliament's issues over the IAM documents we plan. Each names the resource a
 * mandatory rule of ours must report. The red-team test asserts every one not pending is caught (redteam.test.ts);
 * those our pack misses today are listed, with the check and what a rule would need, in
 * tests/policies/redteam/pending-derived.json, and are not run until a rule catches them.
 */
import type { PlanResource } from "../../../offline/plan/format";
import type { Mutation, Plan } from "./mutations";

export interface DerivedMutation extends Mutation {
  /** The peer check the change violates (checkov id, or `parliament:<ISSUE>`). */
  check: string;
}

/** A derived mutation's key in pending-derived.json: its check and title. */
export const derivedKey = (m: Pick<DerivedMutation, "check" | "title">): string => `${m.check}: ${m.title}`;

const k8s = (type: string, name: string, inputs: Record<string, unknown>): PlanResource => ({ type, name, parent: "workloads", inputs });
const app = (p: Plan) => p.podSpec("workloads-app");
const nginx = (p: Plan) => p.podSpec("workloads-nginx");
const c0 = (spec: any) => spec.containers[0];
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const NODEGROUP = "aws:eks/nodeGroup:NodeGroup";
const TG = "aws:lb/targetGroup:TargetGroup";
const LISTENER = "aws:lb/listener:Listener";
const ingress = (name: string, inputs: Record<string, unknown>): PlanResource => ({ type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", name, parent: "cluster", inputs: { securityGroupId: "@id:cluster-node-sg", ipProtocol: "tcp", ...inputs } });
const newDeployment = (p: Plan, name: string, image: string, change: (spec: any) => void = () => undefined): PlanResource => {
  const d = JSON.parse(JSON.stringify(p.get("workloads-app", DEPLOYMENT))) as PlanResource;
  const inputs = d.inputs as any;
  inputs.metadata = { ...inputs.metadata, name, labels: { "app.kubernetes.io/name": name } };
  inputs.spec.selector = { matchLabels: { "app.kubernetes.io/name": name } };
  inputs.spec.template.metadata.labels = { "app.kubernetes.io/name": name };
  c0(inputs.spec.template.spec).image = image;
  c0(inputs.spec.template.spec).name = name;
  change(inputs.spec.template.spec);
  return { ...d, name };
};
const CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole";
const CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding";
/** A ClusterRole holding one grant, bound to the app's service account (the subject checkov's CKV2_K8S_* graph checks look for). */
const serviceAccountRole = (p: Plan, name: string, rule: Record<string, unknown>): void => {
  p.add({ type: CLUSTER_ROLE, name, parent: "cluster", inputs: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules: [rule] } });
  p.add({
    type: CLUSTER_ROLE_BINDING,
    name: `${name}-binding`,
    parent: "cluster",
    inputs: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name }, subjects: [{ kind: "ServiceAccount", name: "app", namespace: "edgestack" }] },
  });
};
const RBAC = ["rbac.authorization.k8s.io"];
const runner = (p: Plan) => p.inputs("ci-runner-project", "aws:codebuild/project:Project");
const setDocStatement = (p: Plan, name: string, key: string, statement: unknown) => {
  const d = p.doc(name, key);
  d.Statement.push(statement);
  p.setDoc(name, d, key);
};

export const derivedMutations: DerivedMutation[] = [
  // ── Kubernetes workloads (checkov CKV_K8S_*) ────────────────────────────────────────────────
  { check: "CKV_K8S_8", area: "k8s", title: "liveness probe removed", expect: "workloads-app", apply: (p) => delete c0(app(p)).livenessProbe },
  { check: "CKV_K8S_9", area: "k8s", title: "readiness probe removed", expect: "workloads-nginx", apply: (p) => delete c0(nginx(p)).readinessProbe },
  { check: "CKV_K8S_10", area: "k8s", title: "CPU request removed", expect: "workloads-app", apply: (p) => delete c0(app(p)).resources.requests.cpu },
  { check: "CKV_K8S_11", area: "k8s", title: "CPU limit removed", expect: "workloads-nginx", apply: (p) => delete c0(nginx(p)).resources.limits.cpu },
  { check: "CKV_K8S_12", area: "k8s", title: "memory request removed", expect: "workloads-nginx", apply: (p) => delete c0(nginx(p)).resources.requests.memory },
  { check: "CKV_K8S_13", area: "k8s", title: "memory limit removed", expect: "workloads-app", apply: (p) => delete c0(app(p)).resources.limits.memory },
  { check: "CKV_K8S_14", area: "k8s", title: "image tag latest", expect: "workloads-nginx", apply: (p) => (c0(nginx(p)).image = "nginxinc/nginx-unprivileged:latest") },
  {
    check: "CKV_K8S_40",
    area: "k8s",
    title: "nginx back to its image's uid 101",
    expect: "workloads-nginx",
    apply: (p) => {
      nginx(p).securityContext.runAsUser = 101;
      c0(nginx(p)).securityContext.runAsUser = 101;
    },
  },
  { check: "CKV_K8S_40", area: "k8s", title: "the app's uid left to its image", expect: "workloads-app", apply: (p) => { delete app(p).securityContext.runAsUser; delete c0(app(p)).securityContext.runAsUser; } },
  { check: "CKV_K8S_16", area: "k8s", title: "privileged nginx", expect: "workloads-nginx", apply: (p) => (c0(nginx(p)).securityContext.privileged = true) },
  { check: "CKV_K8S_17", area: "k8s", title: "hostPID on the app", expect: "workloads-app", apply: (p) => (app(p).hostPID = true) },
  { check: "CKV_K8S_18", area: "k8s", title: "hostIPC on the app", expect: "workloads-app", apply: (p) => (app(p).hostIPC = true) },
  { check: "CKV_K8S_19", area: "k8s", title: "hostNetwork on the app", expect: "workloads-app", apply: (p) => (app(p).hostNetwork = true) },
  { check: "CKV_K8S_20", area: "k8s", title: "allowPrivilegeEscalation true", expect: "workloads-app", apply: (p) => (c0(app(p)).securityContext.allowPrivilegeEscalation = true) },
  { check: "CKV_K8S_21", area: "k8s", title: "nginx Deployment in the default namespace", expect: "workloads-nginx", apply: (p) => (p.inputs("workloads-nginx", DEPLOYMENT).metadata.namespace = "default") },
  { check: "CKV_K8S_22", area: "k8s", title: "writable root filesystem", expect: "workloads-nginx", apply: (p) => (c0(nginx(p)).securityContext.readOnlyRootFilesystem = false) },
  {
    check: "CKV_K8S_23",
    area: "k8s",
    title: "runAsNonRoot dropped and uid 0 at pod and container level",
    expect: "workloads-app",
    apply: (p) => {
      for (const ctx of [app(p).securityContext, c0(app(p)).securityContext]) {
        delete ctx.runAsNonRoot;
        ctx.runAsUser = 0;
      }
    },
  },
  { check: "CKV_K8S_25", area: "k8s", title: "capability added (NET_ADMIN)", expect: "workloads-app", apply: (p) => (c0(app(p)).securityContext.capabilities.add = ["NET_ADMIN"]) },
  { check: "CKV_K8S_26", area: "k8s", title: "hostPort 8080 on nginx", expect: "workloads-nginx", apply: (p) => (c0(nginx(p)).ports[0].hostPort = 8080) },
  { check: "CKV_K8S_27", area: "k8s", title: "docker socket mounted", expect: "workloads-app", apply: (p) => { app(p).volumes.push({ name: "docker", hostPath: { path: "/var/run/docker.sock" } }); c0(app(p)).volumeMounts.push({ name: "docker", mountPath: "/var/run/docker.sock" }); } },
  { check: "CKV_K8S_28", area: "k8s", title: "NET_RAW no longer dropped", expect: "workloads-nginx", apply: (p) => (c0(nginx(p)).securityContext.capabilities = { drop: ["SYS_ADMIN"] }) },
  { check: "CKV_K8S_29", area: "k8s", title: "pod security context removed", expect: "workloads-app", apply: (p) => delete app(p).securityContext },
  { check: "CKV_K8S_30", area: "k8s", title: "container security context removed", expect: "workloads-nginx", apply: (p) => delete c0(nginx(p)).securityContext },
  { check: "CKV_K8S_31", area: "k8s", title: "seccomp profile removed (pod and container)", expect: "workloads-nginx", apply: (p) => { delete nginx(p).securityContext.seccompProfile; delete c0(nginx(p)).securityContext.seccompProfile; } },
  { check: "CKV_K8S_33", area: "k8s", title: "Kubernetes dashboard deployed", expect: "dashboard", apply: (p) => p.add(newDeployment(p, "dashboard", "kubernetesui/dashboard:v2.7.0")) },
  { check: "CKV_K8S_34", area: "k8s", title: "Tiller deployed", expect: "tiller", apply: (p) => p.add(newDeployment(p, "tiller", "ghcr.io/helm/tiller:v2.17.0")) },
  {
    check: "CKV_K8S_35",
    area: "k8s",
    title: "the Redis URL (with its AUTH token) back in the app's environment from the Secret",
    expect: "workloads-app",
    apply: (p) => {
      const c = c0(app(p));
      const file = c.env.find((e: any) => e.name === "REDIS_URL_FILE");
      if (!file) throw new Error("mutation: the app has no REDIS_URL_FILE");
      Object.assign(file, { name: "REDIS_URL", value: undefined, valueFrom: { secretKeyRef: { name: "app-redis", key: "REDIS_URL" } } });
    },
  },
  { check: "CKV_K8S_37", area: "k8s", title: "capability added (CHOWN)", expect: "workloads-nginx", apply: (p) => (c0(nginx(p)).securityContext.capabilities.add = ["CHOWN"]) },
  { check: "CKV_K8S_38", area: "k8s", title: "service account token mounted", expect: "workloads-app", apply: (p) => (app(p).automountServiceAccountToken = true) },
  { check: "CKV_K8S_39", area: "k8s", title: "CAP_SYS_ADMIN added", expect: "workloads-nginx", apply: (p) => (c0(nginx(p)).securityContext.capabilities.add = ["SYS_ADMIN"]) },
  { check: "CKV_K8S_159", area: "k8s", title: "git-sync sidecar", expect: "workloads-app", apply: (p) => app(p).containers.push({ ...JSON.parse(JSON.stringify(c0(app(p)))), name: "git-sync", image: "registry.k8s.io/git-sync/git-sync:v4.2.1", ports: [] }) },
  { check: "CKV2_K8S_6", area: "k8s", title: "pods left without a NetworkPolicy (all removed)", expect: "workloads-namespace", apply: (p) => { for (const r of p.resources.filter((x) => x.type.includes("NetworkPolicy"))) p.remove(r.name); } },
  { check: "CKV_K8S_44", area: "k8s", title: "Tiller Service", expect: "tiller-deploy", apply: (p) => p.add(k8s("kubernetes:core/v1:Service", "tiller-deploy", { metadata: { name: "tiller-deploy", namespace: "edgestack", labels: { app: "helm", name: "tiller" } }, spec: { ports: [{ port: 44134 }], selector: { app: "helm", name: "tiller" } } })) },
  // ── Kubernetes RBAC (the deployer's ClusterRole and binding; roles bound to a service account) ─────
  { check: "CKV_K8S_49", area: "k8s", title: "deployer's core-group rule covers every resource (resources: *)", expect: "cluster-deployer", apply: (p) => (p.inputs("cluster-deployer", CLUSTER_ROLE).rules[0].resources = ["*"]) },
  { check: "CKV_K8S_41", area: "k8s", title: "the autoscaler's service account renamed default (token mounted)", expect: "cluster-autoscaler-sa", apply: (p) => (p.inputs("cluster-autoscaler-sa").metadata.name = "default") },
  { check: "CKV_K8S_42", area: "k8s", title: "deployer role bound to the default service account", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE_BINDING).subjects.push({ kind: "ServiceAccount", name: "default", namespace: "edgestack" }) },
  { check: "CKV2_K8S_1", area: "k8s", title: "service account may write role and cluster role bindings", expect: "sa-binder", apply: (p) => serviceAccountRole(p, "sa-binder", { apiGroups: RBAC, resources: ["rolebindings", "clusterrolebindings"], verbs: ["create", "update", "patch"] }) },
  { check: "CKV2_K8S_2", area: "k8s", title: "service account may exec into pods", expect: "sa-exec", apply: (p) => serviceAccountRole(p, "sa-exec", { apiGroups: [""], resources: ["pods/exec"], verbs: ["create"] }) },
  { check: "CKV2_K8S_3", area: "k8s", title: "service account may impersonate users, groups and service accounts", expect: "sa-impersonate", apply: (p) => serviceAccountRole(p, "sa-impersonate", { apiGroups: [""], resources: ["users", "groups", "serviceaccounts"], verbs: ["impersonate"] }) },
  { check: "CKV2_K8S_4", area: "k8s", title: "service account may set Service status (load-balancer ingress IPs, CVE-2020-8554)", expect: "sa-service-status", apply: (p) => serviceAccountRole(p, "sa-service-status", { apiGroups: [""], resources: ["services/status"], verbs: ["update", "patch"] }) },
  { check: "CKV2_K8S_5", area: "k8s", title: "service account may read every Secret", expect: "sa-secrets", apply: (p) => serviceAccountRole(p, "sa-secrets", { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] }) },
  { check: "CKV_K8S_155", area: "k8s", title: "role rewrites admission webhooks", expect: "sa-webhooks", apply: (p) => serviceAccountRole(p, "sa-webhooks", { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"], verbs: ["create", "update", "patch"] }) },
  { check: "CKV_K8S_156", area: "k8s", title: "role approves certificate signing requests", expect: "sa-csr-approver", apply: (p) => serviceAccountRole(p, "sa-csr-approver", { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update", "patch"] }) },
  { check: "CKV_K8S_157", area: "k8s", title: "role may bind cluster roles", expect: "sa-bind", apply: (p) => serviceAccountRole(p, "sa-bind", { apiGroups: RBAC, resources: ["clusterroles"], verbs: ["bind"] }) },
  { check: "CKV_K8S_158", area: "k8s", title: "role may escalate cluster roles", expect: "sa-escalate", apply: (p) => serviceAccountRole(p, "sa-escalate", { apiGroups: RBAC, resources: ["clusterroles"], verbs: ["escalate"] }) },
  { check: "CKV_K8S_157", area: "k8s", title: "deployer may bind any cluster role (the binding grants it whatever it binds)", expect: "cluster-deployer", apply: (p) => p.inputs("cluster-deployer", CLUSTER_ROLE).rules.push({ apiGroups: RBAC, resources: ["clusterroles"], verbs: ["bind"] }) },
  // ── CodeBuild (the CI runner) ────────────────────────────────────────────────────────────
  { check: "CKV_AWS_316", area: "ci", title: "runner builds in privileged mode (Docker daemon, host kernel)", expect: "ci-runner-project", apply: (p) => (runner(p).environment.privilegedMode = true) },
  { check: "CKV_AWS_314", area: "ci", title: "runner's CloudWatch logs disabled and no S3 logs", expect: "ci-runner-project", apply: (p) => (runner(p).logsConfig = { cloudwatchLogs: { status: "DISABLED" } }) },
  { check: "CKV_AWS_311", area: "ci", title: "runner's S3 build logs unencrypted", expect: "ci-runner-project", apply: (p) => (runner(p).logsConfig.s3Logs = { status: "ENABLED", location: "ci-logs-bucket/runner", encryptionDisabled: true }) },
  { check: "CKV_AWS_78", area: "ci", title: "runner writes S3 artifacts with encryption disabled", expect: "ci-runner-project", apply: (p) => (runner(p).artifacts = { type: "S3", location: "ci-artifacts-bucket", encryptionDisabled: true }) },
  { check: "CKV_AWS_147", area: "ci", title: "runner writes S3 artifacts without a customer-managed key", expect: "ci-runner-project", apply: (p) => (runner(p).artifacts = { type: "S3", location: "ci-artifacts-bucket" }) },
  // ── Security groups ──────────────────────────────────────────────────────────────────────
  { check: "CKV_AWS_24", area: "sg", title: "node SSH from the world (rule)", expect: "nodes-ssh", apply: (p) => p.add(ingress("nodes-ssh", { cidrIpv4: "0.0.0.0/0", fromPort: 22, toPort: 22 })) },
  { check: "CKV_AWS_25", area: "sg", title: "node RDP from the world (rule)", expect: "nodes-rdp", apply: (p) => p.add(ingress("nodes-rdp", { cidrIpv4: "0.0.0.0/0", fromPort: 3389, toPort: 3389 })) },
  { check: "CKV_AWS_260", area: "sg", title: "node port 80 from the world (rule)", expect: "nodes-http", apply: (p) => p.add(ingress("nodes-http", { cidrIpv4: "0.0.0.0/0", fromPort: 80, toPort: 80 })) },
  { check: "CKV_AWS_277", area: "sg", title: "every protocol from the world (rule)", expect: "nodes-all", apply: (p) => p.add(ingress("nodes-all", { cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", fromPort: -1, toPort: -1 })) },
  { check: "CKV_AWS_277", area: "sg", title: "every protocol from the world (inline, cache SG)", expect: "cache-sg", apply: (p) => (p.inputs("cache-sg").ingress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]) },
  { check: "CKV_AWS_24", area: "sg", title: "SSH from the world (inline, node SG)", expect: "cluster-node-sg", apply: (p) => (p.inputs("cluster-node-sg").ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }]) },
  { check: "CKV_AWS_382", area: "sg", title: "cache egress to the world on every port", expect: "cache-egress-all", apply: (p) => p.add({ type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", name: "cache-egress-all", parent: "cache", inputs: { securityGroupId: "@id:cache-sg", cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", fromPort: -1, toPort: -1 } }) },
  { check: "CKV_AWS_23", area: "sg", title: "ingress rule without a description", expect: "cache-from-nodes", apply: (p) => delete p.inputs("cache-from-nodes").description },
  { check: "CKV2_AWS_5", area: "sg", title: "security group attached to nothing", expect: "orphan-sg", apply: (p) => p.add({ type: "aws:ec2/securityGroup:SecurityGroup", name: "orphan-sg", parent: "network", inputs: { description: "left over", vpcId: p.inputs("alb-sg").vpcId, ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] }] } }) },
  { check: "CKV2_AWS_19", area: "vpc", title: "Elastic IP allocated and attached to nothing", expect: "spare-ip", apply: (p) => p.add({ type: "aws:ec2/eip:Eip", name: "spare-ip", parent: "network", inputs: { domain: "vpc" } }) },
  { check: "CKV2_AWS_23", area: "dns", title: "A record pointing at a fixed address nothing in the stack owns (dangling)", expect: "dns-origin-a", apply: (p) => Object.assign(p.inputs("dns-origin-a"), { aliases: undefined, records: ["192.0.2.44"], ttl: 300 }) },
  { check: "CKV2_AWS_12", area: "vpc", title: "default SG egress to the world", expect: "network-default-sg", apply: (p) => (p.inputs("network-default-sg").egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]) },
  // ── EKS / EC2 ────────────────────────────────────────────────────────────────────────────
  { check: "CKV_AWS_37", area: "eks", title: "scheduler and controller-manager logs off", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").enabledClusterLogTypes = ["api", "audit", "authenticator"]) },
  { check: "CKV_AWS_38", area: "eks", title: "public endpoint open to 0.0.0.0/0", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").vpcConfig.publicAccessCidrs = ["0.0.0.0/0"]) },
  { check: "CKV_AWS_58", area: "eks", title: "secrets encryption removed", expect: "cluster-eks", apply: (p) => delete p.inputs("cluster-eks").encryptionConfig },
  { check: "CKV_AWS_339", area: "eks", title: "Kubernetes version out of support (1.23)", expect: "cluster-eks", apply: (p) => (p.inputs("cluster-eks").version = "1.23") },
  { check: "CKV_AWS_100", area: "eks", title: "node group SSH key without source security groups", expect: "cluster-nodes-zone1", apply: (p) => (p.inputs("cluster-nodes-zone1", NODEGROUP).remoteAccess = { ec2SshKey: "ops" }) },
  { check: "CKV_AWS_79", area: "ec2", title: "IMDS tokens optional", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", LT).metadataOptions.httpTokens = "optional") },
  { check: "CKV_AWS_341", area: "ec2", title: "IMDS hop limit 2 (pods reach the node role)", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", LT).metadataOptions.httpPutResponseHopLimit = 2) },
  { check: "CKV_AWS_88", area: "ec2", title: "nodes get public IPs", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", LT).networkInterfaces = [{ associatePublicIpAddress: "true", securityGroups: [p.id("cluster-node-sg")] }]) },
  { check: "CKV_AWS_46", area: "ec2", title: "AWS secret key in user data", expect: "cluster-nodes", apply: (p) => (p.inputs("cluster-nodes", LT).userData = Buffer.from("#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n").toString("base64")) },
  { check: "CKV_AWS_130", area: "vpc", title: "private subnet assigns public IPs", expect: "network-private-1", apply: (p) => (p.inputs("network-private-1", "aws:ec2/subnet:Subnet").mapPublicIpOnLaunch = true) },
  { check: "CKV2_AWS_44", area: "vpc", title: "private default route through a VPC peering", expect: "network-private-rt-0", apply: (p) => (p.inputs("network-private-rt-0").routes[0] = { cidrBlock: "0.0.0.0/0", vpcPeeringConnectionId: "pcx-0123456789abcdef0" }) },
  // ── IAM / KMS ────────────────────────────────────────────────────────────────────────────
  { check: "CKV_AWS_274", area: "iam", title: "AdministratorAccess on the cluster role", expect: "cluster-cluster-AmazonEKSClusterPolicy", apply: (p) => (p.inputs("cluster-cluster-AmazonEKSClusterPolicy").policyArn = "arn:aws:iam::aws:policy/AdministratorAccess") },
  { check: "CKV_AWS_274", area: "iam", title: "AdministratorAccess in the node role's managed ARNs", expect: "cluster-node-role", apply: (p) => (p.inputs("cluster-node-role").managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"]) },
  { check: "CKV2_AWS_56", area: "iam", title: "IAMFullAccess attached to the node role", expect: "cluster-node-AmazonEC2ContainerRegistryReadOnly", apply: (p) => (p.inputs("cluster-node-AmazonEC2ContainerRegistryReadOnly").policyArn = "arn:aws:iam::aws:policy/IAMFullAccess") },
  { check: "CKV_AWS_60", area: "iam", title: "trust policy allows any AWS principal", expect: "cluster-cluster-role", apply: (p) => p.setDoc("cluster-cluster-role", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] }, "assumeRolePolicy") },
  { check: "CKV_AWS_61", area: "iam", title: "trust policy allows every service", expect: "cluster-node-role", apply: (p) => p.setDoc("cluster-node-role", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "*" }, Action: "sts:AssumeRole" }] }, "assumeRolePolicy") },
  {
    check: "CKV_AWS_393",
    area: "iam",
    title: "GitHub OIDC trust with a wildcard subject",
    expect: "cluster-node-role",
    apply: (p) =>
      p.setDoc(
        "cluster-node-role",
        { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "*" } } }] },
        "assumeRolePolicy",
      ),
  },
  // ── Alerting (SNS topics and CloudWatch alarms) ─────────────────────────────────────────
  { check: "CKV_AWS_26", area: "alerting", title: "ticket topic unencrypted", expect: "network-nat-0", apply: (p) => delete p.inputs("alerting-topics-ticket", "aws:sns/topic:Topic").kmsMasterKeyId },
  { check: "CKV_AWS_319", area: "alerting", title: "ALB 5xx alarm's actions disabled", expect: "alb-lb", apply: (p) => (p.inputs("alerting-alb-HTTPCode_ELB_5XX_Count").actionsEnabled = false) },
  { check: "CKV_AWS_169", area: "alerting", title: "page topic policy open to every principal", expect: "alerting-topics-page", apply: (p) => {
      const r = p.inputs("alerting-topics-page", "aws:sns/topicPolicy:TopicPolicy");
      r.policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "all", Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: r.arn }] });
    } },
  { check: "CKV_AWS_7", area: "kms", title: "key rotation off", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").enableKeyRotation = false) },
  { check: "CKV_AWS_227", area: "kms", title: "key disabled", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").isEnabled = false) },
  { check: "CKV_AWS_33", area: "kms", title: "key policy grants principal *", expect: "cluster-secrets-key", apply: (p) => (p.inputs("cluster-secrets-key").policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "all", Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:*", Resource: "*" }] })) },
  // ── S3 ───────────────────────────────────────────────────────────────────────────────────
  { check: "CKV_AWS_53", area: "s3", title: "block public ACLs off", expect: "cdn-static-bucket", apply: (p) => (p.inputs("cdn-static-public-access").blockPublicAcls = false) },
  { check: "CKV_AWS_54", area: "s3", title: "block public policy off", expect: "cdn-logs-bucket", apply: (p) => (p.inputs("cdn-logs-public-access").blockPublicPolicy = false) },
  { check: "CKV_AWS_55", area: "s3", title: "ignore public ACLs off", expect: "nlb-logs-bucket", apply: (p) => (p.inputs("nlb-logs-public-access").ignorePublicAcls = false) },
  { check: "CKV_AWS_56", area: "s3", title: "restrict public buckets off", expect: "alb-logs-bucket", apply: (p) => (p.inputs("alb-logs-public-access").restrictPublicBuckets = false) },
  { check: "CKV2_AWS_6", area: "s3", title: "public-access block deleted", expect: "nlb-logs-bucket", apply: (p) => p.remove("nlb-logs-public-access") },
  { check: "CKV_AWS_20", area: "s3", title: "public-read ACL on the static bucket", expect: "cdn-static-bucket", apply: (p) => (p.inputs("cdn-static-bucket").acl = "public-read") },
  { check: "CKV_AWS_57", area: "s3", title: "public-read-write ACL on a log bucket", expect: "cdn-logs-bucket", apply: (p) => (p.inputs("cdn-logs-bucket").acl = "public-read-write") },
  { check: "CKV_AWS_70", area: "s3", title: "bucket policy allows any principal every action", expect: "nlb-logs-policy", apply: (p) => setDocStatement(p, "nlb-logs-policy", "policy", { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::nlb-logs/*" }) },
  { check: "CKV_AWS_93", area: "s3", title: "bucket policy denies everyone but root", expect: "cdn-static-policy", apply: (p) => setDocStatement(p, "cdn-static-policy", "policy", { Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:*", Resource: "*" }) },
  { check: "CKV_AWS_19", area: "s3", title: "static bucket encryption removed and algorithm unset", expect: "cdn-static-bucket", apply: (p) => (p.inputs("cdn-static-sse").rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "" } }]) },
  { check: "CKV_AWS_21", area: "s3", title: "static bucket versioning suspended", expect: "cdn-static-bucket", apply: (p) => (p.inputs("cdn-static-versioning").versioningConfiguration.status = "Suspended") },
  { check: "CKV2_AWS_61", area: "s3", title: "log bucket lifecycle removed", expect: "alb-logs-bucket", apply: (p) => p.remove("alb-logs-lifecycle") },
  { check: "CKV_AWS_300", area: "s3", title: "incomplete multipart uploads never aborted", expect: "cdn-logs-lifecycle", apply: (p) => delete p.inputs("cdn-logs-lifecycle").rules[0].abortIncompleteMultipartUpload },
  { check: "CKV2_AWS_65", area: "s3", title: "ACLs enabled on the static bucket", expect: "cdn-static-ownership", apply: (p) => (p.inputs("cdn-static-ownership").rule.objectOwnership = "ObjectWriter") },
  // ── Load balancers ───────────────────────────────────────────────────────────────────────
  { check: "CKV_AWS_2", area: "lb", title: "ALB HTTP listener forwards", expect: "alb-http", apply: (p) => (p.inputs("alb-http").defaultActions = [{ type: "forward", targetGroupArn: p.inputs("alb-route-api").actions[0].targetGroupArn }]) },
  { check: "CKV2_AWS_20", area: "lb", title: "ALB HTTP listener answers itself instead of redirecting", expect: "alb-http", apply: (p) => (p.inputs("alb-http").defaultActions = [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "200", messageBody: "ok" } }]) },
  { check: "CKV_AWS_103", area: "lb", title: "ALB HTTPS listener allows TLS 1.0", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).sslPolicy = "ELBSecurityPolicy-2016-08") },
  { check: "CKV_AWS_103", area: "lb", title: "NLB TLS listener allows TLS 1.0", expect: "nlb-tls", apply: (p) => (p.inputs("nlb-tls", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS-1-0-2015-04") },
  { check: "CKV2_AWS_74", area: "lb", title: "ALB HTTPS listener with a weak-cipher policy", expect: "alb-https", apply: (p) => (p.inputs("alb-https", LISTENER).sslPolicy = "ELBSecurityPolicy-TLS-1-2-2017-01") },
  { check: "CKV_AWS_378", area: "lb", title: "NLB TLS target group speaks plain HTTP health and traffic", expect: "nlb-tls", apply: (p) => (p.inputs("nlb-tls", TG).protocol = "HTTP") },
  { check: "CKV_AWS_378", area: "lb", title: "ALB target group back to plain HTTP to nginx", expect: "alb-nginx", apply: (p) => (p.inputs("alb-nginx", TG).protocol = "HTTP") },
  {
    check: "CKV_AWS_378",
    area: "lb",
    title: "ALB target group and its health check back to plain HTTP",
    expect: "alb-nginx",
    apply: (p) => {
      const tg = p.inputs("alb-nginx", TG);
      tg.protocol = "HTTP";
      tg.healthCheck.protocol = "HTTP";
    },
  },
  { check: "CKV_AWS_131", area: "lb", title: "ALB keeps invalid header fields", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").dropInvalidHeaderFields = false) },
  { check: "CKV_AWS_150", area: "lb", title: "ALB deletion protection off", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").enableDeletionProtection = false) },
  { check: "CKV_AWS_91", area: "lb", title: "ALB access logs disabled", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").accessLogs.enabled = false) },
  { check: "CKV_AWS_152", area: "lb", title: "NLB cross-zone balancing off", expect: "nlb-lb", apply: (p) => (p.inputs("nlb-lb").enableCrossZoneLoadBalancing = false) },
  { check: "CKV_AWS_328", area: "lb", title: "ALB desync mitigation monitor", expect: "alb-lb", apply: (p) => (p.inputs("alb-lb").desyncMitigationMode = "monitor") },
  { check: "CKV_AWS_261", area: "lb", title: "ALB target group health check removed", expect: "alb-nginx", apply: (p) => delete p.inputs("alb-nginx", TG).healthCheck },
  // ── CloudFront / WAF / ACM ───────────────────────────────────────────────────────────────
  { check: "CKV_AWS_34", area: "cloudfront", title: "an ordered behaviour allows plain HTTP", expect: "cdn-distribution", apply: (p) => (p.inputs("cdn-distribution").orderedCacheBehaviors[0].viewerProtocolPolicy = "allow-all") },
  { check: "CKV_AWS_174", area: "cloudfront", title: "viewer TLS 1.0", expect: "cdn-distribution", apply: (p) => (p.inputs("cdn-distribution").viewerCertificate.minimumProtocolVersion = "TLSv1") },
  { check: "CKV2_AWS_42", area: "cloudfront", title: "default CloudFront certificate", expect: "cdn-distribution", apply: (p) => (p.inputs("cdn-distribution").viewerCertificate = { cloudfrontDefaultCertificate: true }) },
  { check: "CKV2_AWS_54", area: "cloudfront", title: "origin accepts SSLv3", expect: "cdn-distribution", apply: (p) => (p.inputs("cdn-distribution").origins.find((o: any) => o.customOriginConfig).customOriginConfig.originSslProtocols = ["SSLv3", "TLSv1.2"]) },
  { check: "CKV2_AWS_72", area: "cloudfront", title: "origin reached over HTTP", expect: "cdn-distribution", apply: (p) => (p.inputs("cdn-distribution").origins.find((o: any) => o.customOriginConfig).customOriginConfig.originProtocolPolicy = "http-only") },
  { check: "CKV2_AWS_46", area: "cloudfront", title: "S3 origin without origin access control", expect: "cdn-distribution", apply: (p) => delete p.inputs("cdn-distribution").origins.find((o: any) => o.originAccessControlId).originAccessControlId },
  { check: "CKV2_AWS_32", area: "cloudfront", title: "response headers policy detached", expect: "cdn-distribution", apply: (p) => delete p.inputs("cdn-distribution").defaultCacheBehavior.responseHeadersPolicyId },
  { check: "CKV_AWS_68", area: "cloudfront", title: "web ACL detached", expect: "cdn-distribution", apply: (p) => delete p.inputs("cdn-distribution").webAclId },
  { check: "CKV_AWS_86", area: "cloudfront", title: "access logging removed", expect: "cdn-distribution", apply: (p) => delete p.inputs("cdn-distribution").loggingConfig },
  { check: "CKV_AWS_216", area: "cloudfront", title: "distribution disabled", expect: "cdn-distribution", apply: (p) => (p.inputs("cdn-distribution").enabled = false) },
  { check: "CKV_AWS_259", area: "cloudfront", title: "HSTS header not overriding the origin's", expect: "cdn-security-headers", apply: (p) => (p.inputs("cdn-security-headers").securityHeadersConfig.strictTransportSecurity.override = false) },
  { check: "CKV_AWS_175", area: "waf", title: "web ACL without rules", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules = []) },
  { check: "CKV_AWS_192", area: "waf", title: "known-bad-inputs rule group removed (Log4j lookups pass)", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules = p.inputs("cdn-waf-acl").rules.filter((r: any) => r.statement.managedRuleGroupStatement?.name !== "AWSManagedRulesKnownBadInputsRuleSet")) },
  { check: "CKV2_AWS_47", area: "waf", title: "anonymous-IP rule group removed (VPN, Tor and proxy clients pass)", expect: "cdn-waf-acl", apply: (p) => (p.inputs("cdn-waf-acl").rules = p.inputs("cdn-waf-acl").rules.filter((r: any) => r.statement.managedRuleGroupStatement?.name !== "AWSManagedRulesAnonymousIpList")) },
  { check: "CKV2_AWS_31", area: "waf", title: "web ACL logging configuration removed", expect: "cdn-waf-acl", apply: (p) => p.remove("cdn-waf-logging") },
  { check: "CKV2_AWS_11", area: "network", title: "VPC flow log removed", expect: "network-vpc", apply: (p) => p.remove("network-flow-log") },
  { check: "CKV_AWS_342", area: "waf", title: "a rule with no action", expect: "cdn-waf-acl", apply: (p) => delete p.inputs("cdn-waf-acl").rules.find((r: any) => r.statement.rateBasedStatement).action },
  { check: "CKV2_AWS_71", area: "acm", title: "wildcard certificate", expect: "cdn-certificate-cert", apply: (p) => (p.inputs("cdn-certificate-cert").domainName = "*.edgestack.example.com") },
  { check: "CKV_AWS_234", area: "acm", title: "certificate transparency logging disabled", expect: "lb-certificate-cert", apply: (p) => (p.inputs("lb-certificate-cert").options = { certificateTransparencyLoggingPreference: "DISABLED" }) },
  // ── ElastiCache / ECR / logs ─────────────────────────────────────────────────────────────
  // The prod plan looks its zone up (no Zone resource for checkov to read): the signing of the zone the records use.
  { check: "CKV2_AWS_38", area: "dns", title: "DNSSEC signing of the zone off, its key-signing key inactive", expect: "dns-zone-ksk", apply: (p) => { p.remove("dns-zone-dnssec"); p.inputs("dns-zone-ksk").status = "INACTIVE"; } },
  { check: "CKV_AWS_29", area: "elasticache", title: "no encryption at rest", expect: "cache-group", apply: (p) => (p.inputs("cache-group").atRestEncryptionEnabled = false) },
  { check: "CKV_AWS_30", area: "elasticache", title: "no encryption in transit", expect: "cache-group", apply: (p) => { p.inputs("cache-group").transitEncryptionEnabled = false; delete p.inputs("cache-group").transitEncryptionMode; } },
  { check: "CKV_AWS_31", area: "elasticache", title: "no AUTH token", expect: "cache-group", apply: (p) => delete p.inputs("cache-group").authToken },
  { check: "CKV2_AWS_50", area: "elasticache", title: "automatic failover off", expect: "cache-group", apply: (p) => (p.inputs("cache-group").automaticFailoverEnabled = false) },
  { check: "CKV_AWS_51", area: "ecr", title: "mutable image tags", expect: "image-repo", apply: (p) => (p.inputs("image-repo").imageTagMutability = "MUTABLE") },
  { check: "CKV_AWS_163", area: "ecr", title: "scan on push off", expect: "image-repo", apply: (p) => (p.inputs("image-repo").imageScanningConfiguration.scanOnPush = false) },
  { check: "CKV_AWS_136", area: "ecr", title: "repository encrypted with AES256, not KMS", expect: "image-repo", apply: (p) => (p.inputs("image-repo").encryptionConfigurations = [{ encryptionType: "AES256" }]) },
  { check: "CKV_AWS_66", area: "logs", title: "control-plane log group never expires", expect: "cluster-control-plane-logs", apply: (p) => delete p.inputs("cluster-control-plane-logs").retentionInDays },
  // Inline role policies (the flow-log delivery role's): what the document grants, whatever resource carries it.
  ...(
    [
      ["CKV_AWS_62", "full administrative privileges (*:*)", { Action: "*:*", Resource: "*" }],
      ["CKV_AWS_63", "every action", { Action: "*", Resource: "arn:aws:logs:*:*:*" }],
      ["CKV2_AWS_40", "full IAM privileges", { Action: "iam:*", Resource: "*" }],
      ["CKV_AWS_286", "privilege escalation (iam:PassRole + ec2:RunInstances)", { Action: ["iam:PassRole", "ec2:RunInstances"], Resource: "*" }],
      ["CKV_AWS_287", "credentials exposure (iam:CreateAccessKey)", { Action: "iam:CreateAccessKey", Resource: "*" }],
      ["CKV_AWS_288", "data exfiltration (s3:GetObject on every bucket)", { Action: "s3:GetObject", Resource: "*" }],
      ["CKV_AWS_289", "permissions management (iam:AttachRolePolicy)", { Action: "iam:AttachRolePolicy", Resource: "*" }],
      ["CKV_AWS_290", "unconstrained write (s3:PutObject on every bucket)", { Action: "s3:PutObject", Resource: "*" }],
      ["CKV_AWS_355", "logs:PutLogEvents on every log group", { Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }],
    ] as const
  ).map(
    ([check, title, grant]): DerivedMutation => ({
      check,
      area: "iam",
      title: `flow-log role policy grants ${title}`,
      expect: "network-flow-logs-write",
      apply: (p) => setDocStatement(p, "network-flow-logs-write", "policy", { Effect: "Allow", ...grant }),
    }),
  ),
  // ── parliament over the IAM documents we plan ────────────────────────────────────────────
  { check: "parliament:RESOURCE_MISMATCH", area: "iam", title: "bucket policy grants s3:GetObject on the bucket ARN (no object)", expect: "cdn-static-policy", apply: (p) => setDocStatement(p, "cdn-static-policy", "policy", { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::cdn-static-bucket" }) },
  { check: "parliament:PRIVILEGE_ESCALATION", area: "iam", title: "node role inline policy: iam:PassRole + ec2:RunInstances on *", expect: "cluster-node-role", apply: (p) => (p.inputs("cluster-node-role").inlinePolicies = [{ name: "esc", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["iam:PassRole", "ec2:RunInstances"], Resource: "*" }] }) }]) },
  { check: "parliament:PERMISSIONS_MANAGEMENT_ACTIONS", area: "iam", title: "node role inline policy: iam:AttachRolePolicy on *", expect: "cluster-node-role", apply: (p) => (p.inputs("cluster-node-role").inlinePolicies = [{ name: "pm", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:AttachRolePolicy", Resource: "*" }] }) }]) },
  { check: "parliament:CREDENTIALS_EXPOSURE", area: "iam", title: "node role inline policy: iam:CreateAccessKey on *", expect: "cluster-node-role", apply: (p) => (p.inputs("cluster-node-role").inlinePolicies = [{ name: "ce", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "iam:CreateAccessKey", Resource: "*" }] }) }]) },
  { check: "parliament:NOTPRINCIPAL_WITH_ALLOW", area: "iam", title: "log bucket policy allows everyone but one account (Allow + NotPrincipal)", expect: "alb-logs-policy", apply: (p) => setDocStatement(p, "alb-logs-policy", "policy", { Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::alb-logs/*" }) },
];
