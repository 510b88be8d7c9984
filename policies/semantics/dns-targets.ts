/**
 * Host names a DNS record may point at whose owner is whoever claims them at the provider: a CloudFront distribution's
 * name, an S3 bucket's endpoint, an app of a hosting platform. A record pointing at one the stack does not declare is
 * dangling: the day the resource behind it is gone (or was never the stack's), anyone who creates one of that name, or
 * adds the record's name to their own, serves the record's name (subdomain takeover).
 */
import { within } from "./cidr";
import { AWS_DNS_SUFFIX, isS3Host } from "./partition";

/**
 * Suffixes of hosting platforms where the label before them is a name a customer picks for an app, site or bucket and
 * frees when deleting it (the classic subdomain-takeover targets), besides S3's bucket endpoints: AWS's own (a
 * resource of these kinds that is the stack's is declared in the plan, one the plan lacks is someone else's or gone)
 * and the large application platforms (Azure, Heroku, GitHub Pages, Netlify, Vercel, Cloudflare Pages, Google's
 * App Engine and Storage), whose apps an AWS stack never declares: a team that does run one lists it in the rule's
 * `ownedTargets`. Hosted services that hand every customer one shared target (a status page's or shop's common host)
 * are not claimable by name and are not listed; a rule's config may add suffixes.
 */
export const CLAIMABLE_SUFFIXES: readonly { suffix: string; provider: string }[] = [
  { suffix: "cloudfront.net", provider: "a CloudFront distribution" },
  { suffix: "elasticbeanstalk.com", provider: "an Elastic Beanstalk environment" },
  ...["azurewebsites.net", "cloudapp.net", "cloudapp.azure.com", "trafficmanager.net", "blob.core.windows.net", "azureedge.net", "azurefd.net", "azure-api.net", "azurestaticapps.net"].map((suffix) => ({ suffix, provider: "an Azure app, endpoint or storage account" })),
  { suffix: "herokuapp.com", provider: "a Heroku app" },
  { suffix: "herokudns.com", provider: "a Heroku custom domain" },
  { suffix: "github.io", provider: "a GitHub Pages site" },
  { suffix: "netlify.app", provider: "a Netlify site" },
  { suffix: "vercel.app", provider: "a Vercel deployment" },
  { suffix: "pages.dev", provider: "a Cloudflare Pages project" },
  { suffix: "appspot.com", provider: "a Google App Engine app" },
  { suffix: "storage.googleapis.com", provider: "a Google Cloud Storage bucket" },
];

const norm = (n: string) => n.trim().toLowerCase().replace(/\.$/, "");

/** What kind of claimable name a host is (undefined: a name only its domain's owner controls). */
export function claimableTarget(host: string, suffixes: readonly { suffix: string; provider: string }[] = CLAIMABLE_SUFFIXES): string | undefined {
  const h = norm(host);
  if (isS3Host(h)) return "an S3 bucket";
  return suffixes.find((s) => h.endsWith(`.${s.suffix}`))?.provider;
}

/**
 * The bucket an S3 endpoint host names (`<bucket>.s3[-website][.-<region>][.dualstack].amazonaws.com[.cn]`), or
 * undefined for another host.
 */
export function s3BucketOfHost(host: string): string | undefined {
  const h = norm(host);
  if (!isS3Host(h)) return undefined;
  const m = new RegExp(String.raw`^(.+?)\.s3(?:[.-][a-z0-9-]+)*\.${AWS_DNS_SUFFIX}$`).exec(h);
  return m?.[1];
}

/**
 * IPv4 blocks AWS allocates Elastic IPs and EC2 public addresses from (the largest of its published EC2 ranges; not
 * exhaustive, a rule's config may add more). An address there that the stack does not hold is released or another
 * account's: whoever allocates it next receives the traffic of a record that names it.
 */
export const AWS_ELASTIC_IPV4: readonly string[] = [
  "3.0.0.0/9",
  "3.128.0.0/9",
  "18.128.0.0/9",
  "23.20.0.0/14",
  "34.192.0.0/10",
  "35.152.0.0/13",
  "44.192.0.0/10",
  "50.16.0.0/14",
  "52.0.0.0/10",
  "52.64.0.0/12",
  "52.192.0.0/11",
  "54.64.0.0/10",
  "54.144.0.0/12",
  "54.160.0.0/11",
  "54.208.0.0/12",
  "54.224.0.0/11",
  "67.202.0.0/18",
  "72.44.32.0/19",
  "75.101.128.0/17",
  "107.20.0.0/14",
  "174.129.0.0/16",
  "184.72.0.0/15",
  "204.236.128.0/17",
];

/** Whether a literal address lies in a block a cloud allocates to any customer (AWS's by default). */
export function claimableAddress(address: string, blocks: readonly string[] = AWS_ELASTIC_IPV4): boolean {
  const a = address.trim();
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a)) return false;
  return within([`${a}/32`], [...blocks]);
}
