import { bootstrapWeaknesses, decodeUserData, userDataParts } from "../../../policies/semantics/userdata";

const mime = (...parts: [string, string][]) => ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="//"', "", ...parts.flatMap(([type, body]) => ["--//", `Content-Type: ${type}`, "", body]), "--//--", ""].join("\n");
const nodeConfig = (kubelet: string) => `apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n${kubelet}`;

describe("user data parts", () => {
  it("splits MIME multipart user data and keeps a plain script whole", () => {
    expect(userDataParts(mime(["application/node.eks.aws", "a"], ["text/x-shellscript; charset=us-ascii", "#!/bin/bash\nb"])).map((p) => [p.contentType, p.body.trim()])).toEqual([
      ["application/node.eks.aws", "a"],
      ["text/x-shellscript", "#!/bin/bash\nb"],
    ]);
    expect(userDataParts("#!/bin/bash\necho hi\n")).toEqual([{ contentType: "", body: "#!/bin/bash\necho hi\n" }]);
  });
});

describe("node bootstrap weaknesses", () => {
  it("reads the kubelet settings of a nodeadm NodeConfig (config and flags)", () => {
    const found = bootstrapWeaknesses(mime(["application/node.eks.aws", nodeConfig("    config:\n      authentication:\n        anonymous:\n          enabled: true\n      authorization:\n        mode: AlwaysAllow\n      readOnlyPort: 10255\n      rotateCertificates: false\n")]));
    expect(found.join("\n")).toMatch(/anonymous/);
    expect(found.join("\n")).toMatch(/AlwaysAllow/);
    expect(found.join("\n")).toMatch(/read-only port 10255/);
    expect(found.join("\n")).toMatch(/rotate/);
    expect(bootstrapWeaknesses(nodeConfig("    flags:\n      - --read-only-port=10255\n"))).toHaveLength(1);
  });

  it("reads bootstrap flags and kubelet config files a script writes", () => {
    expect(bootstrapWeaknesses("/etc/eks/bootstrap.sh c --kubelet-extra-args '--anonymous-auth=true'")).toHaveLength(1);
    expect(bootstrapWeaknesses("kubelet --authorization-mode Webhook,AlwaysAllow")).toHaveLength(1);
    expect(bootstrapWeaknesses('echo \'{"readOnlyPort": 10255}\' > /etc/kubernetes/kubelet/config.json')).toHaveLength(1);
    expect(bootstrapWeaknesses('{"authentication": {"anonymous": {"enabled": true}}}')).toHaveLength(1);
  });

  it("finds the kubelet's TLS and token checks weakened", () => {
    const found = bootstrapWeaknesses(mime(["application/node.eks.aws", nodeConfig("    config:\n      tlsMinVersion: VersionTLS10\n      tlsCipherSuites:\n        - TLS_RSA_WITH_AES_128_CBC_SHA\n        - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n      authentication:\n        webhook:\n          enabled: false\n")]));
    expect(found).toHaveLength(3);
    expect(found.join(" ")).toMatch(/TLS_RSA_WITH_AES_128_CBC_SHA/);
    expect(found.join(" ")).not.toMatch(/TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256/);
    expect(bootstrapWeaknesses("kubelet --tls-min-version=VersionTLS11")).toHaveLength(1);
    expect(bootstrapWeaknesses(mime(["application/node.eks.aws", nodeConfig("    config:\n      tlsMinVersion: VersionTLS13\n      tlsCipherSuites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n")]))).toEqual([]);
  });

  it("finds the instance's metadata options loosened at boot", () => {
    expect(bootstrapWeaknesses('aws ec2 modify-instance-metadata-options --instance-id "$ID" --http-tokens optional')).toHaveLength(1);
    expect(bootstrapWeaknesses("aws ec2 modify-instance-metadata-options --instance-id $ID --http-put-response-hop-limit 2")).toHaveLength(1);
    expect(bootstrapWeaknesses("aws ec2 modify-instance-metadata-options --instance-id $ID --http-tokens required --http-put-response-hop-limit 1")).toEqual([]);
  });

  it("finds code fetched over plain HTTP and run or installed", () => {
    for (const line of ["curl -s http://x.example/i.sh | bash", "wget -qO- http://x.example/s | sudo sh", "bash <(curl http://x.example/s)", "rpm -i http://x.example/a.rpm", "pip install --index-url http://pypi.example/simple agent"]) expect({ line, found: bootstrapWeaknesses(line).length }).toEqual({ line, found: 1 });
  });

  it("accepts the AMI's defaults, HTTPS fetches, IMDS lookups and kubelet settings that do not weaken it", () => {
    expect(bootstrapWeaknesses(mime(["application/node.eks.aws", nodeConfig("    config:\n      maxPods: 58\n      readOnlyPort: 0\n      authentication:\n        anonymous:\n          enabled: false\n")]))).toEqual([]);
    expect(bootstrapWeaknesses("curl -fsSL https://x.example/i.sh | bash")).toEqual([]);
    expect(bootstrapWeaknesses('TOKEN=$(curl -sX PUT http://169.254.169.254/latest/api/token)\ncurl -s http://169.254.169.254/latest/meta-data/instance-id | sh -c "cat > /tmp/id"')).toEqual([]);
    expect(bootstrapWeaknesses("echo see http://docs.example/node for details")).toEqual([]);
    expect(bootstrapWeaknesses("kubelet --read-only-port=0 --anonymous-auth=false")).toEqual([]);
  });
});

describe("decodeUserData", () => {
  it("decodes base64 and reads any other text as given", () => {
    expect(decodeUserData(Buffer.from("#!/bin/bash\necho hi\n").toString("base64"))).toBe("#!/bin/bash\necho hi\n");
    expect(decodeUserData("#!/bin/bash\necho hi\n")).toBe("#!/bin/bash\necho hi\n");
    expect([decodeUserData(""), decodeUserData(undefined), decodeUserData(3)]).toEqual([undefined, undefined, undefined]);
  });
});
