import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ValidatedCertificateArgs {
  /** The certificate's primary name. */
  domainName: string;
  subjectAlternativeNames?: string[];
  /** Route53 zone the DNS-validation CNAMEs go into. */
  zoneId: pulumi.Input<string>;
  validationTtlSeconds: number;
}

/**
 * The names whose validation records we create, one per distinct record: ACM validates `*.x` and `x`
 * with the same CNAME, so a wildcard collapses onto its base name (creating both would collide).
 */
export function validationNames(domainName: string, subjectAlternativeNames: string[] = []): string[] {
  const seen = new Map<string, string>();
  for (const name of [domainName, ...subjectAlternativeNames]) {
    const base = name.replace(/^\*\./, "");
    if (!seen.has(base)) seen.set(base, name);
  }
  return [...seen.values()];
}

/**
 * An ACM certificate validated through Route53 DNS. The validation records are declared per known
 * name (so a preview lists them), their values read from the certificate's domainValidationOptions.
 * The region is the provider's: pass the us-east-1 provider for CloudFront.
 */
export class ValidatedCertificate extends pulumi.ComponentResource {
  /** ARN of the certificate, resolved only once validation has completed: use this one. */
  public readonly certificateArn: pulumi.Output<string>;
  /** Names of the validation CNAMEs. */
  public readonly validationRecordNames: pulumi.Output<string>[];

  constructor(name: string, args: ValidatedCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:edge:Certificate", name, {}, opts);

    const certificate = new aws.acm.Certificate(
      `${name}-cert`,
      {
        domainName: args.domainName,
        subjectAlternativeNames: args.subjectAlternativeNames,
        validationMethod: "DNS",
        tags: { Name: args.domainName },
      },
      // Replacement creates the new certificate first (Pulumi's default): listeners never go without one.
      { parent: this },
    );

    const records = validationNames(args.domainName, args.subjectAlternativeNames).map((domain) => {
      const option = certificate.domainValidationOptions.apply((options) => {
        const found = options.find((o) => o.domainName === domain);
        if (!found) throw new Error(`certificate ${args.domainName}: ACM returned no validation record for ${domain}`);
        return found;
      });
      return new aws.route53.Record(
        `${name}-validation-${domain.replace(/^\*\./, "wildcard.")}`,
        {
          zoneId: args.zoneId,
          name: option.resourceRecordName,
          type: option.resourceRecordType,
          records: [option.resourceRecordValue],
          ttl: args.validationTtlSeconds,
          // Certificates for the same names (e.g. a replacement) share validation records.
          allowOverwrite: true,
        },
        { parent: this },
      );
    });

    const validation = new aws.acm.CertificateValidation(
      `${name}-validation`,
      { certificateArn: certificate.arn, validationRecordFqdns: records.map((r) => r.fqdn) },
      { parent: this },
    );

    this.certificateArn = validation.certificateArn;
    this.validationRecordNames = records.map((r) => r.name);
    this.registerOutputs({ certificateArn: this.certificateArn });
  }
}
